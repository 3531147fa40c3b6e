import { describe, expect, it } from "vitest";
import * as governance from "./index";

describe("lib/governance index", () => {
  it("exports the public API without name clashes", () => {
    // One function per module, to catch a module dropped from the barrel.
    for (const name of [
      "diffParams",
      "validateProposalChanges",
      "parseGovernanceSettings",
      "classifyChangeSet",
      "transition",
      "tallyVotes",
      "voteTypedData",
      "verifyVoteSignature",
      "parsePowerSnapshotCsv",
      "powerBreakdown",
      "validateStewardUpdate",
      "recommendFromVolatility",
    ]) {
      expect(typeof (governance as Record<string, unknown>)[name], name).toBe("function");
    }
  });
});
