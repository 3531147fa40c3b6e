// nextActionsFor asks the state machine itself which actions an actor may take: checked per role and state.
import { describe, expect, it } from "vitest";
import { createProposal, DEFAULT_GOVERNANCE_SETTINGS, transition, type Actor, type Proposal } from "../../../lib/governance";
import { nextActionsFor } from "./get-proposal";

const proposer: Actor = { address: "0x00000000000000000000000000000000000000a1", roles: ["committee"] };
const member: Actor = { address: "0x00000000000000000000000000000000000000b2", roles: ["committee"] };
const holder: Actor = { address: "0x00000000000000000000000000000000000000c3", roles: [] };
const settings = DEFAULT_GOVERNANCE_SETTINGS;

function draft(): Proposal {
  return createProposal({ id: "p1", proposer: proposer.address, title: "t", rationaleMarkdown: "", changes: [{ market: "ETH-USD", path: "maintenanceMarginFraction", from: 0.03, to: 0.033 }], tier: "minor", nowMs: 0 }).proposal;
}

function apply(proposal: Proposal, action: Parameters<typeof transition>[1], actor: Actor, nowMs = 0): Proposal {
  const result = transition(proposal, action, actor, nowMs, settings);
  if (!result.ok) throw new Error(result.reason);
  return result.proposal;
}

describe("nextActionsFor", () => {
  it("draft: the proposer edits, submits or cancels (and, being committee, may veto); another member may cancel or veto; a holder nothing", () => {
    expect(nextActionsFor(draft(), proposer, 0, settings, false)).toEqual(["edit", "submit", "veto", "cancel"]);
    expect(nextActionsFor(draft(), { ...proposer, roles: [] }, 0, settings, false)).toEqual(["edit", "submit", "cancel"]);
    expect(nextActionsFor(draft(), member, 0, settings, false)).toEqual(["veto", "cancel"]);
    expect(nextActionsFor(draft(), holder, 0, settings, false)).toEqual([]);
    expect(nextActionsFor(draft(), null, 0, settings, false)).toEqual([]);
  });

  it("review: another member approves, requests changes or vetoes; the proposer never approves their own", () => {
    const inReview = apply(draft(), { type: "submit" }, proposer);
    expect(nextActionsFor(inReview, member, 0, settings, false)).toEqual(["approve", "requestChanges", "veto", "cancel"]);
    expect(nextActionsFor(inReview, proposer, 0, settings, false)).toEqual(["edit", "requestChanges", "veto", "cancel"]);
  });

  it("queued: execute appears only once the timelock is over; voting adds vote", () => {
    let proposal = apply(draft(), { type: "submit" }, proposer);
    proposal = { ...proposal, state: "Succeeded" };
    proposal = apply(proposal, { type: "queue" }, holder, 1_000);
    const timelock = settings.levels.minor.timelockMs;
    expect(nextActionsFor(proposal, holder, 1_000 + timelock - 1, settings, false)).toEqual([]);
    expect(nextActionsFor(proposal, holder, 1_000 + timelock, settings, false)).toEqual(["execute"]);
    expect(nextActionsFor({ ...proposal, state: "Active" }, holder, 0, settings, true)).toEqual(["vote"]);
  });
});
