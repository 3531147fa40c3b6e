// Casting a vote: For / Against / Abstain with an optional reason, as an EIP-712 signature over
// (proposal id, choice, frozen power, power snapshot hash, reason hash) that is stored with the
// vote so anyone can verify it. A new vote by the same voter while Active replaces the old one.
//
// One voter, one counted vote, under concurrency: the row's primary key is (proposalId, voter) and
// the write is one INSERT … ON CONFLICT DO UPDATE, so concurrent casts by one voter leave exactly
// one row (the latest cast wins, as lib/governance's tally counts the latest vote).
import { getAddress, type Address, type Hex } from "viem";
import { canCastVote, reasonHash, verifyVoteSignature, voteDigest, voteTypedData, VOTE_CHOICES, type VoteChoice } from "../../../lib/governance";
import { AppError } from "../../errors";
import type { Db } from "../../db";
import type { GovernanceContext } from "./context";
import { storedVotes } from "./advance-proposal";
import { loadProposal } from "./proposal-store";
import { frozenPowerOf } from "./voting-power";

export const VOTE_REASON_MAX_LENGTH = 5_000;

/** What the voter's wallet signs: typed data with the voter's frozen power (bigints kept). */
export async function voteToSign(db: Db, ctx: GovernanceContext, input: { proposalId: string; voter: string; choice: VoteChoice; reason?: string }) {
  const { row, proposal } = await loadProposal(db, input.proposalId);
  if (proposal.state !== "Active" || !proposal.powerSnapshot) throw new AppError("CONFLICT", `voting is not open while ${proposal.state}`);
  const voter = getAddress(input.voter);
  const power = await frozenPowerOf(db, proposal.id, voter, row.powerSources, ctx.erc20Votes);
  const message = { proposalId: proposal.id, choice: input.choice, power, powerSnapshot: proposal.powerSnapshot, reason: input.reason ?? "", chainId: ctx.chainId };
  return { typedData: voteTypedData(message), digest: voteDigest(message), power, powerSnapshot: proposal.powerSnapshot };
}

export async function castVote(
  db: Db,
  ctx: GovernanceContext,
  input: { proposalId: string; voter: string; choice: VoteChoice; reason?: string; signature: Hex },
): Promise<{ voter: Address; choice: VoteChoice; power: bigint; digest: Hex; replaced: boolean; deadlineMs: number }> {
  if (!VOTE_CHOICES.includes(input.choice)) throw new AppError("BAD_REQUEST", `choice: expected one of ${VOTE_CHOICES.join(", ")}`);
  if ((input.reason ?? "").length > VOTE_REASON_MAX_LENGTH) throw new AppError("BAD_REQUEST", `reason: at most ${VOTE_REASON_MAX_LENGTH} characters`);
  const { row, proposal } = await loadProposal(db, input.proposalId);
  const settings = await ctx.settings(db);
  const nowMs = ctx.nowMs();
  const existing = await storedVotes(db, proposal.id);
  const allowed = canCastVote(proposal, existing, nowMs, settings);
  if (!allowed.ok) throw new AppError("CONFLICT", allowed.reason);
  if (!proposal.powerSnapshot) throw new AppError("INTERNAL", "voting is open without a frozen power snapshot");
  const voter = getAddress(input.voter);
  const power = await frozenPowerOf(db, proposal.id, voter, row.powerSources, ctx.erc20Votes);
  if (power === 0n) throw new AppError("FORBIDDEN", `${voter} had no voting power in this proposal's snapshot`);
  const reason = input.reason ?? "";
  const message = { proposalId: proposal.id, choice: input.choice, power, powerSnapshot: proposal.powerSnapshot, reason, chainId: ctx.chainId };
  if (!(await verifyVoteSignature({ ...message, voter, signature: input.signature }))) {
    throw new AppError("BAD_REQUEST", "signature: not a signature by the voter over this proposal, choice, power, snapshot and reason", {
      issues: [{ path: "signature", reason: "does not verify against the voter's frozen power and this proposal's snapshot" }],
    });
  }
  const digest = voteDigest(message);
  const typedData = { ...voteTypedData(message), message: { ...voteTypedData(message).message, power: power.toString() }, reason, digest };
  const castAt = new Date(nowMs);
  // xmax = 0 on the returned row means it was inserted, not updated (PostgreSQL system column).
  const result = await db.$queryRaw<{ inserted: boolean }[]>`
    INSERT INTO "Vote" ("proposalId", "voter", "choice", "power", "reason", "signature", "typedData", "castAt")
    VALUES (${proposal.id}, ${voter}, ${input.choice}, ${power.toString()}::numeric, ${reason || null}, ${input.signature}, ${JSON.stringify(typedData)}::jsonb, ${castAt})
    ON CONFLICT ("proposalId", "voter") DO UPDATE SET
      "choice" = EXCLUDED."choice", "power" = EXCLUDED."power", "reason" = EXCLUDED."reason",
      "signature" = EXCLUDED."signature", "typedData" = EXCLUDED."typedData", "castAt" = EXCLUDED."castAt"
      WHERE "Vote"."castAt" <= EXCLUDED."castAt"
    RETURNING (xmax = 0) AS inserted`;
  const replaced = result.length === 0 || !result[0].inserted;
  // The deadline after this vote: a vote that first reaches quorum late extends it.
  const after = canCastVote(proposal, await storedVotes(db, proposal.id), nowMs, settings);
  const deadlineMs = after.ok ? after.deadlineMs : allowed.deadlineMs;
  ctx.publishProposalEvent({ type: "proposal.vote_cast", proposalId: proposal.id, at: nowMs, data: { voter, choice: input.choice, power: power.toString(), replaced } });
  return { voter, choice: input.choice, power, digest, replaced, deadlineMs };
}

/** Votes of a proposal with power and reasons, and whether each stored signature verifies. */
export async function listVotes(db: Db, ctx: Pick<GovernanceContext, "chainId">, input: { proposalId: string; verify?: boolean }) {
  const { proposal } = await loadProposal(db, input.proposalId);
  const rows = await db.vote.findMany({ where: { proposalId: input.proposalId }, orderBy: [{ power: "desc" }, { voter: "asc" }] });
  return Promise.all(
    rows.map(async (row) => {
      const power = BigInt(row.power.toFixed(0));
      const choice = row.choice as VoteChoice;
      const verified =
        input.verify && proposal.powerSnapshot
          ? await verifyVoteSignature({ proposalId: row.proposalId, choice, power, powerSnapshot: proposal.powerSnapshot, reason: row.reason ?? "", chainId: ctx.chainId, voter: row.voter as Address, signature: row.signature as Hex })
          : null;
      return { voter: row.voter, choice, power, reason: row.reason, reasonHash: reasonHash(row.reason ?? ""), signature: row.signature, typedData: row.typedData, castAt: row.castAt, verified };
    }),
  );
}
