// Storage of lib/governance proposals: the full state-machine record in `Proposal.machine`, its
// queryable projection in the columns, and every change stored with a compare-and-swap on
// `version` (UPDATE … WHERE id = ? AND version = ?: count 0 → someone else changed it first →
// CONFLICT). One ProposalTransition row per event, with the preview it was judged on. Events go to
// the webhook outbox inside the transaction and to the bus after commit.
import {
  transition,
  type Actor,
  type ActorRole,
  type Proposal,
  type ProposalAction,
  type ProposalEvent,
  type ProposalState,
  type TransitionErrorCode,
} from "../../../lib/governance";
import type { Prisma } from "../../../generated/prisma/client";
import { AppError, type AppErrorCode } from "../../errors";
import type { Db, Tx } from "../../db";
import type { GovernanceContext, StoredPreview } from "./context";

type ProposalRow = Prisma.ProposalGetPayload<object>;

export function proposalFromRow(row: ProposalRow): Proposal {
  if (!row.machine) throw new AppError("INTERNAL", "proposal record is incomplete", { internal: `Proposal ${row.id} has no machine record` });
  return row.machine as unknown as Proposal;
}

const dateOf = (ms: number | undefined) => (ms === undefined ? null : new Date(ms));

/** Columns derived from the record (what lists, filters and the scheduler query). */
export function projection(proposal: Proposal) {
  return {
    title: proposal.title,
    rationale: proposal.rationaleMarkdown,
    proposer: proposal.proposer,
    state: proposal.state,
    level: proposal.tier,
    changes: proposal.changes as unknown as Prisma.InputJsonValue,
    votingStartsAt: dateOf(proposal.voteStartMs),
    votingEndsAt: dateOf(proposal.voteEndMs),
    deadlineAt: dateOf(proposal.deadlineMs),
    quorumReachedAt: dateOf(proposal.quorumReachedAtMs),
    queuedAt: dateOf(proposal.queuedAtMs),
    executableAt: dateOf(proposal.executableAtMs),
    expiresAt: dateOf(proposal.expiresAtMs),
    executedAt: dateOf(proposal.executedAtMs),
    canceledAt: dateOf(proposal.canceledAtMs),
    canceledBy: proposal.canceledBy ?? null,
    cancelReason: proposal.cancelReason ?? null,
    totalVotingPower: proposal.totalVotingPower ?? null,
    powerSnapshotHash: proposal.powerSnapshot ?? null,
    version: proposal.version,
    machine: proposal as unknown as Prisma.InputJsonValue,
  };
}

export async function loadProposal(db: Db | Tx, proposalId: string): Promise<{ row: ProposalRow; proposal: Proposal }> {
  const row = await db.proposal.findUnique({ where: { id: proposalId } });
  if (!row) throw new AppError("NOT_FOUND", `No proposal ${proposalId}`);
  return { row, proposal: proposalFromRow(row) };
}

/** Session roles → state-machine actor roles. */
export function actorOf(user: { address: string; roles: readonly string[] }): Actor {
  const roles = user.roles.filter((role): role is ActorRole => role === "committee" || role === "admin");
  return { address: user.address, roles };
}

const transitionErrorCodes: Record<TransitionErrorCode, AppErrorCode> = {
  NOT_ALLOWED_IN_STATE: "CONFLICT",
  NOT_PROPOSER: "FORBIDDEN",
  NOT_COMMITTEE: "FORBIDDEN",
  SELF_APPROVAL: "FORBIDDEN",
  REASON_REQUIRED: "BAD_REQUEST",
  EMPTY_EDIT: "BAD_REQUEST",
  TIER_TOO_MILD: "BAD_REQUEST",
  SNAPSHOT_REQUIRED: "PRECONDITION_FAILED",
  VOTES_REQUIRED: "PRECONDITION_FAILED",
  TIMELOCK_NOT_ELAPSED: "PRECONDITION_FAILED",
  GRACE_PERIOD_OVER: "PRECONDITION_FAILED",
};

export function transitionError(code: TransitionErrorCode, reason: string): AppError {
  return new AppError(transitionErrorCodes[code], reason, { internal: `${code}: ${reason}` });
}

/** The state a proposal is in right after `event` (approvals, edits: unchanged unless moved). */
function stateAfter(event: ProposalEvent, before: ProposalState): ProposalState {
  switch (event.type) {
    case "proposal.created":
      return "Draft";
    case "proposal.submitted":
      return "CommitteeReview";
    case "proposal.approved":
      return (event.data?.nextState as ProposalState | undefined) ?? before;
    case "proposal.changes_requested":
      return "Draft";
    case "proposal.vetoed":
    case "proposal.canceled":
      return "Canceled";
    case "proposal.active":
      return "Active";
    case "proposal.succeeded":
      return "Succeeded";
    case "proposal.defeated":
      return "Defeated";
    case "proposal.queued":
      return "Queued";
    case "proposal.executed":
      return "Executed";
    case "proposal.expired":
      return "Expired";
    case "proposal.edited":
      return before;
  }
}

const REVIEW_DECISIONS: Partial<Record<ProposalEvent["type"], string>> = {
  "proposal.approved": "approve",
  "proposal.changes_requested": "request_changes",
  "proposal.vetoed": "veto",
};

/** Rows for the events (one transition per event; reviews for review events). */
export async function recordEvents(tx: Tx, ctx: GovernanceContext, before: ProposalState | null, after: Proposal, events: ProposalEvent[], preview: StoredPreview | null, revision: number) {
  let state = before;
  let index = 0;
  for (const event of events) {
    const next = stateAfter(event, state ?? "Draft");
    const reason = typeof event.data?.reason === "string" ? event.data.reason : typeof event.data?.comment === "string" ? event.data.comment : null;
    await tx.proposalTransition.create({
      data: {
        proposalId: after.id,
        fromState: state,
        toState: next,
        actor: event.actor,
        reason,
        event: event.type,
        details: (event.data ?? {}) as Prisma.InputJsonValue,
        preview: preview ? (preview as unknown as Prisma.InputJsonValue) : undefined,
        at: new Date(event.atMs),
      },
    });
    const decision = REVIEW_DECISIONS[event.type];
    if (decision) {
      await tx.review.create({ data: { proposalId: after.id, reviewer: event.actor, decision, comment: reason, revision, createdAt: new Date(event.atMs) } });
    }
    await ctx.enqueueOutboxEvent(tx, {
      type: event.type,
      // One occurrence = this event of this stored version of the proposal: a retried transaction re-uses it.
      id: `${event.type}:${after.id}:v${after.version}:${index}`,
      summary: `${event.type.replace("proposal.", "Proposal ")}: ${after.title}`,
      labels: { markets: [...new Set(after.changes.map((change) => change.market))].join(","), tier: after.tier },
      data: { proposalId: after.id, title: after.title, actor: event.actor, atMs: event.atMs, fromState: state, state: next, ...(event.data ?? {}) },
    });
    state = next;
    index++;
  }
}

export function publishEvents(ctx: GovernanceContext, events: readonly ProposalEvent[]) {
  for (const event of events) ctx.publishProposalEvent({ type: event.type, proposalId: event.proposalId, at: event.atMs, data: { actor: event.actor, ...(event.data ?? {}) } });
}

export type AppliedAction = { proposal: Proposal; events: ProposalEvent[]; changed: boolean };

/**
 * Applies one action: load, run the state machine, store with CAS, record, publish. `inTransaction`
 * runs extra writes in the same transaction after the CAS succeeded (execution creates the next
 * parameter-set version there, voting open freezes the power there). A lost race → CONFLICT.
 */
export async function applyProposalAction(
  db: Db,
  ctx: GovernanceContext,
  input: {
    proposalId: string;
    action: ProposalAction;
    actor: Actor;
    preview?: StoredPreview | null;
    /** Already loaded record (the scheduler gathers inputs first); reloaded otherwise. */
    loaded?: Proposal;
    inTransaction?: (tx: Tx, after: Proposal) => Promise<void>;
    afterCommit?: (after: Proposal) => void;
  },
): Promise<AppliedAction> {
  // A review, cancel, queue or execute that lost the CAS is re-judged on the fresh record (two
  // members approving at once both count; a second executor then sees Executed and is refused).
  // Ticks carry inputs gathered for one version and edits carry content written against one: those
  // report the conflict instead.
  const attempts = input.action.type === "tick" || input.action.type === "edit" ? 1 : 3;
  let loaded = input.loaded;
  for (let attempt = 1; ; attempt++) {
    try {
      return await applyOnce(db, ctx, { ...input, loaded });
    } catch (error) {
      if (!(error instanceof CasLost) || attempt >= attempts) throw error instanceof CasLost ? error.appError : error;
      loaded = undefined;
    }
  }
}

class CasLost extends Error {
  readonly appError: AppError;
  constructor(proposalId: string, version: number) {
    super(`CAS lost on ${proposalId} at version ${version}`);
    this.appError = new AppError("CONFLICT", "The proposal changed meanwhile; reload and try again", { internal: this.message });
  }
}

async function applyOnce(db: Db, ctx: GovernanceContext, input: Parameters<typeof applyProposalAction>[2]): Promise<AppliedAction> {
  const before = input.loaded ?? (await loadProposal(db, input.proposalId)).proposal;
  const settings = await ctx.settings(db);
  const result = transition(before, input.action, input.actor, ctx.nowMs(), settings);
  if (!result.ok) throw transitionError(result.code, result.reason);
  if (result.proposal === before) return { proposal: before, events: [], changed: false };
  const after = result.proposal;
  const revisionBump = input.action.type === "edit" ? 1 : 0;
  await db.$transaction(async (tx) => {
    const updated = await tx.proposal.updateMany({
      where: { id: before.id, version: before.version },
      data: { ...projection(after), ...(revisionBump ? { revision: { increment: 1 } } : {}) },
    });
    if (updated.count === 0) throw new CasLost(before.id, before.version);
    const revision = (await tx.proposal.findUniqueOrThrow({ where: { id: before.id }, select: { revision: true } })).revision;
    await input.inTransaction?.(tx, after);
    await recordEvents(tx, ctx, before.state, after, result.events, input.preview ?? null, revision);
  });
  publishEvents(ctx, result.events);
  input.afterCommit?.(after);
  return { proposal: after, events: result.events, changed: true };
}
