// Vote tally with the pass rule and OpenZeppelin's late-quorum protection.
//
// Pass rule (GovernorCountingSimple with Aave's differential): For + Abstain ≥ quorum
// (OpenZeppelin `_quorumReached`: `quorum <= forVotes + abstainVotes`), For > Against
// (`_voteSucceeded`: `forVotes > againstVotes`) and For − Against ≥ differential (Aave Governance
// `yesNoDifferential`). Quorum and differential are basis points of the proposal's frozen total
// power, rounded up so "2 %" never means slightly less than 2 %.
//
// Late quorum (OpenZeppelin contracts/governance/extensions/GovernorPreventLateQuorum.sol,
// `_tallyUpdated`): the first time a vote makes quorum reached, the extended deadline is
// `clock() + lateQuorumVoteExtension()`, and `proposalDeadline = max(original, extended)`; the
// module reacts only to that first time, even if quorum is later lost and regained. Here "clock()"
// is the cast time of that vote, so the deadline moves only when quorum is first reached within the
// extension window before the deadline.
//
// Vote replacement: a voter may change their vote while voting is open; the latest vote (by cast
// time, then by input order) replaces the earlier one in the totals. Votes outside
// [voteStart, deadline] do not count (OpenZeppelin: Active while `deadline >= clock`).
//
// Power is bigint: token amounts with 18 decimals exceed 2^53, and the pass rule must be exact.
import type { GovernanceLevel } from "./settings";

/** GovernorBravo support values: 0 = Against, 1 = For, 2 = Abstain (the EIP-712 `choice`). */
export const VOTE_CHOICES = ["against", "for", "abstain"] as const;
export type VoteChoice = (typeof VOTE_CHOICES)[number];

export interface CastVote {
  /** Voter address (any case; compared case-insensitively). */
  voter: string;
  choice: VoteChoice;
  /** The voter's frozen power for this proposal. */
  power: bigint;
  castAtMs: number;
}

export interface TallyInput {
  votes: readonly CastVote[];
  /** Total power of the frozen snapshot: the base of quorum and differential. */
  totalPower: bigint;
  level: Pick<GovernanceLevel, "quorumBps" | "voteDifferentialBps" | "lateQuorumExtensionMs">;
  voteStartMs: number;
  /** Deadline set when voting opened, before any extension. */
  voteEndMs: number;
}

export interface Tally {
  forPower: bigint;
  againstPower: bigint;
  abstainPower: bigint;
  /** Power needed in For + Abstain. */
  quorumPower: bigint;
  /** Margin needed in For − Against. */
  differentialPower: bigint;
  quorumReached: boolean;
  majorityFor: boolean;
  differentialReached: boolean;
  passed: boolean;
  /** Cast time of the vote that first made quorum reached; null if it never was. */
  quorumReachedAtMs: number | null;
  /** max(voteEndMs, quorumReachedAtMs + extension). */
  deadlineMs: number;
  extended: boolean;
  /** Counted votes: the latest per voter. */
  counted: CastVote[];
  /** Votes not counted, with why (before start, after deadline, replaced). */
  ignored: { vote: CastVote; reason: string }[];
}

function ceilDiv(numerator: bigint, denominator: bigint): bigint {
  return (numerator + denominator - 1n) / denominator;
}

/** Power needed for `bps` basis points of `totalPower`, rounded up. */
export function bpsOfPower(totalPower: bigint, bps: number): bigint {
  return ceilDiv(totalPower * BigInt(bps), 10_000n);
}

/** The latest vote per voter (cast time, then input order), in first-cast order of voters. */
export function latestVotes(votes: readonly CastVote[]): CastVote[] {
  const latest = new Map<string, CastVote>();
  for (const vote of sortByCastTime(votes)) latest.set(vote.voter.toLowerCase(), vote);
  return [...latest.values()];
}

function sortByCastTime(votes: readonly CastVote[]): CastVote[] {
  return votes
    .map((vote, index) => ({ vote, index }))
    .sort((a, b) => a.vote.castAtMs - b.vote.castAtMs || a.index - b.index)
    .map(({ vote }) => vote);
}

/** Replays the votes in cast order, applying replacement and the late-quorum extension. */
export function tallyVotes(input: TallyInput): Tally {
  const quorumPower = bpsOfPower(input.totalPower, input.level.quorumBps);
  const differentialPower = bpsOfPower(input.totalPower, input.level.voteDifferentialBps);
  const totals: Record<VoteChoice, bigint> = { for: 0n, against: 0n, abstain: 0n };
  const current = new Map<string, CastVote>();
  const ignored: { vote: CastVote; reason: string }[] = [];
  let deadlineMs = input.voteEndMs;
  let quorumReachedAtMs: number | null = null;

  for (const vote of sortByCastTime(input.votes)) {
    if (vote.castAtMs < input.voteStartMs) {
      ignored.push({ vote, reason: `cast before voting opened at ${new Date(input.voteStartMs).toISOString()}` });
      continue;
    }
    if (vote.castAtMs > deadlineMs) {
      ignored.push({ vote, reason: `cast after the deadline ${new Date(deadlineMs).toISOString()}` });
      continue;
    }
    const voter = vote.voter.toLowerCase();
    const previous = current.get(voter);
    if (previous) {
      totals[previous.choice] -= previous.power;
      ignored.push({ vote: previous, reason: `replaced by a later vote at ${new Date(vote.castAtMs).toISOString()}` });
    }
    current.set(voter, vote);
    totals[vote.choice] += vote.power;
    // GovernorPreventLateQuorum._tallyUpdated: only the first time quorum is reached.
    if (quorumReachedAtMs === null && totals.for + totals.abstain >= quorumPower) {
      quorumReachedAtMs = vote.castAtMs;
      deadlineMs = Math.max(deadlineMs, vote.castAtMs + input.level.lateQuorumExtensionMs);
    }
  }

  const quorumReached = totals.for + totals.abstain >= quorumPower;
  const majorityFor = totals.for > totals.against;
  const differentialReached = totals.for - totals.against >= differentialPower;
  return {
    forPower: totals.for,
    againstPower: totals.against,
    abstainPower: totals.abstain,
    quorumPower,
    differentialPower,
    quorumReached,
    majorityFor,
    differentialReached,
    passed: quorumReached && majorityFor && differentialReached,
    quorumReachedAtMs,
    deadlineMs,
    extended: deadlineMs > input.voteEndMs,
    counted: [...current.values()],
    ignored,
  };
}
