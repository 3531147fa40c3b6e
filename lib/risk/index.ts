// Public API of the margin and impact engine (pure: no I/O). See each module for formulas and sources.
export * from "./types";
export { RiskInputError } from "./errors";
export { parseParams, validateParams, validateMarketParams, effectiveInitialMarginFraction, volatilityMaintenanceFraction } from "./params";
export { parseBook, assertParamsCoverBook } from "./book";
export { buildMaintenanceCurve, maintenanceMargin, resolveMarket, solveLiquidationPrice, type MaintenanceCurve, type ResolvedMarket } from "./maintenance";
export { computeMargin, computeAccountMargin, resolveMarkets, shockedMarks, type ComputeMarginOptions } from "./margin";
export { buildColumnarBook, buildColumnarFromArrays, columnarAccount, columnarMarks, columnarByteLength, type ColumnarBook, type ColumnarInput } from "./columnar";
export {
  createMarginState,
  updateMarginState,
  releaseMarginState,
  evaluateShockGrid,
  liquidationPriceOf,
  marketsWithChangedMaintenance,
  type MarginState,
  type ShockGridTotals,
} from "./state";
export {
  previewImpact,
  previewTotals,
  shockRange,
  defaultHealthEdges,
  defaultShiftEdgesBps,
  type PreviewOptions,
  type PreviewResult,
  type PreviewAccount,
  type MarketImpact,
  type ShockPoint,
  type TopAffectedAccount,
  type LiquidationPriceShift,
} from "./preview";
export { runCascade, type CascadeOptions, type CascadeResult, type CascadeWave } from "./stress";
export { configureRiskThreads, riskThreadStats } from "./parallel";
export {
  ewmaVolatility,
  createEwmaVolatility,
  updateEwmaVolatility,
  ewmaVolatilityOf,
  riskMetricsDailyLambda,
  type EwmaVolatility,
  type EwmaVolatilityState,
  type PriceSample,
} from "./volatility";
export * from "./import";
