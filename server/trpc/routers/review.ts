// Committee review: approve (N-of-M), request changes with a comment, veto with a public reason.
import { z } from "zod";
import { committeeProcedure, router } from "../init";
import { actorOf } from "../../services/governance/proposal-store";
import { reviewProposal } from "../../services/governance/review-proposal";
import { governanceFor } from "../../services/governance/runtime-context";

const proposalId = z.string().min(1).max(64);

export const reviewRouter = router({
  approve: committeeProcedure
    .input(z.object({ proposalId }))
    .mutation(({ ctx, input }) => reviewProposal(ctx.db, governanceFor(ctx.runtime), { proposalId: input.proposalId, actor: actorOf(ctx.user), decision: { type: "approve" } })),
  requestChanges: committeeProcedure
    .input(z.object({ proposalId, comment: z.string().min(1).max(10_000) }))
    .mutation(({ ctx, input }) =>
      reviewProposal(ctx.db, governanceFor(ctx.runtime), { proposalId: input.proposalId, actor: actorOf(ctx.user), decision: { type: "requestChanges", comment: input.comment } }),
    ),
  veto: committeeProcedure
    .input(z.object({ proposalId, reason: z.string().min(1).max(10_000) }))
    .mutation(({ ctx, input }) => reviewProposal(ctx.db, governanceFor(ctx.runtime), { proposalId: input.proposalId, actor: actorOf(ctx.user), decision: { type: "veto", reason: input.reason } })),
});
