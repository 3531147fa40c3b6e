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

export function previewSql(zeroShockId: number): string {
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
