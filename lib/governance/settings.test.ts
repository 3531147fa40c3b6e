import { describe, expect, it } from "vitest";
import { DEFAULT_GOVERNANCE_SETTINGS, parseGovernanceSettings, validateGovernanceSettings } from "./settings";

const DAY_MS = 86_400_000;

describe("governance settings", () => {
  it("defaults are valid and carry Aave's level numbers", () => {
    expect(validateGovernanceSettings(DEFAULT_GOVERNANCE_SETTINGS)).toEqual([]);
    const { minor, major } = DEFAULT_GOVERNANCE_SETTINGS.levels;
    // Aave v3 Level 1: 320 000 / 16 M AAVE = 2 %, 80 000 / 16 M = 0.5 %, 3 days voting.
    expect([minor.quorumBps, minor.voteDifferentialBps, minor.votingPeriodMs]).toEqual([200, 50, 3 * DAY_MS]);
    // Aave v3 Level 2: 1 040 000 / 16 M = 6.5 % for both, 10 days voting; v2 long executor 7 days delay.
    expect([major.quorumBps, major.voteDifferentialBps, major.votingPeriodMs, major.timelockMs]).toEqual([650, 650, 10 * DAY_MS, 7 * DAY_MS]);
  });

  it("merges a partial override over the defaults", () => {
    const result = parseGovernanceSettings({ committee: { approvalsRequired: 3, memberCount: 5 }, steward: { paused: true } });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.settings.committee).toEqual({ approvalsRequired: 3, memberCount: 5 });
    expect(result.settings.steward.paused).toBe(true);
    expect(result.settings.steward.bounds.maintenanceMarginFraction).toEqual({ maxChangeAbsolute: 0.005, minDelayMs: 3 * DAY_MS });
  });

  const refused: { name: string; override: unknown; path: string; reason: RegExp }[] = [
    { name: "N > M", override: { committee: { approvalsRequired: 4, memberCount: 3 } }, path: "committee.approvalsRequired", reason: /at most memberCount \(3\), got 4/ },
    { name: "major quorum weaker", override: { levels: { major: { quorumBps: 100 } } }, path: "levels.major.quorumBps", reason: /at least levels\.minor\.quorumBps \(200\).*got 100/ },
    { name: "major differential weaker", override: { levels: { major: { voteDifferentialBps: 10 } } }, path: "levels.major.voteDifferentialBps", reason: /\(50\)/ },
    { name: "major voting period shorter", override: { levels: { major: { votingPeriodMs: DAY_MS } } }, path: "levels.major.votingPeriodMs", reason: /never be weaker/ },
    { name: "major timelock shorter", override: { levels: { minor: { timelockMs: 8 * DAY_MS } } }, path: "levels.major.timelockMs", reason: /\(691200000\)/ },
    { name: "extension longer than voting", override: { levels: { minor: { lateQuorumExtensionMs: 4 * DAY_MS } } }, path: "levels.minor.lateQuorumExtensionMs", reason: /at most votingPeriodMs/ },
    { name: "bound on a non-numeric path", override: { steward: { bounds: { maintenanceTiers: { maxChangeRelative: 0.1, minDelayMs: 0 } } } }, path: 'steward.bounds["maintenanceTiers"]', reason: /numeric market parameter/ },
    { name: "bound with both kinds", override: { steward: { bounds: { liquidationPenalty: { maxChangeRelative: 0.1, maxChangeAbsolute: 0.01, minDelayMs: 0 } } } }, path: "steward.bounds.liquidationPenalty", reason: /exactly one of/ },
    { name: "quorum above 100 %", override: { levels: { minor: { quorumBps: 10_001 } } }, path: "levels.minor.quorumBps", reason: /10000/ },
  ];
  it.each(refused)("refuses $name", ({ override, path, reason }) => {
    const result = parseGovernanceSettings(override);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const issue = result.issues.find((i) => i.path === path);
    expect(issue, JSON.stringify(result.issues)).toBeDefined();
    expect(issue!.reason).toMatch(reason);
  });
});
