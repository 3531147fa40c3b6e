import { describe, expect, it } from "vitest";
import { bpsOfPower, latestVotes, tallyVotes, type CastVote } from "./tally";

const HOUR = 3_600_000;
const START = 1_000 * HOUR;
const END = START + 72 * HOUR;
// 2 % quorum, 0.5 % differential, 24 h extension (Aave v3 Level 1 shares; extension ours).
const LEVEL = { quorumBps: 200, voteDifferentialBps: 50, lateQuorumExtensionMs: 24 * HOUR };
const TOTAL = 1_000_000n; // quorum 20 000, differential 5 000

const vote = (voter: string, choice: CastVote["choice"], power: bigint, castAtMs: number): CastVote => ({ voter, choice, power, castAtMs });

describe("bpsOfPower", () => {
  it.each([
    { total: 1_000_000n, bps: 200, expected: 20_000n }, // exact 2 %
    { total: 999n, bps: 200, expected: 20n }, // 19.98 rounds up
    { total: 16_000_000n * 10n ** 18n, bps: 650, expected: 1_040_000n * 10n ** 18n }, // Aave Level 2 yesThreshold
  ])("$bps bps of $total", ({ total, bps, expected }) => expect(bpsOfPower(total, bps)).toBe(expected));
});

describe("tallyVotes pass rule", () => {
  const cases: { name: string; votes: CastVote[]; expected: Partial<ReturnType<typeof tallyVotes>> }[] = [
    {
      name: "passes: quorum, majority, differential",
      votes: [vote("0xA", "for", 15_000n, START + HOUR), vote("0xB", "abstain", 5_000n, START + HOUR), vote("0xC", "against", 1_000n, START + HOUR)],
      // For+Abstain = 20 000 ≥ 20 000; 15 000 > 1 000; 14 000 ≥ 5 000
      expected: { quorumReached: true, majorityFor: true, differentialReached: true, passed: true, forPower: 15_000n },
    },
    {
      name: "fails quorum by one",
      votes: [vote("0xA", "for", 19_999n, START + HOUR)],
      expected: { quorumReached: false, passed: false, quorumReachedAtMs: null },
    },
    {
      name: "abstain counts toward quorum, not majority",
      votes: [vote("0xA", "abstain", 30_000n, START + HOUR)],
      expected: { quorumReached: true, majorityFor: false, passed: false },
    },
    {
      name: "tie For = Against fails",
      votes: [vote("0xA", "for", 20_000n, START + HOUR), vote("0xB", "against", 20_000n, START + HOUR)],
      expected: { quorumReached: true, majorityFor: false, passed: false },
    },
    {
      name: "majority but below differential",
      // 24 000 − 20 000 = 4 000 < 5 000
      votes: [vote("0xA", "for", 24_000n, START + HOUR), vote("0xB", "against", 20_000n, START + HOUR)],
      expected: { majorityFor: true, differentialReached: false, passed: false },
    },
  ];
  it.each(cases)("$name", ({ votes, expected }) => {
    expect(tallyVotes({ votes, totalPower: TOTAL, level: LEVEL, voteStartMs: START, voteEndMs: END })).toMatchObject(expected);
  });
});

describe("vote replacement", () => {
  it("the latest vote per voter counts", () => {
    const votes = [vote("0xAbC", "for", 30_000n, START + HOUR), vote("0xabc", "against", 30_000n, START + 2 * HOUR)];
    const tally = tallyVotes({ votes, totalPower: TOTAL, level: LEVEL, voteStartMs: START, voteEndMs: END });
    expect([tally.forPower, tally.againstPower, tally.passed]).toEqual([0n, 30_000n, false]);
    expect(tally.counted).toEqual([votes[1]]);
    expect(tally.ignored[0].reason).toMatch(/replaced/);
    expect(latestVotes(votes)).toEqual([votes[1]]);
  });

  it("votes outside the window are ignored", () => {
    const votes = [vote("0xA", "for", 30_000n, START - 1), vote("0xB", "for", 30_000n, END + 1)];
    const tally = tallyVotes({ votes, totalPower: TOTAL, level: LEVEL, voteStartMs: START, voteEndMs: END });
    expect(tally.forPower).toBe(0n);
    expect(tally.ignored.map((i) => i.reason)).toEqual([expect.stringMatching(/before voting opened/), expect.stringMatching(/after the deadline/)]);
  });
});

describe("GovernorPreventLateQuorum", () => {
  const cases = [
    // Quorum at END − 30 h: END − 30 h + 24 h < END → no extension.
    { name: "quorum early: no extension", quorumAt: END - 30 * HOUR, deadline: END, extended: false },
    // Quorum at END − 2 h: deadline = END − 2 h + 24 h = END + 22 h.
    { name: "quorum late: extended", quorumAt: END - 2 * HOUR, deadline: END + 22 * HOUR, extended: true },
    // Quorum exactly at the deadline (still Active in OZ: deadline >= clock) → END + 24 h.
    { name: "quorum at the deadline", quorumAt: END, deadline: END + 24 * HOUR, extended: true },
  ];
  it.each(cases)("$name", ({ quorumAt, deadline, extended }) => {
    const tally = tallyVotes({ votes: [vote("0xA", "for", 25_000n, quorumAt)], totalPower: TOTAL, level: LEVEL, voteStartMs: START, voteEndMs: END });
    expect(tally).toMatchObject({ quorumReachedAtMs: quorumAt, deadlineMs: deadline, extended });
  });

  it("votes in the extension count; a vote after the extended deadline does not", () => {
    const votes = [
      vote("0xA", "for", 25_000n, END - HOUR), // quorum → deadline END + 23 h
      vote("0xB", "against", 10_000n, END + 10 * HOUR), // counts
      vote("0xC", "against", 10_000n, END + 23 * HOUR + 1), // too late
    ];
    const tally = tallyVotes({ votes, totalPower: TOTAL, level: LEVEL, voteStartMs: START, voteEndMs: END });
    expect([tally.deadlineMs, tally.againstPower, tally.passed]).toEqual([END + 23 * HOUR, 10_000n, true]);
  });

  it("reacts only to the first time quorum is reached", () => {
    const votes = [
      vote("0xA", "for", 25_000n, START + HOUR), // quorum reached early, no extension
      vote("0xA", "against", 25_000n, START + 2 * HOUR), // quorum lost (For+Abstain = 0)
      vote("0xB", "for", 60_000n, END - HOUR), // regained late: no second extension
    ];
    const tally = tallyVotes({ votes, totalPower: TOTAL, level: LEVEL, voteStartMs: START, voteEndMs: END });
    expect([tally.quorumReachedAtMs, tally.deadlineMs, tally.extended]).toEqual([START + HOUR, END, false]);
  });
});
