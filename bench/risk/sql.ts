// The benchmark's preview in SQL (DuckDB and PostgreSQL share the text): for both parameter sets
// and every uniform shock f, liquidatable accounts, shortfall and notional at risk; plus newly /
// no-longer liquidatable accounts at f = 0. Everything is derived in SQL from the raw rows and the
// raw parameters: tier deductions (Binance maintenance amount) by a window sum, the volatility
// floor z·σ·√(h/8766), and MM(N) = max over the tier lines and the floor line (the maintenance
// curve is convex and continuous, so it equals the max of its pieces; no range join needed).
import type { ParamsSet } from "../../lib/risk/types";

export const maxTiers = 8;

export const createTablesSql = [
  "CREATE TABLE accounts (account_id INTEGER, isolated INTEGER, collateral DOUBLE PRECISION)",
  "CREATE TABLE positions (position_id INTEGER, account_id INTEGER, market INTEGER, size DOUBLE PRECISION, entry DOUBLE PRECISION, margin DOUBLE PRECISION)",
  "CREATE TABLE marks (market INTEGER, mark DOUBLE PRECISION)",
  "CREATE TABLE tiers (set_id INTEGER, market INTEGER, tier_no INTEGER, notional_floor DOUBLE PRECISION, mmf DOUBLE PRECISION)",
  "CREATE TABLE vol_floor (set_id INTEGER, market INTEGER, z DOUBLE PRECISION, annual_vol DOUBLE PRECISION, horizon_hours DOUBLE PRECISION)",
  "CREATE TABLE shocks (shock_id INTEGER, f DOUBLE PRECISION)",
];

/** Rows of the parameter tables for set 0 (current) and 1 (proposed). */
export function parameterRows(marketNames: string[], sets: ParamsSet[]): { tiers: string[]; volFloor: string[] } {
  const tiers: string[] = [];
  const volFloor: string[] = [];
  sets.forEach((set, setId) => {
    marketNames.forEach((name, market) => {
      const params = set.markets[name];
      const ladder = params.maintenanceTiers ?? [{ notionalFloor: 0, maintenanceMarginFraction: params.maintenanceMarginFraction }];
      if (ladder.length > maxTiers) throw new Error(`bench SQL supports ${maxTiers} tiers, ${name} has ${ladder.length}`);
      ladder.forEach((tier, tierNo) => tiers.push(`${setId},${market},${tierNo},${tier.notionalFloor},${tier.maintenanceMarginFraction}`));
      const volatility = params.volatilityMargin;
      if (volatility) volFloor.push(`${setId},${market},${volatility.z},${volatility.annualVolatility},${volatility.horizonHours}`);
    });
  });
  return { tiers, volFloor };
}

const pieceColumns = Array.from({ length: maxTiers }, (_, k) => k);

/** Straightforward form: every position × shock evaluated, grouped per unit then per account. */
export function previewSqlDirect(zeroShockId: number): string {
  const pieces = pieceColumns
    .map((k) => `COALESCE(MAX(CASE WHEN tier_no = ${k} THEN mmf END), MAX(CASE WHEN tier_no = 0 THEN mmf END)) AS s${k}, COALESCE(MAX(CASE WHEN tier_no = ${k} THEN -deduction END), 0) AS i${k}`)
    .join(",\n      ");
  const greatest = pieceColumns.map((k) => `p.notional * (1 + s.f) * c.s${k} + c.i${k}`).join(", ");
  return `
WITH tier_lines AS (
  SELECT set_id, market, tier_no, mmf,
         SUM(notional_floor * (mmf - prev_mmf)) OVER (PARTITION BY set_id, market ORDER BY tier_no ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS deduction
  FROM (SELECT set_id, market, tier_no, notional_floor, mmf,
               COALESCE(LAG(mmf) OVER (PARTITION BY set_id, market ORDER BY tier_no), 0) AS prev_mmf
        FROM tiers) ladder
),
curve_pieces AS (
  SELECT set_id, market,
      ${pieces}
  FROM tier_lines GROUP BY set_id, market
),
curve AS (
  SELECT cp.*, COALESCE(vf.z * vf.annual_vol * sqrt(vf.horizon_hours / 8766.0), 0) AS v
  FROM curve_pieces cp LEFT JOIN vol_floor vf ON vf.set_id = cp.set_id AND vf.market = cp.market
),
pos AS (
  SELECT p.account_id,
         CASE WHEN a.isolated = 1 THEN -1 - p.position_id ELSE p.account_id END AS unit_id,
         p.market, p.size, p.entry, p.margin, a.isolated, a.collateral, m.mark,
         abs(p.size) * m.mark AS notional
  FROM positions p JOIN accounts a ON a.account_id = p.account_id JOIN marks m ON m.market = p.market
),
units AS (
  SELECT unit_id, MIN(account_id) AS account_id,
         MIN(CASE WHEN isolated = 1 THEN margin ELSE collateral END) + SUM(size * (mark - entry)) AS equity0,
         SUM(size * mark) AS equity_slope,
         SUM(notional) AS notional
  FROM pos GROUP BY unit_id
),
unit_mm AS (
  SELECT c.set_id, s.shock_id, p.unit_id,
         SUM(GREATEST(${greatest}, p.notional * (1 + s.f) * c.v)) AS mm
  FROM pos p JOIN curve c ON c.market = p.market CROSS JOIN shocks s
  GROUP BY c.set_id, s.shock_id, p.unit_id
),
unit_state AS (
  SELECT um.set_id, um.shock_id, u.account_id, u.equity0 + s.f * u.equity_slope AS equity, um.mm, (1 + s.f) * u.notional AS notional
  FROM unit_mm um JOIN units u ON u.unit_id = um.unit_id JOIN shocks s ON s.shock_id = um.shock_id
),
account_state AS (
  SELECT set_id, shock_id, account_id,
         MAX(CASE WHEN equity < mm THEN 1 ELSE 0 END) AS liquidatable,
         SUM(CASE WHEN equity < mm THEN mm - equity ELSE 0 END) AS shortfall,
         SUM(CASE WHEN equity < mm THEN notional ELSE 0 END) AS notional_at_risk
  FROM unit_state GROUP BY set_id, shock_id, account_id
)
SELECT set_id, shock_id, SUM(liquidatable) AS liquidatable, SUM(shortfall) AS shortfall, SUM(notional_at_risk) AS notional_at_risk
FROM account_state GROUP BY set_id, shock_id
UNION ALL
SELECT -1 AS set_id, ${zeroShockId} AS shock_id,
       SUM(CASE WHEN proposed = 1 AND current_ = 0 THEN 1 ELSE 0 END) AS liquidatable,
       SUM(CASE WHEN current_ = 1 AND proposed = 0 THEN 1 ELSE 0 END) AS shortfall,
       0 AS notional_at_risk
FROM (SELECT account_id,
             MAX(CASE WHEN set_id = 0 THEN liquidatable END) AS current_,
             MAX(CASE WHEN set_id = 1 THEN liquidatable END) AS proposed
      FROM account_state WHERE shock_id = ${zeroShockId} GROUP BY account_id) base
`;
}

export interface SqlPreviewRow {
  setId: number;
  shockId: number;
  liquidatable: number;
  shortfall: number;
  notionalAtRisk: number;
}

export function toPreviewRows(rows: unknown[][]): SqlPreviewRow[] {
  return rows.map((row) => ({
    setId: Number(row[0]),
    shockId: Number(row[1]),
    liquidatable: Number(row[2]),
    shortfall: Number(row[3]),
    notionalAtRisk: Number(row[4]),
  }));
}

/**
 * Hand-optimised form (the default): the same numbers with the engine's idea expressed in SQL.
 * Per (set, position), the curve line in force at the low and at the high end of the shock range
 * (argmax of the lines); where they agree the position's maintenance is linear in (1+f), so each
 * unit gets coefficients S, I with one GROUP BY over positions, and only positions crossing a
 * breakpoint inside the range are evaluated per shock. Units × shocks are then a join without a
 * per-unit aggregation; accounts are counted as cross units + distinct isolated accounts.
 */
export function previewSqlOptimised(zeroShockId: number): string {
  const pieces = pieceColumns
    .map((k) => `COALESCE(MAX(CASE WHEN tier_no = ${k} THEN mmf END), MAX(CASE WHEN tier_no = 0 THEN mmf END)) AS s${k}, COALESCE(MAX(CASE WHEN tier_no = ${k} THEN -deduction END), 0) AS i${k}`)
    .join(",\n      ");
  const lines = (x: string, prefix: string) => [...pieceColumns.map((k) => `${x} * c.s${k} + c.i${k} AS ${prefix}${k}`), `${x} * c.v AS ${prefix}${maxTiers}`].join(", ");
  const allPieces = [...pieceColumns, maxTiers];
  const greatestOf = (prefix: string) => `GREATEST(${allPieces.map((k) => `${prefix}${k}`).join(", ")})`;
  const argmax = (prefix: string) => `CASE ${allPieces.map((k) => `WHEN ${prefix}${k} = ${prefix}g THEN ${k}`).join(" ")} END`;
  const slopeOf = (index: string) => `CASE ${index} ${pieceColumns.map((k) => `WHEN ${k} THEN s${k}`).join(" ")} ELSE v END`;
  const interceptOf = (index: string) => `CASE ${index} ${pieceColumns.map((k) => `WHEN ${k} THEN i${k}`).join(" ")} ELSE 0 END`;
  const greatestAt = pieceColumns.map((k) => `pp.notional * (1 + s.f) * pp.s${k} + pp.i${k}`).join(", ");
  const unitState = (shockFilter: string) => `
  SELECT uc.set_id, s.shock_id, s.f, u.account_id, u.isolated,
         u.equity0 + s.f * u.equity_slope AS equity,
         uc.intercept + (1 + s.f) * uc.slope + COALESCE(cm.extra, 0) AS mm,
         (1 + s.f) * u.notional AS notional
  FROM unit_coef uc
  JOIN units u ON u.unit_id = uc.unit_id
  CROSS JOIN shocks s
  LEFT JOIN crossing_mm cm ON cm.set_id = uc.set_id AND cm.shock_id = s.shock_id AND cm.unit_id = uc.unit_id
  ${shockFilter}`;
  return `
WITH tier_lines AS (
  SELECT set_id, market, tier_no, mmf,
         SUM(notional_floor * (mmf - prev_mmf)) OVER (PARTITION BY set_id, market ORDER BY tier_no ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS deduction
  FROM (SELECT set_id, market, tier_no, notional_floor, mmf,
               COALESCE(LAG(mmf) OVER (PARTITION BY set_id, market ORDER BY tier_no), 0) AS prev_mmf
        FROM tiers) ladder
),
curve_pieces AS (
  SELECT set_id, market,
      ${pieces}
  FROM tier_lines GROUP BY set_id, market
),
curve AS (
  SELECT cp.*, COALESCE(vf.z * vf.annual_vol * sqrt(vf.horizon_hours / 8766.0), 0) AS v
  FROM curve_pieces cp LEFT JOIN vol_floor vf ON vf.set_id = cp.set_id AND vf.market = cp.market
),
shock_range AS (SELECT MIN(f) AS low, MAX(f) AS high FROM shocks),
pos AS (
  SELECT p.account_id,
         CASE WHEN a.isolated = 1 THEN -1 - p.position_id ELSE p.account_id END AS unit_id,
         p.market, p.size, p.entry, p.margin, a.isolated, a.collateral, m.mark,
         abs(p.size) * m.mark AS notional
  FROM positions p JOIN accounts a ON a.account_id = p.account_id JOIN marks m ON m.market = p.market
),
units AS (
  SELECT unit_id, MIN(account_id) AS account_id, MIN(isolated) AS isolated,
         MIN(CASE WHEN isolated = 1 THEN margin ELSE collateral END) + SUM(size * (mark - entry)) AS equity0,
         SUM(size * mark) AS equity_slope,
         SUM(notional) AS notional
  FROM pos GROUP BY unit_id
),
pos_lines AS (
  SELECT c.set_id, p.unit_id, p.notional, c.s0, c.s1, c.s2, c.s3, c.s4, c.s5, c.s6, c.s7, c.i0, c.i1, c.i2, c.i3, c.i4, c.i5, c.i6, c.i7, c.v,
         ${lines("p.notional * (1 + r.low)", "lo")},
         ${lines("p.notional * (1 + r.high)", "hi")}
  FROM pos p JOIN curve c ON c.market = p.market CROSS JOIN shock_range r
),
pos_piece AS (
  SELECT pl.*, ${argmax("lo")} AS lo_k, ${argmax("hi")} AS hi_k
  FROM (SELECT pos_lines.*, ${greatestOf("lo")} AS log, ${greatestOf("hi")} AS hig FROM pos_lines) pl
),
unit_coef AS (
  SELECT set_id, unit_id,
         SUM(CASE WHEN lo_k = hi_k THEN (${slopeOf("lo_k")}) * notional ELSE 0 END) AS slope,
         SUM(CASE WHEN lo_k = hi_k THEN ${interceptOf("lo_k")} ELSE 0 END) AS intercept
  FROM pos_piece GROUP BY set_id, unit_id
),
crossing_mm AS (
  SELECT pp.set_id, s.shock_id, pp.unit_id, SUM(GREATEST(${greatestAt}, pp.notional * (1 + s.f) * pp.v)) AS extra
  FROM pos_piece pp CROSS JOIN shocks s
  WHERE pp.lo_k <> pp.hi_k
  GROUP BY pp.set_id, s.shock_id, pp.unit_id
),
unit_state AS (${unitState("")}
),
unit_state_zero AS (${unitState(`WHERE s.shock_id = ${zeroShockId}`)}
)
SELECT set_id, shock_id,
       SUM(CASE WHEN equity < mm AND isolated = 0 THEN 1 ELSE 0 END) + COUNT(DISTINCT CASE WHEN equity < mm AND isolated = 1 THEN account_id END) AS liquidatable,
       SUM(CASE WHEN equity < mm THEN mm - equity ELSE 0 END) AS shortfall,
       SUM(CASE WHEN equity < mm THEN notional ELSE 0 END) AS notional_at_risk
FROM unit_state GROUP BY set_id, shock_id
UNION ALL
SELECT -1 AS set_id, ${zeroShockId} AS shock_id,
       SUM(CASE WHEN proposed = 1 AND current_ = 0 THEN 1 ELSE 0 END) AS liquidatable,
       SUM(CASE WHEN current_ = 1 AND proposed = 0 THEN 1 ELSE 0 END) AS shortfall,
       0 AS notional_at_risk
FROM (SELECT account_id,
             MAX(CASE WHEN set_id = 0 AND equity < mm THEN 1 ELSE 0 END) AS current_,
             MAX(CASE WHEN set_id = 1 AND equity < mm THEN 1 ELSE 0 END) AS proposed
      FROM unit_state_zero GROUP BY account_id) base
`;
}
