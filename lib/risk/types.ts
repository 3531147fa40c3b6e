// Domain types of the margin and impact engine. Formats follow the shared contract
// `contracts/risk-cli.md` (BOOK.json, PARAMS.json and the `margin|preview|stress --json` outputs).
//
// Precision: every quantity the engine computes with is an IEEE-754 double. Prices, sizes and
// quote amounts in a book carry at most ~15 significant digits of information that matters for
// margin decisions (a 1e-15 relative error on a $1e9 account is $1e-6), so doubles suffice for
// the math. Where exact decimals matter (storing an imported snapshot as NUMERIC in a database)
// the original decimal string travels alongside the float in `exact`.

export type MarginMode = "cross" | "isolated";

/** Original decimal strings of a position's numbers, kept when they arrived as strings. */
export interface ExactPositionDecimals {
  size?: string;
  entryPrice?: string;
  margin?: string;
}

export interface Position {
  market: string;
  /** Signed base units; long > 0. */
  size: number;
  entryPrice: number;
  /** Isolated positions only: quote-currency margin before unrealised PnL. */
  margin?: number;
  exact?: ExactPositionDecimals;
}

export interface Account {
  id: string;
  mode: MarginMode;
  /** Cross accounts only: quote-currency collateral before unrealised PnL. */
  collateral: number;
  positions: Position[];
  exact?: { collateral?: string };
}

/** A positions snapshot: what BOOK.json holds and what every importer returns. */
export interface Book {
  /** Mark price per market, quote currency per base unit. */
  marks: Record<string, number>;
  accounts: Account[];
  /** Quote-currency balance of the insurance fund (cascade input); 0 when absent. */
  insuranceFund: number;
  exact?: { marks?: Record<string, string>; insuranceFund?: string };
}

export interface MaintenanceTier {
  /** Lower bound of the tier's notional range (quote currency); the first tier starts at 0. */
  notionalFloor: number;
  maintenanceMarginFraction: number;
}

/**
 * Volatility floor on the maintenance fraction: z·σ·√(horizonHours/8766) (8766 h = 365.25 days).
 * σ is either given (`annualVolatility`) or the live EWMA volatility of the market's reference
 * price (`source: "ewma"`), which the caller passes in `MarginOptions.liveAnnualVolatility`.
 */
export interface VolatilityMarginParams {
  annualVolatility?: number;
  source?: "fixed" | "ewma";
  /** EWMA decay per day (RiskMetrics 0.94) used by whoever computes the live σ. */
  ewmaLambda?: number;
  z: number;
  horizonHours: number;
}

/** dYdX v4 open-interest IMF scaling. */
export interface OpenInterestScalingParams {
  openInterestNotional: number;
  lowerCap: number;
  upperCap: number;
}

/** Square-root impact model of a liquidation cascade (contract: stress). */
export interface CascadeParams {
  dailyVolatility: number;
  dailyVolumeUsd: number;
  impactCoefficient: number;
  /** Share of the impact that stays in the price after the fills, in (0, 1]. */
  permanentImpactShare: number;
}

export interface MarketParams {
  initialMarginFraction: number;
  maintenanceMarginFraction: number;
  maintenanceTiers?: MaintenanceTier[];
  liquidationPenalty?: number;
  volatilityMargin?: VolatilityMarginParams;
  openInterestScaling?: OpenInterestScalingParams;
  cascade?: CascadeParams;
}

export interface ParamsSet {
  markets: Record<string, MarketParams>;
}

/** One problem found while validating parameters: a JSON path and what was wrong. */
export interface ParamIssue {
  path: string;
  reason: string;
}

export interface MarginOptions {
  /** Live annual volatility per market for `volatilityMargin.source = "ewma"`. */
  liveAnnualVolatility?: Record<string, number>;
}

export interface PositionMargin {
  market: string;
  size: number;
  /** |size|·mark. */
  notional: number;
  initialMargin: number;
  maintenanceMargin: number;
  /** Mark of this market alone at which its margin unit reaches equity = maintenance; null if no positive price. */
  liquidationPrice: number | null;
  /** Isolated positions only. */
  equity?: number;
  liquidatable?: boolean;
  shortfall?: number;
}

export interface AccountMargin {
  id: string;
  mode: MarginMode;
  equity: number;
  initialMargin: number;
  maintenanceMargin: number;
  /** equity / maintenance; null when the account has no maintenance requirement. */
  health: number | null;
  liquidatable: boolean;
  shortfall: number;
  /** max(0, −equity), per isolated position summed. */
  badDebt: number;
  /** Σ notional of the positions of liquidatable margin units. */
  notionalAtRisk: number;
  positions: PositionMargin[];
}

export interface MarginTotals {
  accounts: number;
  liquidatable: number;
  shortfall: number;
  badDebt: number;
  notionalAtRisk: number;
}

export interface MarginReport {
  accounts: AccountMargin[];
  totals: MarginTotals;
}

/** A price shock: one fraction for every market, or one per market (missing markets: 0). */
export type PriceShock = number | Record<string, number>;
