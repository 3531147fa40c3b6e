// Governed market parameters: the schema of a parameter set, the diff a proposal shows, and the
// invariants a proposal must satisfy before it can even be submitted.
//
// The fields are those of PARAMS.json (shared contract risk-cli.md) plus `fundingClamp`, which
// only governance manages. Structural checks come from the zod schema; the margin engine's own
// invariants come from lib/risk `validateMarketParams` (so a set that governance accepts is a set
// the engine accepts); the governance-only checks below add upper bounds and cross-field rules the
// engine does not need for computing but a protocol must not run with.
//
// Precision: every parameter is an IEEE-754 double. They are fractions and rates with at most
// ~6 significant digits in practice (0.004, 2.326348); comparisons here are exact on the values as
// written, and no arithmetic accumulates, so doubles lose nothing that matters.
import { z } from "zod";
import { validateMarketParams as validateEngineMarketParams } from "../risk/params";

/** Hours per year used by every volatility scaling in Riskwarden (365.25 days). */
export const HOURS_PER_YEAR = 8766;

const finiteNumber = z.number();

export const maintenanceTierSchema = z.strictObject({
  notionalFloor: finiteNumber,
  maintenanceMarginFraction: finiteNumber,
});

export const volatilityMarginSchema = z.strictObject({
  /** Annualised σ; required unless `source` is "ewma" (then the live EWMA σ is used). */
  annualVolatility: finiteNumber.optional(),
  source: z.enum(["fixed", "ewma"]).optional(),
  ewmaLambda: finiteNumber.optional(),
  z: finiteNumber,
  horizonHours: finiteNumber,
});

export const openInterestScalingSchema = z.strictObject({
  openInterestNotional: finiteNumber,
  lowerCap: finiteNumber,
  upperCap: finiteNumber,
});

export const cascadeSchema = z.strictObject({
  dailyVolatility: finiteNumber,
  dailyVolumeUsd: finiteNumber,
  impactCoefficient: finiteNumber,
  permanentImpactShare: finiteNumber,
});

/**
 * Funding clamp: the largest absolute funding rate per hour the protocol may charge.
 * Chosen as one explicit hourly cap (as Hyperliquid caps funding at 4 %/hour and Derive's
 * `max_rate_per_hour`) rather than dYdX Chain's derived clamp
 * `funding_rate_clamp_factor · (IMF − MMF)` per 8 h (dYdX Chain governance docs, Perpetual
 * module: factor 600 %), because an explicit number is what a voter can read and a steward can
 * bound. `dydxStyleFundingClampPerHour` converts the dYdX rule into this field.
 */
export const fundingClampSchema = z.strictObject({
  maxRatePerHour: finiteNumber,
});

export const marketParamsSchema = z.strictObject({
  initialMarginFraction: finiteNumber,
  maintenanceMarginFraction: finiteNumber,
  maintenanceTiers: z.array(maintenanceTierSchema).optional(),
  liquidationPenalty: finiteNumber.optional(),
  volatilityMargin: volatilityMarginSchema.optional(),
  openInterestScaling: openInterestScalingSchema.optional(),
  cascade: cascadeSchema.optional(),
  fundingClamp: fundingClampSchema.optional(),
});

export const parameterSetSchema = z.strictObject({
  markets: z.record(z.string().min(1), marketParamsSchema),
});

export type GovernedMarketParams = z.infer<typeof marketParamsSchema>;
export type GovernedParameterSet = z.infer<typeof parameterSetSchema>;
export type MaintenanceTier = z.infer<typeof maintenanceTierSchema>;

/** One changed leaf of one market: `path` is dotted inside the market (`volatilityMargin.z`). */
export interface ParamChange {
  market: string;
  path: string;
  /** Value in the active set; `undefined` when the field (or market) is new. */
  from?: unknown;
  /** Proposed value; `undefined` removes an optional field. */
  to?: unknown;
}

/** A problem with a proposal, with a JSON path such as `markets["ETH-USD"].liquidationPenalty`. */
export interface ParamIssue {
  path: string;
  reason: string;
}

/** Blocks whose leaves are diffed one by one; `maintenanceTiers` is diffed as one schedule. */
const OBJECT_BLOCKS = ["volatilityMargin", "openInterestScaling", "cascade", "fundingClamp"] as const;
const BLOCK_FIELDS: Record<(typeof OBJECT_BLOCKS)[number], readonly string[]> = {
  volatilityMargin: Object.keys(volatilityMarginSchema.shape),
  openInterestScaling: Object.keys(openInterestScalingSchema.shape),
  cascade: Object.keys(cascadeSchema.shape),
  fundingClamp: Object.keys(fundingClampSchema.shape),
};
const TOP_LEVEL_FIELDS = Object.keys(marketParamsSchema.shape);

/** Every path a change may name: top-level fields, whole blocks, and block leaves. */
export const CHANGEABLE_PATHS: readonly string[] = [
  ...TOP_LEVEL_FIELDS,
  ...OBJECT_BLOCKS.flatMap((block) => BLOCK_FIELDS[block].map((field) => `${block}.${field}`)),
];

/** JSON path segment for an object key, same spelling as lib/risk (`.key` or `["key"]`). */
export function keyPath(base: string, key: string): string {
  const segment = /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
  return base === "" ? segment.replace(/^\./, "") : `${base}${segment}`;
}

/** `markets["ETH-USD"].volatilityMargin.z` from market `ETH-USD` and path `volatilityMargin.z`. */
export function marketFieldPath(market: string, path: string): string {
  let result = keyPath("markets", market);
  for (const segment of path.split(".").filter((s) => s !== "")) {
    result = /^\d+$/.test(segment) ? `${result}[${segment}]` : keyPath(result, segment);
  }
  return result;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Structural equality of JSON values (numbers compared exactly). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((item, i) => jsonEqual(item, b[i]));
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)].filter((k) => a[k] !== undefined || b[k] !== undefined));
    return [...keys].every((k) => jsonEqual(a[k], b[k]));
  }
  return false;
}

function orderedKeys(a: Record<string, unknown> | undefined, b: Record<string, unknown> | undefined, canonical: readonly string[]): string[] {
  const present = new Set([...Object.keys(a ?? {}), ...Object.keys(b ?? {})]);
  const known = canonical.filter((k) => present.has(k));
  const unknown = [...present].filter((k) => !canonical.includes(k)).sort();
  return [...known, ...unknown];
}

function diffMarket(market: string, from: Record<string, unknown> | undefined, to: Record<string, unknown> | undefined): ParamChange[] {
  const changes: ParamChange[] = [];
  for (const field of orderedKeys(from, to, TOP_LEVEL_FIELDS)) {
    const before = from?.[field];
    const after = to?.[field];
    const blockFields = (BLOCK_FIELDS as Record<string, readonly string[]>)[field];
    const bothObjectsOrMissing = (isPlainObject(before) || before === undefined) && (isPlainObject(after) || after === undefined);
    if (blockFields && bothObjectsOrMissing) {
      const beforeBlock = before as Record<string, unknown> | undefined;
      const afterBlock = after as Record<string, unknown> | undefined;
      for (const leaf of orderedKeys(beforeBlock, afterBlock, blockFields)) {
        const leafBefore = beforeBlock?.[leaf];
        const leafAfter = afterBlock?.[leaf];
        if (!jsonEqual(leafBefore, leafAfter)) changes.push({ market, path: `${field}.${leaf}`, from: leafBefore, to: leafAfter });
      }
    } else if (!jsonEqual(before, after)) {
      changes.push({ market, path: field, from: before, to: after });
    }
  }
  return changes;
}

/**
 * Leaf-level differences between the active set and a proposed set, markets in name order and
 * fields in schema order. Blocks (volatilityMargin, …) are diffed leaf by leaf so steward bounds
 * can apply per parameter; the tier schedule is one value because tiers only make sense together.
 */
export function diffParams(active: GovernedParameterSet, proposed: GovernedParameterSet): ParamChange[] {
  const markets = [...new Set([...Object.keys(active.markets), ...Object.keys(proposed.markets)])].sort();
  return markets.flatMap((market) =>
    diffMarket(
      market,
      active.markets[market] as Record<string, unknown> | undefined,
      proposed.markets[market] as Record<string, unknown> | undefined,
    ),
  );
}

function deepClone<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}

/**
 * The active set with `changes` applied (a new object; the input is not modified). A change whose
 * `to` is undefined removes the field; a block left empty is removed too.
 */
export function applyChanges(active: GovernedParameterSet, changes: readonly ParamChange[]): GovernedParameterSet {
  const result = deepClone(active);
  for (const change of changes) {
    const market = (result.markets[change.market] ??= {} as GovernedMarketParams) as Record<string, unknown>;
    const segments = change.path.split(".");
    let container: Record<string, unknown> = market;
    for (const segment of segments.slice(0, -1)) {
      if (!isPlainObject(container[segment])) container[segment] = {};
      container = container[segment] as Record<string, unknown>;
    }
    const leaf = segments[segments.length - 1];
    if (change.to === undefined) delete container[leaf];
    else container[leaf] = deepClone(change.to);
    if (segments.length === 2 && Object.keys(container).length === 0) delete market[segments[0]];
  }
  return result;
}

/** Fraction z·σ·√(h/8766): the maintenance floor a volatility setting imposes (risk-cli.md). */
export function volatilityFloorFraction(z: number, annualVolatility: number, horizonHours: number): number {
  return z * annualVolatility * Math.sqrt(horizonHours / HOURS_PER_YEAR);
}

/**
 * dYdX Chain's funding clamp expressed per hour: factor·(IMF − MMF) is an 8-hour rate
 * (dYdX Chain governance docs, Perpetual module, `funding_rate_clamp_factor_ppm`, default 600 %).
 */
export function dydxStyleFundingClampPerHour(initialMarginFraction: number, maintenanceMarginFraction: number, clampFactor = 6): number {
  return (clampFactor * (initialMarginFraction - maintenanceMarginFraction)) / 8;
}

/**
 * Binance "maintenance amount" / Hyperliquid "maintenance deduction" of each tier:
 * deduction(0) = 0, deduction(n) = deduction(n−1) + floor(n)·(mmf(n) − mmf(n−1)) (risk-cli.md).
 * This is why governance never checks continuity of tiered maintenance: with the deduction defined
 * this way, N·mmf(n) − deduction(n) equals N·mmf(n−1) − deduction(n−1) at N = floor(n), so the
 * maintenance amount is continuous in notional by construction for any valid tier schedule.
 */
export function tierMaintenanceDeductions(tiers: readonly MaintenanceTier[]): number[] {
  const deductions: number[] = [];
  tiers.forEach((tier, n) => {
    deductions.push(n === 0 ? 0 : deductions[n - 1] + tier.notionalFloor * (tier.maintenanceMarginFraction - tiers[n - 1].maintenanceMarginFraction));
  });
  return deductions;
}

function describeInput(value: unknown): string {
  if (value === undefined) return "nothing";
  const text = typeof value === "number" ? String(value) : (JSON.stringify(value) ?? String(value));
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const segment of path) value = value === null || typeof value !== "object" ? undefined : (value as Record<PropertyKey, unknown>)[segment];
  return value;
}

function zodIssuesToParamIssues(error: z.ZodError, basePath: string, input: unknown): ParamIssue[] {
  return error.issues.map((issue) => {
    let path = basePath;
    for (const segment of issue.path) path = typeof segment === "number" ? `${path}[${segment}]` : keyPath(path, String(segment));
    if (issue.code === "unrecognized_keys") {
      const block = issue.path[issue.path.length - 1];
      const known =
        issue.path.length === 0
          ? TOP_LEVEL_FIELDS
          : typeof block === "number"
            ? Object.keys(maintenanceTierSchema.shape)
            : ((BLOCK_FIELDS as Record<string, readonly string[]>)[String(block)] ?? []);
      return { path: path || "$", reason: `unknown parameter ${issue.keys.map((k) => JSON.stringify(k)).join(", ")} (known: ${known.join(", ")})` };
    }
    const received = describeInput(valueAt(input, issue.path));
    const reason = issue.code === "invalid_type" ? `expected a finite ${issue.expected}, got ${received}` : `${issue.message}, got ${received}`;
    return { path: path || "$", reason };
  });
}

/**
 * Governance-only invariants, on a structurally valid market. lib/risk already refuses
 * 0 < mmf < imf ≤ 1, tier ordering, penalty < flat mmf, non-positive volatility/cascade values and
 * OI caps out of order; these add what a protocol must not run with:
 *  - every tier fraction below initialMarginFraction (the top tier applies to unbounded notional;
 *    at or above IMF a large position would be liquidatable the moment it is opened);
 *  - liquidationPenalty below the smallest maintenance fraction in force (tier 0 when tiered);
 *  - volatility z in (0, 10], σ in (0, 10], horizonHours in (0, 8766], and its floor below IMF;
 *  - fundingClamp.maxRatePerHour > 0.
 */
function governanceIssues(params: GovernedMarketParams, basePath: string): ParamIssue[] {
  const issues: ParamIssue[] = [];
  const imf = params.initialMarginFraction;
  const tiers = params.maintenanceTiers ?? [];
  tiers.forEach((tier, index) => {
    if (tier.maintenanceMarginFraction >= imf) {
      issues.push({
        path: keyPath(`${keyPath(basePath, "maintenanceTiers")}[${index}]`, "maintenanceMarginFraction"),
        reason: `expected less than initialMarginFraction (${imf}), got ${tier.maintenanceMarginFraction}: positions in this tier would be liquidatable as soon as they are opened`,
      });
    }
  });
  if (params.liquidationPenalty !== undefined && tiers.length > 0) {
    const smallest = tiers[0].maintenanceMarginFraction;
    if (!(params.liquidationPenalty < smallest)) {
      issues.push({
        path: keyPath(basePath, "liquidationPenalty"),
        reason: `expected less than the smallest tier maintenance fraction (maintenanceTiers[0]: ${smallest}), got ${params.liquidationPenalty}`,
      });
    }
  }
  const volatility = params.volatilityMargin;
  if (volatility) {
    const volatilityPath = keyPath(basePath, "volatilityMargin");
    const issuesBefore = issues.length;
    if (!(volatility.z > 0 && volatility.z <= 10)) {
      issues.push({ path: keyPath(volatilityPath, "z"), reason: `expected a z-score in (0, 10], got ${volatility.z}` });
    }
    if (volatility.annualVolatility !== undefined && !(volatility.annualVolatility > 0 && volatility.annualVolatility <= 10)) {
      issues.push({ path: keyPath(volatilityPath, "annualVolatility"), reason: `expected an annualised volatility in (0, 10], got ${volatility.annualVolatility}` });
    }
    if (!(volatility.horizonHours > 0 && volatility.horizonHours <= HOURS_PER_YEAR)) {
      issues.push({ path: keyPath(volatilityPath, "horizonHours"), reason: `expected hours in (0, ${HOURS_PER_YEAR}] (at most one year), got ${volatility.horizonHours}` });
    }
    if (volatility.source === "ewma" && volatility.annualVolatility === undefined) {
      // σ is live; nothing more to check statically.
    } else if (volatility.annualVolatility === undefined) {
      issues.push({ path: keyPath(volatilityPath, "annualVolatility"), reason: `expected a number when source is "fixed", got nothing` });
    } else if (issues.length === issuesBefore) {
      const floor = volatilityFloorFraction(volatility.z, volatility.annualVolatility, volatility.horizonHours);
      if (floor >= imf) {
        issues.push({
          path: volatilityPath,
          reason: `volatility floor z·σ·√(h/${HOURS_PER_YEAR}) = ${floor.toPrecision(6)} must be below initialMarginFraction (${imf}), or every position would be liquidatable at open`,
        });
      }
    }
  }
  if (params.fundingClamp && !(params.fundingClamp.maxRatePerHour > 0)) {
    issues.push({ path: keyPath(keyPath(basePath, "fundingClamp"), "maxRatePerHour"), reason: `expected a positive rate per hour, got ${params.fundingClamp.maxRatePerHour}` });
  }
  return issues;
}

/**
 * Every issue of one market's governed parameters (paths under `basePath`). Structure first (a
 * wrong type or an unknown key stops there: nothing else can be judged), then the engine's
 * invariants, then governance's.
 */
export function validateGovernedMarketParams(value: unknown, basePath = ""): ParamIssue[] {
  const parsed = marketParamsSchema.safeParse(value);
  if (!parsed.success) return zodIssuesToParamIssues(parsed.error, basePath, value);
  const issues = validateEngineMarketParams(value, basePath);
  const seen = new Set(issues.map((issue) => `${issue.path}\u0000${issue.reason}`));
  for (const issue of governanceIssues(parsed.data, basePath)) {
    // The engine may already report the same field (e.g. z ≤ 0); keep one message per path.
    if (issues.some((existing) => existing.path === issue.path)) continue;
    if (!seen.has(`${issue.path}\u0000${issue.reason}`)) issues.push(issue);
  }
  return issues;
}

/** Every issue of a whole parameter set. */
export function validateGovernedParameterSet(value: unknown): ParamIssue[] {
  if (!isPlainObject(value) || !isPlainObject(value.markets)) {
    return [{ path: "markets", reason: `expected an object keyed by market` }];
  }
  return Object.entries(value.markets).flatMap(([market, params]) => validateGovernedMarketParams(params, keyPath("markets", market)));
}

/**
 * Refuses a proposal's change list with the field and reason: it must change something, name only
 * known parameters once each, agree with the active set on `from` when given (a proposal written
 * against an older version is stale), and leave every touched market satisfying all invariants.
 * Returns [] when the changes may be proposed.
 */
export function validateProposalChanges(changes: readonly ParamChange[], active: GovernedParameterSet): ParamIssue[] {
  if (changes.length === 0) return [{ path: "changes", reason: "a proposal must change at least one parameter" }];
  const issues: ParamIssue[] = [];
  const seen = new Set<string>();
  for (const change of changes) {
    const path = marketFieldPath(change.market, change.path);
    if (!change.market) {
      issues.push({ path: "changes", reason: "every change must name a market" });
      continue;
    }
    if (!CHANGEABLE_PATHS.includes(change.path)) {
      issues.push({ path, reason: `unknown parameter "${change.path}" (changeable: ${CHANGEABLE_PATHS.join(", ")})` });
      continue;
    }
    const key = `${change.market}\u0000${change.path}`;
    if (seen.has(key)) {
      issues.push({ path, reason: "changed more than once in the same proposal" });
      continue;
    }
    seen.add(key);
    const current = readMarketParam(active, change.market, change.path);
    if ("from" in change && change.from !== undefined && !jsonEqual(change.from, current)) {
      issues.push({ path, reason: `stale: the active value is ${JSON.stringify(current) ?? "absent"}, the change was written against ${JSON.stringify(change.from)}` });
    }
    if (jsonEqual(change.to, current)) issues.push({ path, reason: `no change: the active value is already ${JSON.stringify(current) ?? "absent"}` });
  }
  if (issues.length > 0) return issues;
  const proposed = applyChanges(active, changes);
  const touched = [...new Set(changes.map((c) => c.market))].sort();
  for (const market of touched) issues.push(...validateGovernedMarketParams(proposed.markets[market], keyPath("markets", market)));
  return issues;
}

/** The value at a dotted `path` inside `market` of `set`; undefined when absent. */
export function readMarketParam(set: GovernedParameterSet, market: string, path: string): unknown {
  let value: unknown = set.markets[market];
  for (const segment of path.split(".")) {
    if (!isPlainObject(value)) return undefined;
    value = value[segment];
  }
  return value;
}
