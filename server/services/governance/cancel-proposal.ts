// Cancel: by the proposer while Draft or Pending, by the committee with a public reason in any
// non-terminal state (lib/governance rules). Audited.
import type { Actor, Proposal } from "../../../lib/governance";
import type { Prisma } from "../../../generated/prisma/client";
import type { Db } from "../../db";
import type { GovernanceContext } from "./context";
import { applyProposalAction, loadProposal } from "./proposal-store";

export async function cancelProposal(db: Db, ctx: GovernanceContext, input: { proposalId: string; actor: Actor; reason?: string }): Promise<Proposal> {
  const { proposal } = await loadProposal(db, input.proposalId);
  const applied = await applyProposalAction(db, ctx, {
    proposalId: input.proposalId,
    loaded: proposal,
    actor: input.actor,
    action: { type: "cancel", ...(input.reason !== undefined ? { reason: input.reason } : {}) },
    inTransaction: async (tx) => {
      await tx.auditLog.create({
        data: { actor: input.actor.address, action: "proposal.cancel", target: input.proposalId, details: { reason: input.reason ?? null, from: proposal.state } as Prisma.InputJsonValue },
      });
    },
  });
  return applied.proposal;
}
