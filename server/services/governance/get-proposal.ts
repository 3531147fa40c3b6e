// Reading proposals: one with everything its page shows (diff with per-change tier reasons,
// timeline with the preview each transition was judged on, reviews, tally so far, the actions the
// signed-in user may take next), and lists with state/tier/proposer filters.
import {
  canCastVote,
  classifyChangeSet,
  tallyVotes,
  transition,
  type Actor,
  type Proposal,
  type ProposalAction,
  type ProposalState,
} from "../../../lib/governance";
import type { Db } from "../../db";
import type { GovernanceContext } from "./context";
import { storedVotes } from "./advance-proposal";
import { loadProposal } from "./proposal-store";

export type NextAction = "edit" | "submit" | "approve" | "requestChanges" | "veto" | "cancel" | "queue" | "execute" | "vote";

const PROBES: [NextAction, ProposalAction][] = [
  ["edit", { type: "edit", title: "probe" }],
  ["submit", { type: "submit" }],
  ["approve", { type: "approve" }],
  ["requestChanges", { type: "requestChanges", comment: "probe" }],
  ["veto", { type: "veto", reason: "probe" }],
  ["cancel", { type: "cancel", reason: "probe" }],
  ["queue", { type: "queue" }],
  ["execute", { type: "execute" }],
];

/** Which actions `actor` may take now: the state machine itself answers (dry runs). */
export function nextActionsFor(proposal: Proposal, actor: Actor | null, nowMs: number, settings: Parameters<typeof transition>[4], canVote: boolean): NextAction[] {
  if (!actor) return [];
  const actions = PROBES.filter(([, action]) => {
    const result = transition(proposal, action, actor, nowMs, settings);
    return result.ok && result.proposal !== proposal;
  }).map(([name]) => name);
  if (canVote) actions.push("vote");
  return actions;
}

export async function getProposal(db: Db, ctx: GovernanceContext, input: { proposalId: string; viewer: Actor | null }) {
  const { row, proposal } = await loadProposal(db, input.proposalId);
  const settings = await ctx.settings(db);
  const nowMs = ctx.nowMs();
  const [transitions, reviews, votes, executedVersions] = await Promise.all([
    db.proposalTransition.findMany({ where: { proposalId: proposal.id }, orderBy: [{ at: "asc" }, { id: "asc" }] }),
    db.review.findMany({ where: { proposalId: proposal.id }, orderBy: { createdAt: "asc" } }),
    storedVotes(db, proposal.id),
    db.parameterSet.findMany({ where: { sourceProposalId: proposal.id }, select: { marketId: true, version: true, id: true, active: true }, orderBy: { marketId: "asc" } }),
  ]);
  const level = settings.levels[proposal.tier];
  const tally =
    proposal.voteStartMs !== undefined && proposal.totalVotingPower !== undefined
      ? tallyVotes({ votes, totalPower: BigInt(proposal.totalVotingPower), level, voteStartMs: proposal.voteStartMs, voteEndMs: proposal.voteEndMs ?? proposal.voteStartMs })
      : null;
  let canVote = false;
  if (input.viewer && proposal.state === "Active") {
    const power = await db.proposalVoterPower.findFirst({ where: { proposalId: proposal.id, address: { equals: input.viewer.address, mode: "insensitive" } } });
    canVote = (power !== null || ctx.erc20Votes !== undefined) && canCastVote(proposal, votes, nowMs, settings).ok;
  }
  return {
    proposal,
    number: row.number,
    revision: row.revision,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    powerSources: row.powerSources,
    classification: classifyChangeSet(proposal.changes, settings),
    level,
    committee: settings.committee,
    transitions: transitions.map((t) => ({ id: t.id.toString(), fromState: t.fromState, toState: t.toState, event: t.event, actor: t.actor, reason: t.reason, details: t.details, preview: t.preview, at: t.at })),
    reviews,
    /** Parameter-set versions this proposal created when it executed. */
    executedVersions,
    tally: tally && {
      forPower: tally.forPower,
      againstPower: tally.againstPower,
      abstainPower: tally.abstainPower,
      quorumPower: tally.quorumPower,
      differentialPower: tally.differentialPower,
      quorumReached: tally.quorumReached,
      majorityFor: tally.majorityFor,
      differentialReached: tally.differentialReached,
      passed: tally.passed,
      deadlineMs: tally.deadlineMs,
      extended: tally.extended,
      votes: tally.counted.length,
    },
    nowMs,
    nextActions: nextActionsFor(proposal, input.viewer, nowMs, settings, canVote),
  };
}

export async function listProposals(db: Db, input: { states?: ProposalState[]; tier?: "minor" | "major"; proposer?: string; search?: string; market?: string; limit?: number; cursor?: number }) {
  const limit = Math.min(input.limit ?? 50, 200);
  const rows = await db.proposal.findMany({
    where: {
      ...(input.states?.length ? { state: { in: input.states } } : {}),
      ...(input.tier ? { level: input.tier } : {}),
      ...(input.proposer ? { proposer: { equals: input.proposer, mode: "insensitive" } } : {}),
      ...(input.search ? { title: { contains: input.search, mode: "insensitive" } } : {}),
      // JSONB containment (`changes @> '[{"market": …}]'`): any change of that market.
      ...(input.market ? { changes: { array_contains: [{ market: input.market }] } } : {}),
      ...(input.cursor !== undefined ? { number: { lt: input.cursor } } : {}),
    },
    orderBy: { number: "desc" },
    take: limit + 1,
    include: { _count: { select: { votes: true } } },
  });
  const items = rows.slice(0, limit).map((row) => {
    const changes = (row.changes as unknown as Proposal["changes"]) ?? [];
    return {
      id: row.id,
      number: row.number,
      title: row.title,
      proposer: row.proposer,
      state: row.state as ProposalState,
      tier: row.level as "minor" | "major",
      markets: [...new Set(changes.map((change) => change.market))],
      changeCount: changes.length,
      votes: row._count.votes,
      votingStartsAt: row.votingStartsAt,
      deadlineAt: row.deadlineAt,
      executableAt: row.executableAt,
      createdAt: row.createdAt,
      updatedAt: row.updatedAt,
    };
  });
  return { items, nextCursor: rows.length > limit ? items[items.length - 1].number : null };
}

export async function listAuditLog(db: Db, input: { action?: string; actor?: string; limit?: number; cursor?: bigint }) {
  const limit = Math.min(input.limit ?? 100, 500);
  const rows = await db.auditLog.findMany({
    where: {
      ...(input.action ? { action: { startsWith: input.action } } : {}),
      ...(input.actor ? { actor: { equals: input.actor, mode: "insensitive" } } : {}),
      ...(input.cursor !== undefined ? { id: { lt: input.cursor } } : {}),
    },
    orderBy: { id: "desc" },
    take: limit + 1,
  });
  return { items: rows.slice(0, limit), nextCursor: rows.length > limit ? rows[limit - 1].id : null };
}
