// Governance services end to end on a real database (PGlite, and PostgreSQL when TEST_DATABASE_URL
// is set): draft → review → vote → timelock → execution into parameter-set v2, the races the brief
// names (two executors, one voter casting concurrently), steward bounds and expiry.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openTestDatabase, testDatabaseKinds, type TestDatabase } from "../../testing/databases";
import { AppError } from "../../errors";
import { runSchedulerOnce } from "../../workers/scheduler";
import { castVote, listVotes, voteToSign } from "./cast-vote";
import { cancelProposal } from "./cancel-proposal";
import { createProposal, updateProposal } from "./create-proposal";
import { executeProposal } from "./execute-proposal";
import { getProposal } from "./get-proposal";
import { loadActiveParameterSet } from "./parameter-sets";
import { loadProposal } from "./proposal-store";
import { reviewProposal } from "./review-proposal";
import { setStewardPaused } from "./settings";
import { applyStewardUpdate } from "./steward-update";
import { submitProposal } from "./submit-proposal";
import { getVotingPower } from "./voting-power";
import { committee, committeeActor, DAY_MS, holders, seedGovernance, signVote, START_MS, testContext, type TestContext } from "./test-fixtures";

async function rejection(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error("expected a rejection");
}

/** Draft by committee member 0, approved by 1 and 2 (2-of-3): Pending. */
async function pendingProposal(db: TestDatabase["prisma"], ctx: TestContext, to = 0.033) {
  const proposal = await createProposal(db, ctx, {
    proposer: committee[0].address,
    title: "Raise ETH maintenance",
    rationaleMarkdown: "Volatility is up.",
    changes: [{ market: "ETH-USD", path: "maintenanceMarginFraction", to }],
  });
  await submitProposal(db, ctx, { proposalId: proposal.id, actor: committeeActor(0) });
  await reviewProposal(db, ctx, { proposalId: proposal.id, actor: committeeActor(1), decision: { type: "approve" } });
  return reviewProposal(db, ctx, { proposalId: proposal.id, actor: committeeActor(2), decision: { type: "approve" } });
}

async function vote(db: TestDatabase["prisma"], ctx: TestContext, holderIndex: number, proposalId: string, choice: "for" | "against" | "abstain", reason?: string) {
  const toSign = await voteToSign(db, ctx, { proposalId, voter: holders[holderIndex].address, choice, reason });
  const signature = await signVote(holderIndex, { proposalId, choice, power: toSign.power, powerSnapshot: toSign.powerSnapshot, reason });
  return castVote(db, ctx, { proposalId, voter: holders[holderIndex].address, choice, reason, signature });
}

describe.each(testDatabaseKinds())("governance services (%s)", (kind) => {
  let database: TestDatabase;
  let ctx: TestContext;
  beforeEach(async () => {
    database = await openTestDatabase(kind);
    ctx = testContext();
    await seedGovernance(database.prisma);
  });
  afterEach(async () => {
    await database.dispose();
  });

  it("runs draft → review → vote → timelock → execution into v2, with previews and events", async () => {
    const db = database.prisma;
    const invalid = await rejection(
      createProposal(db, ctx, { proposer: committee[0].address, title: "Bad", rationaleMarkdown: "", changes: [{ market: "ETH-USD", path: "maintenanceMarginFraction", to: 0.06 }] }),
    );
    expect(invalid.code).toBe("BAD_REQUEST");
    expect(invalid.issues?.[0].path).toBe('markets["ETH-USD"].maintenanceMarginFraction');

    const draft = await createProposal(db, ctx, {
      proposer: committee[0].address,
      title: "Raise ETH maintenance",
      rationaleMarkdown: "Volatility is up.",
      changes: [{ market: "ETH-USD", path: "maintenanceMarginFraction", to: 0.033 }],
    });
    // 0.03 → 0.033 is within the steward bound ±0.005 absolute: minor (Aave Level 1).
    expect(draft.tier).toBe("minor");
    expect(draft.changes).toEqual([{ market: "ETH-USD", path: "maintenanceMarginFraction", from: 0.03, to: 0.033 }]);

    // A larger change is major; an edit re-classifies it and resets approvals.
    await submitProposal(db, ctx, { proposalId: draft.id, actor: committeeActor(0) });
    const approvedOnce = await reviewProposal(db, ctx, { proposalId: draft.id, actor: committeeActor(1), decision: { type: "approve" } });
    expect(approvedOnce.approvals).toHaveLength(1);
    const edited = await updateProposal(db, ctx, { proposalId: draft.id, actor: committeeActor(0), changes: [{ market: "ETH-USD", path: "maintenanceMarginFraction", to: 0.04 }] });
    expect(edited.tier).toBe("major");
    expect(edited.approvals).toEqual([]);
    const back = await updateProposal(db, ctx, { proposalId: draft.id, actor: committeeActor(0), changes: [{ market: "ETH-USD", path: "maintenanceMarginFraction", to: 0.033 }] });
    expect(back.tier).toBe("minor");
    await reviewProposal(db, ctx, { proposalId: draft.id, actor: committeeActor(1), decision: { type: "approve" } });
    const pending = await reviewProposal(db, ctx, { proposalId: draft.id, actor: committeeActor(2), decision: { type: "approve" } });
    expect(pending.state).toBe("Pending");
    expect(pending.voteStartMs).toBe(START_MS + DAY_MS);
    expect((await rejection(updateProposal(db, ctx, { proposalId: draft.id, actor: committeeActor(0), title: "late" }))).code).toBe("CONFLICT");

    // The scheduler opens the vote a day later and freezes the imported power (600 + 300 + 100).
    ctx.clock.nowMs = START_MS + DAY_MS;
    const opened = await runSchedulerOnce(db, ctx);
    expect(opened.advanced.map((a) => [a.from, a.to])).toEqual([["Pending", "Active"]]);
    const active = (await loadProposal(db, draft.id)).proposal;
    expect(active.totalVotingPower).toBe("1000");
    expect(await db.proposalVoterPower.count({ where: { proposalId: draft.id } })).toBe(3);
    const power = await getVotingPower(db, { address: holders[1].address, proposalId: draft.id });
    expect(power.frozen).toBe(true);
    expect(power.breakdown.totalPower).toBe(300n);
    expect(power.breakdown.shareOfTotalBps).toBe(3000);

    // Votes: a signature over another power does not verify; changing a vote replaces it.
    const forged = await signVote(0, { proposalId: draft.id, choice: "for", power: 6000n, powerSnapshot: active.powerSnapshot! });
    expect((await rejection(castVote(db, ctx, { proposalId: draft.id, voter: holders[0].address, choice: "for", signature: forged }))).code).toBe("BAD_REQUEST");
    await vote(db, ctx, 0, draft.id, "against");
    const replaced = await vote(db, ctx, 0, draft.id, "for", "convinced by the preview");
    expect(replaced.replaced).toBe(true);
    await vote(db, ctx, 1, draft.id, "against");
    await vote(db, ctx, 2, draft.id, "abstain");
    const votes = await listVotes(db, ctx, { proposalId: draft.id, verify: true });
    expect(votes.map((v) => [v.choice, v.power, v.verified])).toEqual([
      ["for", 600n, true],
      ["against", 300n, true],
      ["abstain", 100n, true],
    ]);
    expect(votes[0].reason).toBe("convinced by the preview");

    // Closing: For 600 > Against 300, quorum 2 % = 20, differential 0.5 % = 5 → Succeeded → queued.
    ctx.clock.nowMs = START_MS + DAY_MS + 3 * DAY_MS + 1;
    const closed = await runSchedulerOnce(db, ctx);
    expect(closed.advanced[0]).toMatchObject({ from: "Active", to: "Queued", events: ["proposal.succeeded", "proposal.queued"] });
    const early = await rejection(executeProposal(db, ctx, { proposalId: draft.id, actor: committeeActor(1) }));
    expect(early.code).toBe("PRECONDITION_FAILED");

    // After the 1-day timelock the scheduler executes: ETH-USD v2 with the new fraction, v1 inactive.
    ctx.clock.nowMs += DAY_MS;
    const executed = await runSchedulerOnce(db, ctx);
    expect(executed.advanced[0]).toMatchObject({ from: "Queued", to: "Executed" });
    const { set, versions } = await loadActiveParameterSet(db);
    expect(set.markets["ETH-USD"].maintenanceMarginFraction).toBe(0.033);
    expect(set.markets["ETH-USD"].fundingClamp).toEqual({ maxRatePerHour: 0.04 });
    expect(versions["ETH-USD"].version).toBe(2);
    expect(versions["BTC-USD"].version).toBe(1);
    expect(await db.parameterSet.count({ where: { marketId: "ETH-USD", active: true } })).toBe(1);
    expect(ctx.activations).toEqual([expect.objectContaining({ market: "ETH-USD", version: 2 })]);

    const detail = await getProposal(db, ctx, { proposalId: draft.id, viewer: null });
    expect(detail.transitions.map((t) => t.toState)).toEqual([
      "Draft",
      "CommitteeReview",
      "CommitteeReview",
      "CommitteeReview",
      "CommitteeReview",
      "CommitteeReview",
      "Pending",
      "Active",
      "Succeeded",
      "Queued",
      "Executed",
    ]);
    // Every transition carries the preview it was judged on: 10 ETH at 3000 with 1000 collateral is
    // healthy at 3 % (900) and at 3.3 % (990) — no account becomes liquidatable.
    const submitted = detail.transitions.find((t) => t.event === "proposal.submitted")!;
    expect(submitted.preview).toMatchObject({ snapshotId: expect.any(Number), marks: { "ETH-USD": 3000 }, summary: { newlyLiquidatable: 0 } });
    expect(detail.reviews.map((r) => r.decision)).toEqual(["approve", "approve", "approve"]);
    expect(detail.tally).toMatchObject({ forPower: 600n, againstPower: 300n, passed: true });
    expect(await db.auditLog.count({ where: { action: "proposal.execute", target: draft.id } })).toBe(1);
    expect(ctx.proposalEvents.map((e) => e.type)).toContain("proposal.executed");
    expect(ctx.outbox.filter((e) => e.type === "proposal.executed")).toHaveLength(1);
  });

  it("stores the preview that shows a change making an account liquidatable", async () => {
    const db = database.prisma;
    // 3.5 % of 30 000 = 1 050 > equity 1 000: acct-near becomes liquidatable (major: 0.005 is the bound, 0.035 − 0.03 is exactly at it).
    const proposal = await createProposal(db, ctx, { proposer: committee[0].address, title: "t", rationaleMarkdown: "", changes: [{ market: "ETH-USD", path: "maintenanceMarginFraction", to: 0.036 }] });
    const preview = await ctx.preview(db, proposal.changes);
    expect(preview?.stored.summary.newlyLiquidatable).toBe(1);
    expect(preview?.stored.summary.liquidatable).toEqual({ current: 0, proposed: 1 });
    const created = await db.proposalTransition.findFirstOrThrow({ where: { proposalId: proposal.id } });
    expect((created.preview as { summary: { newlyLiquidatable: number } }).summary.newlyLiquidatable).toBe(1);
  });

  it("two executors at once: one execution, one version, the other gets CONFLICT", async () => {
    const db = database.prisma;
    const pending = await pendingProposal(db, ctx);
    ctx.clock.nowMs = START_MS + DAY_MS;
    await runSchedulerOnce(db, ctx);
    await vote(db, ctx, 0, pending.id, "for");
    ctx.clock.nowMs = START_MS + 4 * DAY_MS + 1;
    await runSchedulerOnce(db, ctx, { autoExecute: false });
    expect((await loadProposal(db, pending.id)).proposal.state).toBe("Queued");
    ctx.clock.nowMs += DAY_MS;
    // Both executors read the same Queued version before either writes: only the CAS can decide.
    const stale = (await loadProposal(db, pending.id)).proposal;
    const results = await Promise.allSettled([
      executeProposal(db, ctx, { proposalId: pending.id, actor: committeeActor(1), loaded: stale }),
      executeProposal(db, ctx, { proposalId: pending.id, actor: committeeActor(2), loaded: stale }),
      runSchedulerOnce(db, ctx),
    ]);
    const executions = results.slice(0, 2).filter((r) => r.status === "fulfilled");
    const refusals = results.slice(0, 2).filter((r) => r.status === "rejected").map((r) => ((r as PromiseRejectedResult).reason as AppError).code);
    const schedulerExecuted = results[2].status === "fulfilled" && results[2].value.advanced.some((a) => a.to === "Executed" && a.events.includes("proposal.executed"));
    expect(executions.length + (schedulerExecuted ? 1 : 0)).toBe(1);
    expect(refusals.every((code) => code === "CONFLICT")).toBe(true);
    expect(await db.parameterSet.count({ where: { marketId: "ETH-USD" } })).toBe(2);
    expect(await db.proposalTransition.count({ where: { proposalId: pending.id, toState: "Executed" } })).toBe(1);
    expect(await db.auditLog.count({ where: { action: "proposal.execute" } })).toBe(1);
    expect(ctx.activations).toHaveLength(1);
  });

  it("two members approving at once both count; one member approving twice counts once", async () => {
    const db = database.prisma;
    const draft = await createProposal(db, ctx, { proposer: committee[0].address, title: "t", rationaleMarkdown: "", changes: [{ market: "ETH-USD", path: "maintenanceMarginFraction", to: 0.033 }] });
    await submitProposal(db, ctx, { proposalId: draft.id, actor: committeeActor(0) });
    const stale = (await loadProposal(db, draft.id)).proposal;
    await Promise.all([
      reviewProposal(db, ctx, { proposalId: draft.id, actor: committeeActor(1), decision: { type: "approve" } }),
      reviewProposal(db, ctx, { proposalId: draft.id, actor: committeeActor(1), decision: { type: "approve" } }),
      reviewProposal(db, ctx, { proposalId: draft.id, actor: committeeActor(2), decision: { type: "approve" } }),
    ]);
    const after = (await loadProposal(db, draft.id)).proposal;
    expect(after.state).toBe("Pending");
    expect([...after.approvals].sort()).toEqual([committee[1].address.toLowerCase(), committee[2].address.toLowerCase()].sort());
    expect(after.version).toBe(stale.version + 2);
    expect(await db.review.count({ where: { proposalId: draft.id } })).toBe(2);
  });

  it("one voter casting concurrently: one stored, one counted vote", async () => {
    const db = database.prisma;
    const pending = await pendingProposal(db, ctx);
    ctx.clock.nowMs = START_MS + DAY_MS;
    await runSchedulerOnce(db, ctx);
    const { powerSnapshot } = (await loadProposal(db, pending.id)).proposal;
    const choices = ["for", "against", "abstain", "for", "against", "for"] as const;
    const signatures = await Promise.all(choices.map((choice) => signVote(1, { proposalId: pending.id, choice, power: 300n, powerSnapshot: powerSnapshot! })));
    const results = await Promise.allSettled(choices.map((choice, i) => castVote(db, ctx, { proposalId: pending.id, voter: holders[1].address, choice, signature: signatures[i] })));
    expect(results.filter((r) => r.status === "rejected")).toEqual([]);
    expect(await db.vote.count({ where: { proposalId: pending.id } })).toBe(1);
    const detail = await getProposal(db, ctx, { proposalId: pending.id, viewer: null });
    expect(detail.tally!.votes).toBe(1);
    const counted = detail.tally!.forPower + detail.tally!.againstPower + detail.tally!.abstainPower;
    expect(counted).toBe(300n);
  });

  it("expires a queued proposal after the grace period; cancels and vetoes are audited", async () => {
    const db = database.prisma;
    const pending = await pendingProposal(db, ctx);
    ctx.clock.nowMs = START_MS + DAY_MS;
    await runSchedulerOnce(db, ctx);
    await vote(db, ctx, 0, pending.id, "for");
    ctx.clock.nowMs = START_MS + 4 * DAY_MS + 1;
    await runSchedulerOnce(db, ctx, { autoExecute: false });
    // Timelock 1 day + grace 5 days after queueing.
    ctx.clock.nowMs += 6 * DAY_MS;
    const expired = await runSchedulerOnce(db, ctx, { autoExecute: false });
    expect(expired.advanced[0]).toMatchObject({ from: "Queued", to: "Expired" });
    expect(await db.parameterSet.count({ where: { marketId: "ETH-USD" } })).toBe(1);
    // A second pass at the same time changes nothing (idempotent).
    expect((await runSchedulerOnce(db, ctx)).advanced).toEqual([]);

    // Request changes sends it back to Draft with the comment; resubmitting starts a new review.
    const revised = await createProposal(db, ctx, { proposer: committee[0].address, title: "r", rationaleMarkdown: "", changes: [{ market: "BTC-USD", path: "liquidationPenalty", to: 0.006 }] });
    await submitProposal(db, ctx, { proposalId: revised.id, actor: committeeActor(0) });
    expect((await rejection(reviewProposal(db, ctx, { proposalId: revised.id, actor: committeeActor(1), decision: { type: "requestChanges", comment: " " } }))).code).toBe("BAD_REQUEST");
    const sentBack = await reviewProposal(db, ctx, { proposalId: revised.id, actor: committeeActor(1), decision: { type: "requestChanges", comment: "explain the penalty" } });
    expect(sentBack.state).toBe("Draft");
    expect(await db.review.findMany({ where: { proposalId: revised.id }, select: { decision: true, comment: true, revision: true } })).toEqual([{ decision: "request_changes", comment: "explain the penalty", revision: 1 }]);
    await cancelProposal(db, ctx, { proposalId: revised.id, actor: committeeActor(0) });
    expect(await db.auditLog.count({ where: { action: "proposal.cancel", target: revised.id } })).toBe(1);

    const other = await createProposal(db, ctx, { proposer: committee[0].address, title: "x", rationaleMarkdown: "", changes: [{ market: "BTC-USD", path: "liquidationPenalty", to: 0.006 }] });
    expect((await rejection(cancelProposal(db, ctx, { proposalId: other.id, actor: { address: holders[0].address, roles: [] } }))).code).toBe("FORBIDDEN");
    await reviewProposal(db, ctx, { proposalId: other.id, actor: committeeActor(1), decision: { type: "veto", reason: "unsafe" } }).catch((e: AppError) => {
      throw e;
    });
    const vetoed = (await loadProposal(db, other.id)).proposal;
    expect(vetoed).toMatchObject({ state: "Canceled", vetoed: true, cancelReason: "unsafe" });
    expect(await db.auditLog.count({ where: { action: "proposal.veto", target: other.id } })).toBe(1);
  });

  it("steward updates: within bounds applies v2; debounce, range and pause refuse; all audited", async () => {
    const db = database.prisma;
    const applied = await applyStewardUpdate(db, ctx, { actor: committee[0].address, changes: [{ market: "ETH-USD", path: "maintenanceMarginFraction", to: 0.034 }] });
    expect(applied.activated).toEqual([expect.objectContaining({ market: "ETH-USD", version: 2 })]);
    expect((await loadActiveParameterSet(db)).set.markets["ETH-USD"].maintenanceMarginFraction).toBe(0.034);
    const debounced = await rejection(applyStewardUpdate(db, ctx, { actor: committee[1].address, changes: [{ market: "ETH-USD", path: "maintenanceMarginFraction", to: 0.035 }] }));
    expect(debounced.issues?.[0].reason).toMatch(/^DebounceNotRespected/);
    const outOfRange = await rejection(applyStewardUpdate(db, ctx, { actor: committee[1].address, changes: [{ market: "BTC-USD", path: "maintenanceMarginFraction", to: 0.03 }] }));
    expect(outOfRange.issues?.[0]).toMatchObject({ path: 'markets["BTC-USD"].maintenanceMarginFraction', reason: expect.stringMatching(/^UpdateNotInRange/) });
    await setStewardPaused(db, { paused: true, actor: committee[2].address, reason: "incident" });
    const paused = await rejection(applyStewardUpdate(db, ctx, { actor: committee[1].address, changes: [{ market: "BTC-USD", path: "maintenanceMarginFraction", to: 0.021 }] }));
    expect(paused.message).toMatch(/^StewardPaused/);
    // 3 days later (the bound's minDelay) and unpaused, the same parameter may move again.
    await setStewardPaused(db, { paused: false, actor: committee[2].address });
    ctx.clock.nowMs += 3 * DAY_MS;
    await applyStewardUpdate(db, ctx, { actor: committee[1].address, changes: [{ market: "ETH-USD", path: "maintenanceMarginFraction", to: 0.035 }] });
    expect(await db.stewardUpdate.count()).toBe(2);
    expect((await db.auditLog.findMany({ orderBy: { id: "asc" }, where: { action: { startsWith: "steward." } } })).map((a) => a.action)).toEqual([
      "steward.update",
      "steward.pause",
      "steward.unpause",
      "steward.update",
    ]);
  });
});
