// Queue (Succeeded → Queued, starts the timelock; permissionless as in Aave/OpenZeppelin) and
// execute (Queued → Executed after the timelock, before the grace period ends).
//
// Execution is race-free: the CAS Queued → Executed and the creation of the next parameter-set
// version happen in one transaction, CAS first. Two executors at once: one CAS succeeds and creates
// the versions; the other's CAS matches no row (PostgreSQL re-checks the WHERE after the winner
// commits) → CONFLICT, and its transaction wrote nothing.
import { applyChanges, validateGovernedMarketParams, keyPath, type Actor, type Proposal } from "../../../lib/governance";
import type { Prisma } from "../../../generated/prisma/client";
import { AppError, invalidInput } from "../../errors";
import type { Db } from "../../db";
import type { GovernanceContext } from "./context";
import { safePreview } from "./create-proposal";
import { activateNextVersions, loadActiveParameterSet, type ActivatedVersion } from "./parameter-sets";
import { applyProposalAction, loadProposal } from "./proposal-store";

export async function queueProposal(db: Db, ctx: GovernanceContext, input: { proposalId: string; actor: Actor; loaded?: Proposal }): Promise<Proposal> {
  const proposal = input.loaded ?? (await loadProposal(db, input.proposalId)).proposal;
  const preview = await safePreview(db, ctx, proposal.changes);
  return (await applyProposalAction(db, ctx, { proposalId: input.proposalId, loaded: proposal, actor: input.actor, preview, action: { type: "queue" } })).proposal;
}

/** The active set with the proposal's changes applied, refused with the field and reason if it now breaks an invariant. */
function nextParameters(active: Awaited<ReturnType<typeof loadActiveParameterSet>>["set"], proposal: Proposal) {
  const next = applyChanges(active, proposal.changes);
  const markets = [...new Set(proposal.changes.map((change) => change.market))];
  const issues = markets.flatMap((market) => validateGovernedMarketParams(next.markets[market], keyPath("markets", market)));
  return { next, markets, issues };
}

export async function executeProposal(
  db: Db,
  ctx: GovernanceContext,
  input: { proposalId: string; actor: Actor; loaded?: Proposal },
): Promise<{ proposal: Proposal; activated: ActivatedVersion[] }> {
  const proposal = input.loaded ?? (await loadProposal(db, input.proposalId)).proposal;
  // Another update (a steward change, an earlier proposal) may have moved the active set since the
  // vote: the changes are applied to the set active now and must still satisfy every invariant.
  const precheck = nextParameters((await loadActiveParameterSet(db)).set, proposal);
  if (precheck.issues.length > 0) throw invalidInput(precheck.issues);
  const preview = await safePreview(db, ctx, proposal.changes);
  let activated: ActivatedVersion[] = [];
  const applied = await applyProposalAction(db, ctx, {
    proposalId: input.proposalId,
    loaded: proposal,
    actor: input.actor,
    preview,
    action: { type: "execute" },
    inTransaction: async (tx, after) => {
      const { next, markets, issues } = nextParameters((await loadActiveParameterSet(tx)).set, after);
      if (issues.length > 0) throw invalidInput(issues);
      activated = await activateNextVersions(tx, { next, markets, createdBy: input.actor.address, sourceProposalId: after.id, note: `proposal: ${after.title}` });
      await tx.auditLog.create({
        data: {
          actor: input.actor.address,
          action: "proposal.execute",
          target: after.id,
          details: { title: after.title, changes: after.changes, versions: activated } as unknown as Prisma.InputJsonValue,
        },
      });
    },
  });
  if (!applied.changed) throw new AppError("CONFLICT", "already executed");
  const at = ctx.nowMs();
  for (const version of activated) ctx.publishParamsActivated({ ...version, at });
  return { proposal: applied.proposal, activated };
}
