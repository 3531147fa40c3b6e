import { describe, expect, it } from "vitest";
import { DEFAULT_GOVERNANCE_SETTINGS, type GovernanceSettings } from "./settings";
import {
  SYSTEM_ACTOR,
  canCastVote,
  createProposal,
  dueTimedStep,
  isExecutable,
  transition,
  type Actor,
  type Proposal,
  type ProposalAction,
  type TransitionResult,
} from "./state-machine";
import type { CastVote } from "./tally";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const T0 = Date.UTC(2026, 10, 25, 12);
// Minor level defaults: delay 1 d, voting 3 d, extension 1 d, timelock 1 d, grace 5 d; 2-of-3 committee.
const SETTINGS: GovernanceSettings = DEFAULT_GOVERNANCE_SETTINGS;
const PROPOSER: Actor = { address: "0xPROPOSER", roles: [] };
const ALICE: Actor = { address: "0xAlice", roles: ["committee"] };
const BOB: Actor = { address: "0xBob", roles: ["committee"] };
const CAROL: Actor = { address: "0xCarol", roles: ["committee"] };
const HOLDER: Actor = { address: "0xHolder", roles: [] };
const SNAPSHOT = { totalPower: 1_000_000n, powerSnapshot: `0x${"ab".repeat(32)}` as const };

function draft(): Proposal {
  return createProposal({
    id: "p1",
    proposer: PROPOSER.address,
    title: "Raise ETH maintenance to 5.5 %",
    rationaleMarkdown: "Volatility is up.",
    changes: [{ market: "ETH-USD", path: "maintenanceMarginFraction", from: 0.05, to: 0.055 }],
    tier: "minor",
    nowMs: T0,
  }).proposal;
}

function ok(result: TransitionResult): Extract<TransitionResult, { ok: true }> {
  if (!result.ok) throw new Error(`${result.code}: ${result.reason}`);
  return result;
}

/** Applies steps in order, failing on the first refusal. */
function run(proposal: Proposal, steps: [ProposalAction, Actor, number][]): { proposal: Proposal; events: string[] } {
  const events: string[] = [];
  for (const [action, actor, now] of steps) {
    const result = ok(transition(proposal, action, actor, now, SETTINGS));
    proposal = result.proposal;
    events.push(...result.events.map((e) => e.type));
  }
  return { proposal, events };
}

function pending(): Proposal {
  return run(draft(), [
    [{ type: "submit" }, PROPOSER, T0],
    [{ type: "approve" }, ALICE, T0 + HOUR],
    [{ type: "approve" }, BOB, T0 + 2 * HOUR],
  ]).proposal;
}

function active(): Proposal {
  return ok(transition(pending(), { type: "tick", snapshot: SNAPSHOT }, SYSTEM_ACTOR, T0 + 2 * HOUR + DAY, SETTINGS)).proposal;
}

const vote = (voter: string, choice: CastVote["choice"], power: bigint, castAtMs: number): CastVote => ({ voter, choice, power, castAtMs });

describe("happy path", () => {
  it("Draft → … → Executed with the named events and the level's times", () => {
    const start = T0 + 2 * HOUR + DAY; // approved at T0+2h, votingDelay 1 d
    const end = start + 3 * DAY;
    const votes = [vote("0x1", "for", 30_000n, start + HOUR)];
    const { proposal, events } = run(draft(), [
      [{ type: "submit" }, PROPOSER, T0],
      [{ type: "approve" }, ALICE, T0 + HOUR],
      [{ type: "approve" }, BOB, T0 + 2 * HOUR],
      [{ type: "tick", snapshot: SNAPSHOT }, SYSTEM_ACTOR, start],
      [{ type: "tick", votes }, SYSTEM_ACTOR, end + 1],
      [{ type: "queue" }, HOLDER, end + HOUR],
      [{ type: "execute" }, HOLDER, end + HOUR + DAY],
    ]);
    expect(events).toEqual([
      "proposal.submitted",
      "proposal.approved",
      "proposal.approved",
      "proposal.active",
      "proposal.succeeded",
      "proposal.queued",
      "proposal.executed",
    ]);
    expect(proposal).toMatchObject({
      state: "Executed",
      voteStartMs: start,
      voteEndMs: end,
      totalVotingPower: "1000000",
      executableAtMs: end + HOUR + DAY,
      expiresAtMs: end + HOUR + DAY + 5 * DAY,
      outcome: { forPower: "30000", quorumPower: "20000", passed: true },
      version: 8,
    });
  });

  it("the major tier uses the major level (10 d voting, 7 d timelock)", () => {
    const major = { ...draft(), tier: "major" as const };
    const { proposal } = run(major, [
      [{ type: "submit" }, PROPOSER, T0],
      [{ type: "approve" }, ALICE, T0],
      [{ type: "approve" }, BOB, T0],
    ]);
    expect(proposal.voteEndMs! - proposal.voteStartMs!).toBe(10 * DAY);
  });
});

describe("review", () => {
  it("N-of-M: distinct members; a repeat approval is a no-op", () => {
    const inReview = run(draft(), [[{ type: "submit" }, PROPOSER, T0]]).proposal;
    const once = ok(transition(inReview, { type: "approve" }, ALICE, T0, SETTINGS));
    const twice = ok(transition(once.proposal, { type: "approve" }, { ...ALICE, address: "0xALICE" }, T0, SETTINGS));
    expect(twice.proposal).toBe(once.proposal);
    expect(twice.events).toEqual([]);
    expect(once.proposal).toMatchObject({ state: "CommitteeReview", approvals: ["0xalice"] });
    expect(once.events[0].data).toEqual({ approvals: 1, required: 2, nextState: "CommitteeReview" });
    const second = ok(transition(twice.proposal, { type: "approve" }, BOB, T0 + 1, SETTINGS));
    expect(second.events[0].data).toEqual({ approvals: 2, required: 2, nextState: "Pending" });
    expect(second.proposal).toMatchObject({ state: "Pending", voteStartMs: T0 + 1 + DAY, voteEndMs: T0 + 1 + 4 * DAY });
  });

  it("an edit resets approvals", () => {
    const approvedOnce = run(draft(), [
      [{ type: "submit" }, PROPOSER, T0],
      [{ type: "approve" }, ALICE, T0],
    ]).proposal;
    const edited = ok(transition(approvedOnce, { type: "edit", title: "Raise to 5.4 %" }, PROPOSER, T0 + 1, SETTINGS));
    expect(edited.proposal).toMatchObject({ state: "CommitteeReview", approvals: [], title: "Raise to 5.4 %" });
    expect(edited.events[0]).toMatchObject({ type: "proposal.edited", data: { approvalsReset: 1 } });
    // Alice must approve again: her approval plus Bob's now makes 2.
    const after = run(edited.proposal, [
      [{ type: "approve" }, BOB, T0 + 2],
      [{ type: "approve" }, ALICE, T0 + 3],
    ]).proposal;
    expect(after.state).toBe("Pending");
  });

  it("request changes sends it back to Draft with the comment", () => {
    const result = run(draft(), [
      [{ type: "submit" }, PROPOSER, T0],
      [{ type: "approve" }, ALICE, T0],
      [{ type: "requestChanges", comment: "Cite the vol source" }, CAROL, T0 + 1],
    ]);
    expect(result.proposal).toMatchObject({ state: "Draft", approvals: [], changeRequests: [{ by: "0xCarol", comment: "Cite the vol source", atMs: T0 + 1 }] });
    expect(result.events.at(-1)).toBe("proposal.changes_requested");
  });

  it("veto cancels with a public reason", () => {
    const result = ok(transition(active(), { type: "veto", reason: "Oracle for ETH is degraded" }, CAROL, T0 + 2 * DAY, SETTINGS));
    expect(result.proposal).toMatchObject({ state: "Canceled", vetoed: true, cancelReason: "Oracle for ETH is degraded", canceledBy: "0xCarol" });
    expect(result.events.map((e) => e.type)).toEqual(["proposal.vetoed"]);
  });
});

describe("refusals", () => {
  const inReview = () => run(draft(), [[{ type: "submit" }, PROPOSER, T0]]).proposal;
  const cases: { name: string; proposal: () => Proposal; action: ProposalAction; actor: Actor; now?: number; code: string; reason?: RegExp }[] = [
    { name: "submit by someone else", proposal: draft, action: { type: "submit" }, actor: HOLDER, code: "NOT_PROPOSER" },
    { name: "approve a Draft", proposal: draft, action: { type: "approve" }, actor: ALICE, code: "NOT_ALLOWED_IN_STATE", reason: /only in CommitteeReview/ },
    { name: "approve by a non-member", proposal: inReview, action: { type: "approve" }, actor: HOLDER, code: "NOT_COMMITTEE" },
    { name: "approve own proposal", proposal: inReview, action: { type: "approve" }, actor: { address: "0xproposer", roles: ["committee"] }, code: "SELF_APPROVAL" },
    { name: "edit while Pending", proposal: pending, action: { type: "edit", title: "x" }, actor: PROPOSER, code: "NOT_ALLOWED_IN_STATE" },
    { name: "empty edit", proposal: draft, action: { type: "edit" }, actor: PROPOSER, code: "EMPTY_EDIT" },
    { name: "proposer cancels while Active", proposal: active, action: { type: "cancel" }, actor: PROPOSER, code: "NOT_ALLOWED_IN_STATE", reason: /Draft, Pending/ },
    { name: "holder cancels", proposal: draft, action: { type: "cancel" }, actor: HOLDER, code: "NOT_PROPOSER" },
    { name: "committee cancels without reason", proposal: active, action: { type: "cancel" }, actor: ALICE, code: "REASON_REQUIRED" },
    { name: "veto without reason", proposal: inReview, action: { type: "veto", reason: " " }, actor: ALICE, code: "REASON_REQUIRED" },
    { name: "execute while Active", proposal: active, action: { type: "execute" }, actor: HOLDER, code: "NOT_ALLOWED_IN_STATE", reason: /only in Queued/ },
    { name: "queue while Active", proposal: active, action: { type: "queue" }, actor: HOLDER, code: "NOT_ALLOWED_IN_STATE" },
    { name: "open vote without snapshot", proposal: pending, action: { type: "tick" }, actor: SYSTEM_ACTOR, now: T0 + 2 * DAY, code: "SNAPSHOT_REQUIRED" },
    { name: "close vote without votes", proposal: active, action: { type: "tick" }, actor: SYSTEM_ACTOR, now: T0 + 10 * DAY, code: "VOTES_REQUIRED" },
  ];
  it.each(cases)("$name → $code", ({ proposal, action, actor, now, code, reason }) => {
    const result = transition(proposal(), action, actor, now ?? T0 + 2 * DAY, SETTINGS);
    expect(result).toMatchObject({ ok: false, code });
    if (reason && !result.ok) expect(result.reason).toMatch(reason);
  });

  it("proposer may cancel while Pending; committee at any non-terminal state", () => {
    expect(ok(transition(pending(), { type: "cancel" }, PROPOSER, T0, SETTINGS)).proposal.state).toBe("Canceled");
    const canceled = ok(transition(active(), { type: "cancel", reason: "Superseded by #7" }, ALICE, T0, SETTINGS));
    expect(canceled.proposal).toMatchObject({ state: "Canceled", cancelReason: "Superseded by #7" });
    expect(transition(canceled.proposal, { type: "cancel", reason: "again" }, ALICE, T0, SETTINGS)).toMatchObject({ ok: false, code: "NOT_ALLOWED_IN_STATE" });
  });
});

describe("scheduler ticks", () => {
  it("Pending stays Pending before voteStart; a tick twice equals a tick once", () => {
    const p = pending();
    const early = ok(transition(p, { type: "tick", snapshot: SNAPSHOT }, SYSTEM_ACTOR, p.voteStartMs! - 1, SETTINGS));
    expect(early.proposal).toBe(p);
    const once = ok(transition(p, { type: "tick", snapshot: SNAPSHOT, votes: [] }, SYSTEM_ACTOR, p.voteStartMs!, SETTINGS));
    const twice = ok(transition(once.proposal, { type: "tick", snapshot: SNAPSHOT, votes: [] }, SYSTEM_ACTOR, p.voteStartMs!, SETTINGS));
    expect(once.proposal.state).toBe("Active");
    expect(twice.proposal).toBe(once.proposal);
    expect(twice.events).toEqual([]);
  });

  it("a scheduler that was down through the whole vote opens and closes in one tick", () => {
    const p = pending();
    const result = ok(transition(p, { type: "tick", snapshot: SNAPSHOT, votes: [] }, SYSTEM_ACTOR, p.voteEndMs! + DAY, SETTINGS));
    expect(result.events.map((e) => e.type)).toEqual(["proposal.active", "proposal.defeated"]);
    expect(result.proposal).toMatchObject({ state: "Defeated", version: p.version + 1, outcome: { quorumReached: false, passed: false } });
  });

  it("late quorum extends the deadline; the close waits for it", () => {
    const a = active();
    const end = a.voteEndMs!;
    // Quorum first reached 2 h before the end → deadline end + 22 h (extension 1 d).
    const votes = [vote("0x1", "for", 25_000n, end - 2 * HOUR)];
    const afterEnd = ok(transition(a, { type: "tick", votes }, SYSTEM_ACTOR, end + HOUR, SETTINGS));
    expect(afterEnd.proposal).toMatchObject({ state: "Active", deadlineMs: end + 22 * HOUR, quorumReachedAtMs: end - 2 * HOUR });
    expect(afterEnd.events).toEqual([]);
    expect(dueTimedStep(afterEnd.proposal, end + HOUR)).toBeNull();
    // A late Against vote inside the extension defeats it.
    const more = [...votes, vote("0x2", "against", 40_000n, end + 10 * HOUR)];
    const closed = ok(transition(afterEnd.proposal, { type: "tick", votes: more }, SYSTEM_ACTOR, end + 22 * HOUR + 1, SETTINGS));
    expect(closed.proposal).toMatchObject({ state: "Defeated", outcome: { forPower: "25000", againstPower: "40000", majorityFor: false } });
    expect(closed.events[0]).toMatchObject({ type: "proposal.defeated", atMs: end + 22 * HOUR });
  });

  it("timelock and grace: early execute refused, executable window, expiry by tick", () => {
    const a = active();
    const succeeded = ok(transition(a, { type: "tick", votes: [vote("0x1", "for", 30_000n, a.voteStartMs!)] }, SYSTEM_ACTOR, a.voteEndMs! + 1, SETTINGS)).proposal;
    const queuedAt = a.voteEndMs! + HOUR;
    const queued = ok(transition(succeeded, { type: "queue" }, HOLDER, queuedAt, SETTINGS)).proposal;
    const early = transition(queued, { type: "execute" }, HOLDER, queuedAt + DAY - 1, SETTINGS);
    expect(early).toEqual({ ok: false, code: "TIMELOCK_NOT_ELAPSED", reason: `the timelock ends at ${new Date(queuedAt + DAY).toISOString()}` });
    expect(isExecutable(queued, queuedAt + DAY)).toBe(true);
    expect(isExecutable(queued, queuedAt + 6 * DAY)).toBe(false);
    expect(transition(queued, { type: "execute" }, HOLDER, queuedAt + 6 * DAY, SETTINGS)).toMatchObject({ ok: false, code: "GRACE_PERIOD_OVER" });
    const expired = ok(transition(queued, { type: "tick" }, SYSTEM_ACTOR, queuedAt + 6 * DAY, SETTINGS));
    expect(expired.proposal).toMatchObject({ state: "Expired", expiredAtMs: queuedAt + 6 * DAY });
    expect(expired.events.map((e) => e.type)).toEqual(["proposal.expired"]);
    expect(ok(transition(expired.proposal, { type: "tick" }, SYSTEM_ACTOR, queuedAt + 7 * DAY, SETTINGS)).proposal).toBe(expired.proposal);
    expect(transition(expired.proposal, { type: "execute" }, HOLDER, queuedAt + 7 * DAY, SETTINGS)).toMatchObject({ ok: false, code: "NOT_ALLOWED_IN_STATE" });
  });
});

describe("edits and tier", () => {
  it("new changes are re-classified: out of steward bounds → major", () => {
    const edited = ok(
      transition(draft(), { type: "edit", changes: [{ market: "ETH-USD", path: "maintenanceMarginFraction", from: 0.05, to: 0.07 }] }, PROPOSER, T0, SETTINGS),
    );
    expect(edited.proposal.tier).toBe("major");
    // A proposer may ask for the stricter level with in-bound changes…
    const stricter = ok(transition(draft(), { type: "edit", tier: "major" }, PROPOSER, T0, SETTINGS));
    expect(stricter.proposal.tier).toBe("major");
    // …but not for the milder one when the changes need a major vote.
    expect(transition(edited.proposal, { type: "edit", tier: "minor" }, PROPOSER, T0, SETTINGS)).toMatchObject({ ok: false, code: "TIER_TOO_MILD" });
  });
});

describe("canCastVote", () => {
  it("open only while Active and within the (possibly extended) deadline", () => {
    expect(canCastVote(pending(), [], T0 + 2 * DAY, SETTINGS)).toMatchObject({ ok: false, code: "VOTING_NOT_OPEN" });
    const a = active();
    const end = a.voteEndMs!;
    expect(canCastVote(a, [], end, SETTINGS)).toEqual({ ok: true, deadlineMs: end });
    expect(canCastVote(a, [], end + 1, SETTINGS)).toMatchObject({ ok: false, code: "VOTING_CLOSED" });
    // Quorum reached 1 h before the end by an existing vote: open until end + 23 h, before any tick.
    const votes = [vote("0x1", "for", 25_000n, end - HOUR)];
    expect(canCastVote(a, votes, end + 5 * HOUR, SETTINGS)).toEqual({ ok: true, deadlineMs: end + 23 * HOUR });
  });
});
