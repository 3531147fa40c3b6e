// Proposal lifecycle as a pure function:
//
//   Draft ─submit→ CommitteeReview ─N-of-M approve→ Pending ─(voteStart)→ Active ─(deadline)→ Succeeded ─queue→ Queued ─execute→ Executed
//     ↑               │ requestChanges                                         └→ Defeated              └─(grace over)→ Expired
//     └───────────────┘
//   Canceled: by the proposer while Draft or Pending; by the committee (cancel or veto, with a
//   public reason) in any non-terminal state.
//
// Rules: edits only in Draft/CommitteeReview by the proposer, and every edit resets approvals;
// approvals come from distinct committee members other than the proposer; the impact tier picks
// the level (settings.levels.minor|major) whose delay, period, extension, timelock and grace
// apply. Time-driven moves happen on `tick`, which advances as far as `nowMs` allows.
//
// Idempotency and races: a transition that changes nothing returns the same proposal with no
// events (a repeated tick, a repeated approval by the same member). Every change increments
// `version`; the service stores the result with a compare-and-swap on the version it read
// (`UPDATE … WHERE id = ? AND version = ?`), so two schedulers or two clicks cannot both apply.
import type { ParamChange } from "./params";
import type { GovernanceSettings, ImpactTier } from "./settings";
import { tallyVotes, type CastVote, type Tally } from "./tally";
import { classifyChangeSet } from "./tier";

export const PROPOSAL_STATES = [
  "Draft",
  "CommitteeReview",
  "Pending",
  "Active",
  "Succeeded",
  "Defeated",
  "Queued",
  "Executed",
  "Expired",
  "Canceled",
] as const;
export type ProposalState = (typeof PROPOSAL_STATES)[number];

export const TERMINAL_STATES: readonly ProposalState[] = ["Defeated", "Executed", "Expired", "Canceled"];

export type ProposalEventType =
  | "proposal.created"
  | "proposal.submitted"
  | "proposal.edited"
  | "proposal.approved"
  | "proposal.changes_requested"
  | "proposal.vetoed"
  | "proposal.active"
  | "proposal.succeeded"
  | "proposal.defeated"
  | "proposal.queued"
  | "proposal.executed"
  | "proposal.expired"
  | "proposal.canceled";

export interface ProposalEvent {
  type: ProposalEventType;
  proposalId: string;
  atMs: number;
  /** Address of whoever caused it; "system" for the scheduler. */
  actor: string;
  data?: Record<string, unknown>;
}

export interface ChangeRequest {
  by: string;
  comment: string;
  atMs: number;
}

/** Final numbers of a vote, as decimal strings (JSON-safe). */
export interface ProposalOutcome {
  forPower: string;
  againstPower: string;
  abstainPower: string;
  quorumPower: string;
  differentialPower: string;
  quorumReached: boolean;
  majorityFor: boolean;
  differentialReached: boolean;
  passed: boolean;
}

export interface Proposal {
  id: string;
  /** Incremented by every change; compare-and-swap key for storage. */
  version: number;
  state: ProposalState;
  proposer: string;
  title: string;
  rationaleMarkdown: string;
  changes: ParamChange[];
  tier: ImpactTier;
  /** Lower-cased addresses of the committee members who approved the current content. */
  approvals: string[];
  changeRequests: ChangeRequest[];
  createdAtMs: number;
  submittedAtMs?: number;
  voteStartMs?: number;
  /** Deadline when voting opened, before any late-quorum extension. */
  voteEndMs?: number;
  /** Deadline in force: voteEndMs or the late-quorum extension. */
  deadlineMs?: number;
  quorumReachedAtMs?: number;
  /** Total frozen power (decimal string) and the hash identifying the frozen snapshot. */
  totalVotingPower?: string;
  powerSnapshot?: `0x${string}`;
  outcome?: ProposalOutcome;
  queuedAtMs?: number;
  executableAtMs?: number;
  expiresAtMs?: number;
  executedAtMs?: number;
  expiredAtMs?: number;
  canceledAtMs?: number;
  canceledBy?: string;
  cancelReason?: string;
  vetoed?: boolean;
}

export type ActorRole = "committee" | "admin" | "system";

export interface Actor {
  /** Wallet address, or "system" for the scheduler. */
  address: string;
  roles: readonly ActorRole[];
}

export const SYSTEM_ACTOR: Actor = { address: "system", roles: ["system"] };

export interface FrozenPowerSnapshot {
  totalPower: bigint;
  /** bytes32 identifying the frozen snapshot (voting-power.ts `frozenPowerHash`), signed in every vote. */
  powerSnapshot: `0x${string}`;
}

export type ProposalAction =
  | { type: "submit" }
  | { type: "approve" }
  | { type: "requestChanges"; comment: string }
  | { type: "veto"; reason: string }
  | { type: "edit"; title?: string; rationaleMarkdown?: string; changes?: ParamChange[]; tier?: ImpactTier }
  | { type: "cancel"; reason?: string }
  /**
   * Scheduler tick. Opening the vote needs `snapshot` (power frozen at voteStart); closing it
   * needs every vote cast so far (`votes`). Without them the tick stops before that step.
   */
  | { type: "tick"; snapshot?: FrozenPowerSnapshot; votes?: readonly CastVote[] }
  | { type: "queue" }
  | { type: "execute" };

export type TransitionErrorCode =
  | "NOT_ALLOWED_IN_STATE"
  | "NOT_PROPOSER"
  | "NOT_COMMITTEE"
  | "SELF_APPROVAL"
  | "REASON_REQUIRED"
  | "EMPTY_EDIT"
  | "TIER_TOO_MILD"
  | "SNAPSHOT_REQUIRED"
  | "VOTES_REQUIRED"
  | "TIMELOCK_NOT_ELAPSED"
  | "GRACE_PERIOD_OVER";

export type TransitionResult =
  | { ok: true; proposal: Proposal; events: ProposalEvent[] }
  | { ok: false; code: TransitionErrorCode; reason: string };

export interface NewProposalInput {
  id: string;
  proposer: string;
  title: string;
  rationaleMarkdown: string;
  changes: ParamChange[];
  tier: ImpactTier;
  nowMs: number;
}

/** A new Draft and its `proposal.created` event. Validate `changes` and classify `tier` first. */
export function createProposal(input: NewProposalInput): { proposal: Proposal; events: ProposalEvent[] } {
  const proposal: Proposal = {
    id: input.id,
    version: 1,
    state: "Draft",
    proposer: input.proposer,
    title: input.title,
    rationaleMarkdown: input.rationaleMarkdown,
    changes: input.changes,
    tier: input.tier,
    approvals: [],
    changeRequests: [],
    createdAtMs: input.nowMs,
  };
  return { proposal, events: [{ type: "proposal.created", proposalId: input.id, atMs: input.nowMs, actor: input.proposer, data: { tier: input.tier } }] };
}

const sameAddress = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
const isCommittee = (actor: Actor) => actor.roles.includes("committee");
const iso = (ms: number) => new Date(ms).toISOString();

function refuse(code: TransitionErrorCode, reason: string): TransitionResult {
  return { ok: false, code, reason };
}

function wrongState(action: string, state: ProposalState, allowed: readonly ProposalState[]): TransitionResult {
  return refuse("NOT_ALLOWED_IN_STATE", `${action} is not allowed while ${state} (only in ${allowed.join(", ")})`);
}

/**
 * Applies `action` by `actor` at `nowMs`. Returns the next proposal (a new object; `version`
 * incremented when anything changed) and the events to publish, or an error code and reason.
 */
export function transition(proposal: Proposal, action: ProposalAction, actor: Actor, nowMs: number, settings: GovernanceSettings): TransitionResult {
  const level = settings.levels[proposal.tier];
  const event = (type: ProposalEventType, data?: Record<string, unknown>, atMs = nowMs): ProposalEvent => ({
    type,
    proposalId: proposal.id,
    atMs,
    actor: actor.address,
    ...(data ? { data } : {}),
  });
  const changed = (fields: Partial<Proposal>, events: ProposalEvent[]): TransitionResult => ({
    ok: true,
    proposal: { ...proposal, ...fields, version: proposal.version + 1 },
    events,
  });
  const unchanged = (): TransitionResult => ({ ok: true, proposal, events: [] });

  switch (action.type) {
    case "submit": {
      if (proposal.state !== "Draft") return wrongState("submit", proposal.state, ["Draft"]);
      if (!sameAddress(actor.address, proposal.proposer)) return refuse("NOT_PROPOSER", "only the proposer submits a draft for review");
      return changed({ state: "CommitteeReview", submittedAtMs: nowMs, approvals: [] }, [event("proposal.submitted")]);
    }

    case "edit": {
      if (proposal.state !== "Draft" && proposal.state !== "CommitteeReview") return wrongState("edit", proposal.state, ["Draft", "CommitteeReview"]);
      if (!sameAddress(actor.address, proposal.proposer)) return refuse("NOT_PROPOSER", "only the proposer edits a proposal");
      const { type: _type, ...edit } = action;
      const fields = Object.fromEntries(Object.entries(edit).filter(([, value]) => value !== undefined)) as Partial<Proposal>;
      if (Object.keys(fields).length === 0) return refuse("EMPTY_EDIT", "an edit must change the title, rationale, changes or tier");
      // The tier follows the size of the change: new changes are re-classified; a proposer may ask
      // for the stricter level, never for a milder one than the changes require.
      if (action.changes) {
        const classified = classifyChangeSet(action.changes, settings).tier;
        fields.tier = classified === "major" || action.tier === "major" ? "major" : "minor";
      } else if (action.tier === "minor" && classifyChangeSet(proposal.changes, settings).tier === "major") {
        return refuse("TIER_TOO_MILD", "these changes exceed steward bounds: the proposal must stay major");
      }
      // Approvals were given to the previous content: every edit resets them.
      return changed({ ...fields, approvals: [] }, [event("proposal.edited", { fields: Object.keys(fields), approvalsReset: proposal.approvals.length })]);
    }

    case "approve": {
      if (proposal.state !== "CommitteeReview") return wrongState("approve", proposal.state, ["CommitteeReview"]);
      if (!isCommittee(actor)) return refuse("NOT_COMMITTEE", "only committee members approve");
      if (sameAddress(actor.address, proposal.proposer)) return refuse("SELF_APPROVAL", "a committee member cannot approve their own proposal");
      const member = actor.address.toLowerCase();
      if (proposal.approvals.includes(member)) return unchanged(); // distinct members: a repeat counts once
      const approvals = [...proposal.approvals, member];
      const required = settings.committee.approvalsRequired;
      const reachedRequired = approvals.length >= required;
      const approved = event("proposal.approved", { approvals: approvals.length, required, nextState: reachedRequired ? "Pending" : "CommitteeReview" });
      if (!reachedRequired) return changed({ approvals }, [approved]);
      const voteStartMs = nowMs + level.votingDelayMs;
      const voteEndMs = voteStartMs + level.votingPeriodMs;
      return changed({ approvals, state: "Pending", voteStartMs, voteEndMs, deadlineMs: voteEndMs }, [approved]);
    }

    case "requestChanges": {
      if (proposal.state !== "CommitteeReview") return wrongState("requestChanges", proposal.state, ["CommitteeReview"]);
      if (!isCommittee(actor)) return refuse("NOT_COMMITTEE", "only committee members request changes");
      if (!action.comment.trim()) return refuse("REASON_REQUIRED", "a change request needs a comment");
      const request: ChangeRequest = { by: actor.address, comment: action.comment, atMs: nowMs };
      return changed({ state: "Draft", approvals: [], changeRequests: [...proposal.changeRequests, request] }, [
        event("proposal.changes_requested", { comment: action.comment }),
      ]);
    }

    case "veto": {
      if (TERMINAL_STATES.includes(proposal.state)) return wrongState("veto", proposal.state, nonTerminal());
      if (!isCommittee(actor)) return refuse("NOT_COMMITTEE", "only the committee vetoes");
      if (!action.reason.trim()) return refuse("REASON_REQUIRED", "a veto needs a public reason");
      return changed({ state: "Canceled", canceledAtMs: nowMs, canceledBy: actor.address, cancelReason: action.reason, vetoed: true }, [
        event("proposal.vetoed", { reason: action.reason, from: proposal.state }),
      ]);
    }

    case "cancel": {
      if (TERMINAL_STATES.includes(proposal.state)) return wrongState("cancel", proposal.state, nonTerminal());
      const reason = action.reason?.trim() ?? "";
      const byProposer = sameAddress(actor.address, proposal.proposer) && (proposal.state === "Draft" || proposal.state === "Pending");
      if (!byProposer && !isCommittee(actor)) {
        return sameAddress(actor.address, proposal.proposer)
          ? wrongState("cancel by the proposer", proposal.state, ["Draft", "Pending"])
          : refuse("NOT_PROPOSER", "only the proposer (while Draft or Pending) or the committee cancels");
      }
      if (!byProposer && !reason) return refuse("REASON_REQUIRED", "a committee cancellation needs a public reason");
      return changed({ state: "Canceled", canceledAtMs: nowMs, canceledBy: actor.address, ...(reason ? { cancelReason: reason } : {}) }, [
        event("proposal.canceled", { reason: reason || null, from: proposal.state }),
      ]);
    }

    case "queue": {
      if (proposal.state !== "Succeeded") return wrongState("queue", proposal.state, ["Succeeded"]);
      const executableAtMs = nowMs + level.timelockMs;
      const expiresAtMs = executableAtMs + level.gracePeriodMs;
      return changed({ state: "Queued", queuedAtMs: nowMs, executableAtMs, expiresAtMs }, [event("proposal.queued", { executableAtMs, expiresAtMs })]);
    }

    case "execute": {
      if (proposal.state !== "Queued") return wrongState("execute", proposal.state, ["Queued"]);
      const { executableAtMs = Infinity, expiresAtMs = Infinity } = proposal;
      if (nowMs < executableAtMs) return refuse("TIMELOCK_NOT_ELAPSED", `the timelock ends at ${iso(executableAtMs)}`);
      if (nowMs >= expiresAtMs) return refuse("GRACE_PERIOD_OVER", `the grace period ended at ${iso(expiresAtMs)}; the proposal expires`);
      return changed({ state: "Executed", executedAtMs: nowMs }, [event("proposal.executed")]);
    }

    case "tick":
      return tick(proposal, action, actor, nowMs, settings);
  }
}

function nonTerminal(): ProposalState[] {
  return PROPOSAL_STATES.filter((state) => !TERMINAL_STATES.includes(state));
}

/** What time-driven step is due for a proposal at `nowMs`, so a scheduler knows what to gather. */
export function dueTimedStep(proposal: Proposal, nowMs: number): "open" | "close" | "expire" | null {
  if (proposal.state === "Pending" && proposal.voteStartMs !== undefined && nowMs >= proposal.voteStartMs) return "open";
  if (proposal.state === "Active" && nowMs > (proposal.deadlineMs ?? proposal.voteEndMs ?? Infinity)) return "close";
  if (proposal.state === "Queued" && proposal.expiresAtMs !== undefined && nowMs >= proposal.expiresAtMs) return "expire";
  return null;
}

/**
 * Whether a vote may be cast (or replaced) at `nowMs`: the proposal is Active and `nowMs` is within
 * [voteStart, deadline], where the deadline includes a late-quorum extension already earned by
 * `existingVotes` (OpenZeppelin extends at the vote that reaches quorum, not at the next tick).
 */
export function canCastVote(
  proposal: Proposal,
  existingVotes: readonly CastVote[],
  nowMs: number,
  settings: GovernanceSettings,
): { ok: true; deadlineMs: number } | { ok: false; code: "VOTING_NOT_OPEN" | "VOTING_CLOSED"; reason: string } {
  if (proposal.state !== "Active") {
    return { ok: false, code: proposal.state === "Pending" ? "VOTING_NOT_OPEN" : "VOTING_CLOSED", reason: `voting is not open while ${proposal.state}` };
  }
  const tally = tallyVotes({
    votes: existingVotes,
    totalPower: BigInt(proposal.totalVotingPower ?? "0"),
    level: settings.levels[proposal.tier],
    voteStartMs: proposal.voteStartMs!,
    voteEndMs: proposal.voteEndMs!,
  });
  if (nowMs < proposal.voteStartMs!) return { ok: false, code: "VOTING_NOT_OPEN", reason: `voting opens at ${iso(proposal.voteStartMs!)}` };
  if (nowMs > tally.deadlineMs) return { ok: false, code: "VOTING_CLOSED", reason: `voting closed at ${iso(tally.deadlineMs)}` };
  return { ok: true, deadlineMs: tally.deadlineMs };
}

/** Whether a Queued proposal may be executed at `nowMs` (timelock over, grace not). */
export function isExecutable(proposal: Proposal, nowMs: number): boolean {
  return proposal.state === "Queued" && nowMs >= (proposal.executableAtMs ?? Infinity) && nowMs < (proposal.expiresAtMs ?? -Infinity);
}

function tick(proposal: Proposal, action: Extract<ProposalAction, { type: "tick" }>, actor: Actor, nowMs: number, settings: GovernanceSettings): TransitionResult {
  let current = proposal;
  const events: ProposalEvent[] = [];
  // Advance as far as time allows (e.g. a scheduler that was down through a whole vote), so a
  // second tick at the same time changes nothing.
  for (;;) {
    const step = timedStep(current, action, actor, nowMs, settings);
    if (step === "stop") break;
    if (!step.ok) {
      if (events.length > 0 || current !== proposal) break; // progress made: report it, the rest waits
      return step;
    }
    if (step.proposal === current) break;
    current = step.proposal;
    events.push(...step.events);
  }
  return { ok: true, proposal: current === proposal ? proposal : { ...current, version: proposal.version + 1 }, events };
}

function timedStep(
  proposal: Proposal,
  action: Extract<ProposalAction, { type: "tick" }>,
  actor: Actor,
  nowMs: number,
  settings: GovernanceSettings,
): TransitionResult | "stop" {
  const level = settings.levels[proposal.tier];
  const event = (type: ProposalEventType, atMs: number, data?: Record<string, unknown>): ProposalEvent => ({
    type,
    proposalId: proposal.id,
    atMs,
    actor: actor.address,
    ...(data ? { data } : {}),
  });
  switch (dueTimedStep(proposal, nowMs)) {
    case "open": {
      if (!action.snapshot) return refuse("SNAPSHOT_REQUIRED", "voting opens: freeze the voting power and pass the snapshot");
      const { totalPower, powerSnapshot } = action.snapshot;
      return {
        ok: true,
        proposal: { ...proposal, state: "Active", totalVotingPower: totalPower.toString(), powerSnapshot },
        events: [event("proposal.active", proposal.voteStartMs!, { totalVotingPower: totalPower.toString(), powerSnapshot, deadlineMs: proposal.deadlineMs })],
      };
    }
    case "close": {
      if (!action.votes) return refuse("VOTES_REQUIRED", "voting has ended: pass the votes to tally");
      const tally = tallyVotes({
        votes: action.votes,
        totalPower: BigInt(proposal.totalVotingPower ?? "0"),
        level,
        voteStartMs: proposal.voteStartMs!,
        voteEndMs: proposal.voteEndMs!,
      });
      const quorumFields = { deadlineMs: tally.deadlineMs, ...(tally.quorumReachedAtMs !== null ? { quorumReachedAtMs: tally.quorumReachedAtMs } : {}) };
      if (nowMs <= tally.deadlineMs) {
        // A late quorum extended the deadline: record it; voting goes on.
        if (proposal.deadlineMs === tally.deadlineMs) return "stop";
        return { ok: true, proposal: { ...proposal, ...quorumFields }, events: [] };
      }
      const outcome = outcomeOf(tally);
      const state = tally.passed ? "Succeeded" : "Defeated";
      return {
        ok: true,
        proposal: { ...proposal, ...quorumFields, state, outcome },
        events: [event(tally.passed ? "proposal.succeeded" : "proposal.defeated", tally.deadlineMs, { ...outcome })],
      };
    }
    case "expire":
      return {
        ok: true,
        proposal: { ...proposal, state: "Expired", expiredAtMs: proposal.expiresAtMs },
        events: [event("proposal.expired", proposal.expiresAtMs!)],
      };
    case null:
      return "stop";
  }
}

function outcomeOf(tally: Tally): ProposalOutcome {
  return {
    forPower: tally.forPower.toString(),
    againstPower: tally.againstPower.toString(),
    abstainPower: tally.abstainPower.toString(),
    quorumPower: tally.quorumPower.toString(),
    differentialPower: tally.differentialPower.toString(),
    quorumReached: tally.quorumReached,
    majorityFor: tally.majorityFor,
    differentialReached: tally.differentialReached,
    passed: tally.passed,
  };
}
