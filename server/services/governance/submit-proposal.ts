// Draft → CommitteeReview, with the preview the committee will judge.
import type { Actor, Proposal } from "../../../lib/governance";
import type { Db } from "../../db";
import type { GovernanceContext } from "./context";
import { safePreview } from "./create-proposal";
import { applyProposalAction, loadProposal } from "./proposal-store";

export async function submitProposal(db: Db, ctx: GovernanceContext, input: { proposalId: string; actor: Actor }): Promise<Proposal> {
  const { proposal } = await loadProposal(db, input.proposalId);
  const preview = await safePreview(db, ctx, proposal.changes);
  return (await applyProposalAction(db, ctx, { proposalId: input.proposalId, loaded: proposal, actor: input.actor, preview, action: { type: "submit" } })).proposal;
}
