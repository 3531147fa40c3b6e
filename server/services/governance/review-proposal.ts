// Committee review: N-of-M approvals (distinct members, not the proposer), request changes with a
// comment (back to Draft), veto with a public reason (Canceled, audited). Each review row carries
// the revision it judged; the transition carries the preview.
import type { Actor, Proposal } from "../../../lib/governance";
import type { Prisma } from "../../../generated/prisma/client";
import { AppError } from "../../errors";
import type { Db } from "../../db";
import type { GovernanceContext } from "./context";
import { safePreview } from "./create-proposal";
import { applyProposalAction, loadProposal } from "./proposal-store";

export type ReviewDecision = { type: "approve" } | { type: "requestChanges"; comment: string } | { type: "veto"; reason: string };

export const REVIEW_COMMENT_MAX_LENGTH = 10_000;

export async function reviewProposal(db: Db, ctx: GovernanceContext, input: { proposalId: string; actor: Actor; decision: ReviewDecision }): Promise<Proposal> {
  const text = input.decision.type === "requestChanges" ? input.decision.comment : input.decision.type === "veto" ? input.decision.reason : "";
  if (text.length > REVIEW_COMMENT_MAX_LENGTH) throw new AppError("BAD_REQUEST", `comment: at most ${REVIEW_COMMENT_MAX_LENGTH} characters`);
  const { proposal } = await loadProposal(db, input.proposalId);
  const preview = await safePreview(db, ctx, proposal.changes);
  const applied = await applyProposalAction(db, ctx, {
    proposalId: input.proposalId,
    loaded: proposal,
    actor: input.actor,
    preview,
    action: input.decision,
    inTransaction: async (tx) => {
      if (input.decision.type !== "veto") return;
      await tx.auditLog.create({
        data: { actor: input.actor.address, action: "proposal.veto", target: input.proposalId, details: { reason: input.decision.reason, from: proposal.state } as Prisma.InputJsonValue },
      });
    },
  });
  return applied.proposal;
}
