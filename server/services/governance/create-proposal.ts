// Drafting and editing a proposal. Both validate the changes against the active set (field and
// reason on refusal), classify the impact tier from the size of the change, and store the preview
// the author saw on the transition.
import { randomUUID } from "node:crypto";
import { createProposal as createProposalRecord, type Actor, type Proposal } from "../../../lib/governance";
import { AppError } from "../../errors";
import type { Db } from "../../db";
import type { GovernanceContext } from "./context";
import { loadActiveParameterSet } from "./parameter-sets";
import { checkedChanges, type ChangeInput } from "./proposal-changes";
import { applyProposalAction, loadProposal, projection, publishEvents, recordEvents } from "./proposal-store";

export const TITLE_MAX_LENGTH = 200;
export const RATIONALE_MAX_LENGTH = 50_000;

function checkText(title: string | undefined, rationaleMarkdown: string | undefined) {
  if (title !== undefined && (title.trim().length === 0 || title.length > TITLE_MAX_LENGTH)) {
    throw new AppError("BAD_REQUEST", `title: expected 1-${TITLE_MAX_LENGTH} characters`, { issues: [{ path: "title", reason: `expected 1-${TITLE_MAX_LENGTH} characters` }] });
  }
  if (rationaleMarkdown !== undefined && rationaleMarkdown.length > RATIONALE_MAX_LENGTH) {
    throw new AppError("BAD_REQUEST", `rationale: at most ${RATIONALE_MAX_LENGTH} characters`, { issues: [{ path: "rationaleMarkdown", reason: `at most ${RATIONALE_MAX_LENGTH} characters` }] });
  }
}

async function safePreview(db: Db, ctx: GovernanceContext, changes: Proposal["changes"]) {
  try {
    return (await ctx.preview(db, changes))?.stored ?? null;
  } catch (error) {
    // A preview that cannot be computed (e.g. a market in the book without parameters) must not
    // block governance; the transition simply records none.
    console.error("[governance] preview failed:", error);
    return null;
  }
}

export async function createProposal(
  db: Db,
  ctx: GovernanceContext,
  input: { proposer: string; title: string; rationaleMarkdown: string; changes: readonly ChangeInput[]; preferMajor?: boolean },
): Promise<Proposal> {
  checkText(input.title, input.rationaleMarkdown);
  const settings = await ctx.settings(db);
  const { set } = await loadActiveParameterSet(db);
  const { changes, classification } = checkedChanges(input.changes, set, settings);
  const tier = input.preferMajor ? "major" : classification.tier;
  const { proposal, events } = createProposalRecord({
    id: `prop_${randomUUID().replace(/-/g, "").slice(0, 20)}`,
    proposer: input.proposer,
    title: input.title.trim(),
    rationaleMarkdown: input.rationaleMarkdown,
    changes,
    tier,
    nowMs: ctx.nowMs(),
  });
  const preview = await safePreview(db, ctx, changes);
  await db.$transaction(async (tx) => {
    await tx.proposal.create({ data: { id: proposal.id, createdAt: new Date(proposal.createdAtMs), ...projection(proposal) } });
    await recordEvents(tx, ctx, null, proposal, events, preview, 1);
  });
  publishEvents(ctx, events);
  return proposal;
}

/** Edits (proposer only, Draft or CommitteeReview); every edit resets approvals (lib/governance). */
export async function updateProposal(
  db: Db,
  ctx: GovernanceContext,
  input: { proposalId: string; actor: Actor; title?: string; rationaleMarkdown?: string; changes?: readonly ChangeInput[]; preferMajor?: boolean },
): Promise<Proposal> {
  checkText(input.title, input.rationaleMarkdown);
  const { proposal } = await loadProposal(db, input.proposalId);
  let changes: Proposal["changes"] | undefined;
  if (input.changes) {
    const { set } = await loadActiveParameterSet(db);
    changes = checkedChanges(input.changes, set, await ctx.settings(db)).changes;
  }
  const preview = await safePreview(db, ctx, changes ?? proposal.changes);
  const applied = await applyProposalAction(db, ctx, {
    proposalId: input.proposalId,
    loaded: proposal,
    actor: input.actor,
    preview,
    action: {
      type: "edit",
      ...(input.title !== undefined ? { title: input.title.trim() } : {}),
      ...(input.rationaleMarkdown !== undefined ? { rationaleMarkdown: input.rationaleMarkdown } : {}),
      ...(changes ? { changes } : {}),
      ...(input.preferMajor ? { tier: "major" as const } : {}),
    },
  });
  return applied.proposal;
}

export { safePreview };
