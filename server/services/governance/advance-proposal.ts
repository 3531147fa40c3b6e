// Time-driven transitions of one proposal, as the scheduler runs them: open the vote (freezing the
// voting power in the same transaction), close it (tally with every stored vote, late-quorum
// extension included), expire it after the grace period; then, as Aave/OpenZeppelin allow anyone
// to, queue a Succeeded proposal and execute a Queued one whose timelock is over.
// Idempotent and race-free: each step is a CAS on the version; a lost race is "someone else did it".
import { dueTimedStep, isExecutable, SYSTEM_ACTOR, type CastVote, type Proposal, type VoteChoice } from "../../../lib/governance";
import type { Prisma } from "../../../generated/prisma/client";
import { AppError } from "../../errors";
import type { Db } from "../../db";
import type { GovernanceContext } from "./context";
import { safePreview } from "./create-proposal";
import { executeProposal, queueProposal } from "./execute-proposal";
import { applyProposalAction, loadProposal } from "./proposal-store";
import { preparePowerFreeze } from "./voting-power";

export type AdvanceOptions = { autoQueue?: boolean; autoExecute?: boolean };
export type AdvanceResult = { proposalId: string; from: string; to: string; events: string[]; note?: string };

export async function storedVotes(db: Db, proposalId: string): Promise<CastVote[]> {
  const rows = await db.vote.findMany({ where: { proposalId }, orderBy: { castAt: "asc" } });
  return rows.map((row) => ({ voter: row.voter, choice: row.choice as VoteChoice, power: BigInt(row.power.toFixed(0)), castAtMs: row.castAt.getTime() }));
}

function lostRace(error: unknown): boolean {
  return error instanceof AppError && error.code === "CONFLICT";
}

export async function advanceProposal(db: Db, ctx: GovernanceContext, proposalId: string, options: AdvanceOptions = {}): Promise<AdvanceResult> {
  const { autoQueue = true, autoExecute = true } = options;
  let { proposal } = await loadProposal(db, proposalId);
  const from = proposal.state;
  const events: string[] = [];
  let note: string | undefined;
  try {
    const step = dueTimedStep(proposal, ctx.nowMs());
    if (step) {
      const freeze = step === "open" ? await preparePowerFreeze(db, proposal, ctx.erc20Votes) : null;
      if (step === "open" && !freeze) {
        note = "voting cannot open: no voting-power snapshot is imported";
      } else {
        const votes = step === "open" ? [] : await storedVotes(db, proposalId);
        const preview = await safePreview(db, ctx, proposal.changes);
        const applied = await applyProposalAction(db, ctx, {
          proposalId,
          loaded: proposal,
          actor: SYSTEM_ACTOR,
          preview,
          action: { type: "tick", votes, ...(freeze ? { snapshot: { totalPower: freeze.totalPower, powerSnapshot: freeze.powerSnapshot } } : {}) },
          inTransaction: freeze
            ? async (tx) => {
                await freeze.write(tx);
                const snapshotId = freeze.sources.find((source) => source.snapshotId !== undefined)?.snapshotId ?? null;
                await tx.proposal.update({ where: { id: proposalId }, data: { powerSources: freeze.sources as unknown as Prisma.InputJsonValue, powerSnapshotId: snapshotId } });
              }
            : undefined,
        });
        proposal = applied.proposal;
        events.push(...applied.events.map((event) => event.type));
      }
    }
    if (autoQueue && proposal.state === "Succeeded") {
      proposal = await queueProposal(db, ctx, { proposalId, actor: SYSTEM_ACTOR, loaded: proposal });
      events.push("proposal.queued");
    }
    if (autoExecute && isExecutable(proposal, ctx.nowMs())) {
      proposal = (await executeProposal(db, ctx, { proposalId, actor: SYSTEM_ACTOR, loaded: proposal })).proposal;
      events.push("proposal.executed");
    }
  } catch (error) {
    if (!lostRace(error)) throw error;
    note = "another worker moved it first";
    proposal = (await loadProposal(db, proposalId)).proposal;
  }
  return { proposalId, from, to: proposal.state, events, ...(note ? { note } : {}) };
}

/** Proposals that may have a time-driven step due. */
export async function proposalsToAdvance(db: Db): Promise<Pick<Proposal, "id" | "state">[]> {
  return db.proposal.findMany({ where: { state: { in: ["Pending", "Active", "Succeeded", "Queued"] } }, select: { id: true, state: true }, orderBy: { number: "asc" } }) as Promise<
    Pick<Proposal, "id" | "state">[]
  >;
}
