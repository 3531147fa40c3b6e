// Voting power from ERC20Votes (through an injected reader: the same calls viem makes), the
// late-quorum extension as the scheduler stores it, and volatility recommendations with previews.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Address } from "viem";
import { DEFAULT_GOVERNANCE_SETTINGS, erc20VotesSnapshotHash, frozenPowerHash } from "../../../lib/governance";
import { openTestDatabase, testDatabaseKinds, type TestDatabase } from "../../testing/databases";
import { runSchedulerOnce } from "../../workers/scheduler";
import { castVote, voteToSign } from "./cast-vote";
import { createProposal } from "./create-proposal";
import { loadProposal } from "./proposal-store";
import { reviewProposal } from "./review-proposal";
import { submitProposal } from "./submit-proposal";
import { volatilityRecommendations } from "./recommendations";
import { committee, committeeActor, DAY_MS, holders, seedGovernance, signVote, START_MS, testContext, type TestContext } from "./test-fixtures";
import { getVotingPower, importVotingPower, type Erc20VotesReader } from "./voting-power";

const TOKEN = "0x5A98FcBEA516Cf06857215779Fd812CA3beF1B32" as Address;

function fakeToken(powers: Record<string, bigint>, totalSupply: bigint): Erc20VotesReader & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    chainId: 31337,
    token: TOKEN,
    snapshotBlock: async () => 19_999_999n,
    totalSupplyAt: async (block) => {
      calls.push(`getPastTotalSupply(${block})`);
      return totalSupply;
    },
    votesAt: async (address, block) => {
      calls.push(`getPastVotes(${address},${block})`);
      return powers[address] ?? 0n;
    },
  };
}

async function activeProposal(db: TestDatabase["prisma"], ctx: TestContext) {
  const proposal = await createProposal(db, ctx, { proposer: committee[0].address, title: "t", rationaleMarkdown: "", changes: [{ market: "ETH-USD", path: "maintenanceMarginFraction", to: 0.033 }] });
  await submitProposal(db, ctx, { proposalId: proposal.id, actor: committeeActor(0) });
  await reviewProposal(db, ctx, { proposalId: proposal.id, actor: committeeActor(1), decision: { type: "approve" } });
  await reviewProposal(db, ctx, { proposalId: proposal.id, actor: committeeActor(2), decision: { type: "approve" } });
  ctx.clock.nowMs = START_MS + DAY_MS;
  await runSchedulerOnce(db, ctx);
  return (await loadProposal(db, proposal.id)).proposal;
}

describe.each(testDatabaseKinds())("voting sources and timing (%s)", (kind) => {
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

  it("freezes ERC20Votes power at the block before the vote and reads each voter there once", async () => {
    const db = database.prisma;
    const token = fakeToken({ [holders[0].address]: 5_000n * 10n ** 18n }, 100_000n * 10n ** 18n);
    ctx.erc20Votes = token;
    const proposal = await activeProposal(db, ctx);
    expect(proposal.state).toBe("Active");
    expect(proposal.totalVotingPower).toBe((100_000n * 10n ** 18n).toString());
    const source = { id: `erc20votes:31337:${TOKEN}:19999999`, kind: "erc20votes" as const, label: "", hash: erc20VotesSnapshotHash(31337, TOKEN, 19_999_999n), blockNumber: 19_999_999n };
    expect(proposal.powerSnapshot).toBe(frozenPowerHash(proposal.id, [source]));
    const toSign = await voteToSign(db, ctx, { proposalId: proposal.id, voter: holders[0].address, choice: "for" });
    expect(toSign.power).toBe(5_000n * 10n ** 18n);
    const signature = await signVote(0, { proposalId: proposal.id, choice: "for", power: toSign.power, powerSnapshot: proposal.powerSnapshot! });
    await castVote(db, ctx, { proposalId: proposal.id, voter: holders[0].address, choice: "for", signature });
    // Read once at the frozen block, then stored beside the proposal.
    expect(token.calls.filter((call) => call.startsWith("getPastVotes"))).toEqual([`getPastVotes(${holders[0].address},19999999)`]);
    expect(await db.proposalVoterPower.count({ where: { proposalId: proposal.id } })).toBe(1);
    // A holder without tokens at that block cannot vote.
    const none = await signVote(1, { proposalId: proposal.id, choice: "for", power: 0n, powerSnapshot: proposal.powerSnapshot! });
    await expect(castVote(db, ctx, { proposalId: proposal.id, voter: holders[1].address, choice: "for", signature: none })).rejects.toMatchObject({ code: "FORBIDDEN" });
  });

  it("a quorum reached late extends the deadline (GovernorPreventLateQuorum), stored by the scheduler", async () => {
    const db = database.prisma;
    const proposal = await activeProposal(db, ctx);
    // Minor level: voting 3 days, extension 1 day. Quorum (2 % of 1000 = 20) first reached 1 h before the end.
    const voteEndMs = proposal.voteEndMs!;
    ctx.clock.nowMs = voteEndMs - 3_600_000;
    const signature = await signVote(2, { proposalId: proposal.id, choice: "for", power: 100n, powerSnapshot: proposal.powerSnapshot! });
    const cast = await castVote(db, ctx, { proposalId: proposal.id, voter: holders[2].address, choice: "for", signature });
    expect(cast.deadlineMs).toBe(voteEndMs - 3_600_000 + DAY_MS);
    // Past the original end, still Active: the tick records the extension instead of closing.
    ctx.clock.nowMs = voteEndMs + 1;
    await runSchedulerOnce(db, ctx);
    const extended = (await loadProposal(db, proposal.id)).proposal;
    expect(extended.state).toBe("Active");
    expect(extended.deadlineMs).toBe(voteEndMs - 3_600_000 + DAY_MS);
    expect((await db.proposal.findUniqueOrThrow({ where: { id: proposal.id } })).deadlineAt?.getTime()).toBe(extended.deadlineMs);
    // A vote in the extension counts; after it the vote closes.
    const late = await signVote(1, { proposalId: proposal.id, choice: "against", power: 300n, powerSnapshot: proposal.powerSnapshot! });
    await castVote(db, ctx, { proposalId: proposal.id, voter: holders[1].address, choice: "against", signature: late });
    ctx.clock.nowMs = extended.deadlineMs! + 1;
    await runSchedulerOnce(db, ctx);
    expect((await loadProposal(db, proposal.id)).proposal).toMatchObject({ state: "Defeated", outcome: { forPower: "100", againstPower: "300", passed: false } });
  });

  it("recommends raising a maintenance fraction the live volatility floor exceeds, with its preview", async () => {
    const db = database.prisma;
    // ETH-USD has no volatilityMargin: default scan z 2.326348 over 8 h. σ = 0.9 → floor
    // 2.326348 · 0.9 · √(8/8766) = 6.33 % > 3 %, above the steward bound: a proposal.
    const recommendations = await volatilityRecommendations(db, ctx, { liveAnnualVolatility: { "ETH-USD": 0.9, "BTC-USD": 0.2 } });
    expect(recommendations.map((r) => r.market)).toEqual(["ETH-USD"]);
    const eth = recommendations[0];
    expect(eth.floorFraction).toBeCloseTo(2.326348 * 0.9 * Math.sqrt(8 / 8766), 12);
    expect(eth.kind).toBe("proposal");
    expect(eth.changes.find((c) => c.path === "maintenanceMarginFraction")?.to).toBe(0.064);
    expect(DEFAULT_GOVERNANCE_SETTINGS.steward.bounds.maintenanceMarginFraction.maxChangeAbsolute).toBe(0.005);
    // 10 ETH at 3000 with 1000 collateral: maintenance 6.4 % = 1 920 > 1 000 → liquidatable.
    expect(eth.preview?.summary.newlyLiquidatable).toBe(1);
  });
});

describe.each(testDatabaseKinds())("voting-power import (%s)", (kind) => {
  let database: TestDatabase;
  beforeEach(async () => {
    database = await openTestDatabase(kind);
  });
  afterEach(async () => {
    await database.dispose();
  });

  it("imports JSON with 18-decimal powers exactly and refuses bad rows with their line", async () => {
    const db = database.prisma;
    const big = "123456789012345678901234567"; // > 2^53: exact only as a string and NUMERIC(78,0)
    const text = JSON.stringify({ blockNumber: 21000000, timestamp: "2026-11-01T00:00:00Z", powers: { [holders[0].address]: big, [holders[1].address]: "5" } }, null, 2);
    const imported = await importVotingPower(db, { name: "json", format: "json", text, createdBy: "admin" });
    expect(imported).toMatchObject({ entries: 2, totalPower: BigInt(big) + 5n, blockNumber: 21_000_000n, takenAt: new Date("2026-11-01T00:00:00Z") });
    const row = await db.votingPowerEntry.findUniqueOrThrow({ where: { snapshotId_address: { snapshotId: imported.id, address: holders[0].address } } });
    expect(row.power.toFixed(0)).toBe(big);
    const power = await getVotingPower(db, { address: holders[0].address.toLowerCase() });
    expect(power.breakdown.totalPower).toBe(BigInt(big));

    const bad = `address,power\n${holders[0].address},10\n0x1234,5\n${holders[0].address},7\n`;
    const error = await importVotingPower(db, { name: "bad", format: "csv", text: bad, createdBy: "admin" }).then(
      () => null,
      (e: { code: string; issues: { path: string; reason: string }[] }) => e,
    );
    expect(error?.code).toBe("BAD_REQUEST");
    expect(error?.issues.map((i) => i.path)).toEqual(["line 3", "line 4"]);
    expect(error?.issues[1].reason).toContain("duplicate address");
    expect(await db.votingPowerSnapshot.count()).toBe(1);
    expect(await db.auditLog.count({ where: { action: "votingPower.import" } })).toBe(1);
  });
});
