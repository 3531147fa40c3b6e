// Governance settings: committee size, the two impact levels (minor / major) with their voting
// rules, and the risk steward's bounds. Configurable; validated so that the major level is never
// weaker than the minor one.
//
// Levels follow Aave Governance v3's access levels: Level 1 (ordinary protocol changes) and
// Level 2 (changes with recursive influence on governance), each with its own
// `VotingConfig {coolDownBeforeVotingStart, votingDuration, yesThreshold, yesNoDifferential}`
// (aave-dao/aave-governance-v3, src/contracts/Governance.sol `initializeWithRevision`:
// Level 1 = 1 day cooldown, 3 days voting, 320 000 AAVE yes threshold, 80 000 differential;
// Level 2 = 1 day, 10 days, 1 040 000, 1 040 000). Against the 16 M AAVE supply those are
// 2 % / 0.5 % and 6.5 % / 6.5 %, which is how they are expressed here: in basis points of the
// proposal's frozen voting-power total, so the rule does not depend on token decimals.
// Timelock and grace period follow Aave Governance v2's executors (aave/governance-v2 README:
// short executor delay 1 day, long executor 7 days, grace period 5 days for both).
//
// Steward bounds follow Aave's RiskSteward (aave-dao/aave-v3-risk-stewards,
// src/contracts/RiskSteward.sol): per parameter a `maxPercentChange` that is either relative to
// the current value or absolute (`isChangeRelative`), and a `minDelay` between two updates of the
// same parameter of the same asset; restricted assets and a per-parameter "change not allowed".
import { z } from "zod";
import { CHANGEABLE_PATHS, type ParamIssue } from "./params";

const DAY_MS = 86_400_000;
const bps = z.number().int().min(0).max(10_000);
const durationMs = z.number().int().min(0);

export const governanceLevelSchema = z.strictObject({
  /** For + Abstain must reach this share of the frozen total power (basis points). */
  quorumBps: bps,
  /** For − Against must reach this share of the frozen total power (basis points). */
  voteDifferentialBps: bps,
  /** From submission (Pending) to voteStart. */
  votingDelayMs: durationMs,
  votingPeriodMs: durationMs.min(1),
  /** GovernorPreventLateQuorum vote extension; at most the voting period, as OpenZeppelin bounds it. */
  lateQuorumExtensionMs: durationMs,
  /** From queueing to the earliest execution. */
  timelockMs: durationMs,
  /** After the timelock, how long execution stays possible before the proposal expires. */
  gracePeriodMs: durationMs.min(1),
});

/** Exactly one of relative (0.1 = ±10 % of the current value) or absolute (same unit as the field). */
export const stewardBoundSchema = z
  .strictObject({
    maxChangeRelative: z.number().positive().optional(),
    maxChangeAbsolute: z.number().positive().optional(),
    minDelayMs: durationMs,
  })
  .refine((bound) => (bound.maxChangeRelative === undefined) !== (bound.maxChangeAbsolute === undefined), {
    message: "expected exactly one of maxChangeRelative or maxChangeAbsolute",
  });

export const governanceSettingsSchema = z.strictObject({
  committee: z.strictObject({
    /** N of the N-of-M review. */
    approvalsRequired: z.number().int().min(1),
    /** M: number of committee members. */
    memberCount: z.number().int().min(1),
  }),
  levels: z.strictObject({ minor: governanceLevelSchema, major: governanceLevelSchema }),
  steward: z.strictObject({
    /** Keyed by parameter path inside a market (`maintenanceMarginFraction`, `volatilityMargin.annualVolatility`). */
    bounds: z.record(z.string(), stewardBoundSchema),
    restrictedMarkets: z.array(z.string()),
    paused: z.boolean(),
  }),
});

export type GovernanceLevel = z.infer<typeof governanceLevelSchema>;
export type StewardBound = z.infer<typeof stewardBoundSchema>;
export type GovernanceSettings = z.infer<typeof governanceSettingsSchema>;
export type ImpactTier = "minor" | "major";

export const DEFAULT_GOVERNANCE_SETTINGS: GovernanceSettings = {
  committee: { approvalsRequired: 2, memberCount: 3 },
  levels: {
    // Aave v3 Level 1 (2 % / 0.5 %, 1 day cooldown, 3 days voting), v2 short executor (1 day delay, 5 days grace).
    minor: {
      quorumBps: 200,
      voteDifferentialBps: 50,
      votingDelayMs: 1 * DAY_MS,
      votingPeriodMs: 3 * DAY_MS,
      lateQuorumExtensionMs: 1 * DAY_MS,
      timelockMs: 1 * DAY_MS,
      gracePeriodMs: 5 * DAY_MS,
    },
    // Aave v3 Level 2 (6.5 % / 6.5 %, 1 day cooldown, 10 days voting), v2 long executor (7 days delay, 5 days grace).
    major: {
      quorumBps: 650,
      voteDifferentialBps: 650,
      votingDelayMs: 1 * DAY_MS,
      votingPeriodMs: 10 * DAY_MS,
      lateQuorumExtensionMs: 2 * DAY_MS,
      timelockMs: 7 * DAY_MS,
      gracePeriodMs: 5 * DAY_MS,
    },
  },
  steward: {
    // Aave's RiskSteward tests use minDelay 5 days with ±10 % relative (caps) and ±2 % absolute
    // (liquidation bonus). Margin fractions here move in absolute percentage points; sizes and
    // rates relative. Parameters without a bound (z, horizon, tiers, cascade) need a vote.
    bounds: {
      initialMarginFraction: { maxChangeAbsolute: 0.01, minDelayMs: 3 * DAY_MS },
      maintenanceMarginFraction: { maxChangeAbsolute: 0.005, minDelayMs: 3 * DAY_MS },
      liquidationPenalty: { maxChangeAbsolute: 0.0025, minDelayMs: 5 * DAY_MS },
      "volatilityMargin.annualVolatility": { maxChangeRelative: 0.25, minDelayMs: 1 * DAY_MS },
      "openInterestScaling.lowerCap": { maxChangeRelative: 0.1, minDelayMs: 5 * DAY_MS },
      "openInterestScaling.upperCap": { maxChangeRelative: 0.1, minDelayMs: 5 * DAY_MS },
      "fundingClamp.maxRatePerHour": { maxChangeRelative: 0.25, minDelayMs: 1 * DAY_MS },
    },
    restrictedMarkets: [],
    paused: false,
  },
};

/** Fields where the major level must be ≥ the minor level to be "never weaker". */
const STRICTNESS_FIELDS = ["quorumBps", "voteDifferentialBps", "votingDelayMs", "votingPeriodMs", "lateQuorumExtensionMs", "timelockMs"] as const;

/** Paths a steward bound may name: numeric leaves only (not whole blocks, not the tier schedule). */
const BOUNDABLE_PATHS = CHANGEABLE_PATHS.filter(
  (path) => !["maintenanceTiers", "volatilityMargin", "openInterestScaling", "cascade", "fundingClamp", "volatilityMargin.source"].includes(path),
);

/** Cross-field rules the schema cannot express. Assumes a structurally valid object. */
export function validateGovernanceSettings(settings: GovernanceSettings): ParamIssue[] {
  const issues: ParamIssue[] = [];
  const { approvalsRequired, memberCount } = settings.committee;
  if (approvalsRequired > memberCount) {
    issues.push({ path: "committee.approvalsRequired", reason: `expected at most memberCount (${memberCount}), got ${approvalsRequired}` });
  }
  const { minor, major } = settings.levels;
  for (const field of STRICTNESS_FIELDS) {
    if (major[field] < minor[field]) {
      issues.push({ path: `levels.major.${field}`, reason: `expected at least levels.minor.${field} (${minor[field]}): the major level may never be weaker than the minor one, got ${major[field]}` });
    }
  }
  for (const name of ["minor", "major"] as const) {
    const level = settings.levels[name];
    if (level.lateQuorumExtensionMs > level.votingPeriodMs) {
      // OpenZeppelin GovernorPreventLateQuorum `_maxLateQuorumVoteExtension()` defaults to votingPeriod().
      issues.push({ path: `levels.${name}.lateQuorumExtensionMs`, reason: `expected at most votingPeriodMs (${level.votingPeriodMs}), got ${level.lateQuorumExtensionMs}` });
    }
  }
  for (const path of Object.keys(settings.steward.bounds)) {
    if (!BOUNDABLE_PATHS.includes(path)) {
      issues.push({ path: `steward.bounds[${JSON.stringify(path)}]`, reason: `expected a numeric market parameter (${BOUNDABLE_PATHS.join(", ")})` });
    }
  }
  return issues;
}

export type ParsedGovernanceSettings = { ok: true; settings: GovernanceSettings } | { ok: false; issues: ParamIssue[] };

function mergeOver(base: unknown, override: unknown): unknown {
  if (override === undefined) return base;
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
  if (!isObject(base) || !isObject(override)) return override;
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(override)) merged[key] = mergeOver(base[key], value);
  return merged;
}

/**
 * Settings from a partial override (a config file, an admin form) on top of the defaults.
 * Steward `bounds` merge per parameter; pass `null`-free values only. Returns every issue.
 */
export function parseGovernanceSettings(partial: unknown = {}): ParsedGovernanceSettings {
  const parsed = governanceSettingsSchema.safeParse(mergeOver(DEFAULT_GOVERNANCE_SETTINGS, partial));
  if (!parsed.success) {
    return {
      ok: false,
      issues: parsed.error.issues.map((issue) => ({
        path: issue.path.map((segment) => (typeof segment === "number" ? `[${segment}]` : String(segment))).join(".").replace(/\.\[/g, "["),
        reason: issue.message,
      })),
    };
  }
  const issues = validateGovernanceSettings(parsed.data);
  return issues.length > 0 ? { ok: false, issues } : { ok: true, settings: parsed.data };
}
