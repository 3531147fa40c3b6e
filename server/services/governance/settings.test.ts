import { describe, expect, it } from "vitest";
import { DEFAULT_GOVERNANCE_SETTINGS } from "../../../lib/governance";
import { parseConfig } from "../../../lib/config/riskwarden-config";
import { governanceConfigFrom } from "./settings";

describe("governance config key", () => {
  it("defaults without a governance key", () => {
    expect(governanceConfigFrom(undefined)).toEqual({ settings: DEFAULT_GOVERNANCE_SETTINGS });
  });

  it("overrides committee and one level from the config file, keeps the rest", () => {
    const config = parseConfig(
      ["governance:", "  votingToken: '0x5A98FcBEA516Cf06857215779Fd812CA3beF1B32'", "  committee: { approvalsRequired: 3, memberCount: 5 }", "  levels:", "    minor: { timelockMs: 3600000 }"].join("\n"),
      "riskwarden.yaml",
    );
    const governance = governanceConfigFrom(config.governance);
    expect(governance.votingToken).toBe("0x5A98FcBEA516Cf06857215779Fd812CA3beF1B32");
    expect(governance.settings.committee).toEqual({ approvalsRequired: 3, memberCount: 5 });
    expect(governance.settings.levels.minor.timelockMs).toBe(3_600_000);
    expect(governance.settings.levels.minor.quorumBps).toBe(DEFAULT_GOVERNANCE_SETTINGS.levels.minor.quorumBps);
  });

  it("refuses a major level weaker than minor, naming the key", () => {
    expect(() => governanceConfigFrom({ levels: { major: { quorumBps: 100 } } })).toThrow(/^config: governance\.levels\.major\.quorumBps: expected at least levels\.minor\.quorumBps \(200\)/);
    expect(() => governanceConfigFrom({ votingToken: "0x12" })).toThrow("config: governance.votingToken: expected a 0x-prefixed 20-byte address");
  });
});
