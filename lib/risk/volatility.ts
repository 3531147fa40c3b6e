// EWMA volatility of a market's reference price, for the volatility floor of the maintenance
// fraction (`volatilityMargin.source = "ewma"`).
//
// RiskMetrics (J.P. Morgan/Reuters, RiskMetrics Technical Document, 4th ed. 1996, §5.2.1):
//   σ²_t = λ·σ²_{t−1} + (1 − λ)·r²_t on daily log returns, λ = 0.94 for daily data.
// Irregular sampling (oracle ticks arrive every few hundred ms to minutes, with gaps): each return
// r over Δt days is first scaled to a daily-variance estimate r²/Δt (variance of a random walk grows
// linearly in time), and it is weighted by w = 1 − λ^Δt, so that a sequence of Δt-spaced samples
// decays exactly like one daily step per day (λ^Δt compounded over 1/Δt steps = λ). With Δt = 1 this
// is the RiskMetrics recursion unchanged.
// Annualised σ = σ_daily·√365.25: crypto trades every day, and 365.25 days = 8766 h matches the
// horizon scaling √(h/8766) used for the margin floor.
// Floats: returns and variances are small doubles (1e-8…1e-1); no precision concern.

export const riskMetricsDailyLambda = 0.94;
export const daysPerYear = 365.25;
const msPerDay = 86_400_000;

export interface PriceSample {
  timeMs: number;
  price: number;
}

export interface EwmaVolatilityState {
  lambda: number;
  lastTimeMs: number | null;
  lastPrice: number | null;
  /** Daily variance estimate; null until the first return. */
  dailyVariance: number | null;
  samples: number;
}

export function createEwmaVolatility(lambda = riskMetricsDailyLambda, seedDailyVariance: number | null = null): EwmaVolatilityState {
  if (!(lambda > 0 && lambda < 1)) throw new RangeError(`EWMA lambda must be in (0, 1), got ${lambda}`);
  return { lambda, lastTimeMs: null, lastPrice: null, dailyVariance: seedDailyVariance, samples: 0 };
}

/**
 * Folds one price observation into the state (returns a new state). Samples that are not later
 * than the last one, or with a non-positive price, are ignored.
 */
export function updateEwmaVolatility(state: EwmaVolatilityState, sample: PriceSample): EwmaVolatilityState {
  if (!(sample.price > 0) || !Number.isFinite(sample.price)) return state;
  if (state.lastTimeMs === null || state.lastPrice === null) {
    return { ...state, lastTimeMs: sample.timeMs, lastPrice: sample.price, samples: state.samples + 1 };
  }
  const elapsedDays = (sample.timeMs - state.lastTimeMs) / msPerDay;
  if (!(elapsedDays > 0)) return state;
  const logReturn = Math.log(sample.price / state.lastPrice);
  const dailyVarianceEstimate = (logReturn * logReturn) / elapsedDays;
  const weight = 1 - Math.pow(state.lambda, elapsedDays);
  const dailyVariance = state.dailyVariance === null ? dailyVarianceEstimate : (1 - weight) * state.dailyVariance + weight * dailyVarianceEstimate;
  return { ...state, lastTimeMs: sample.timeMs, lastPrice: sample.price, dailyVariance, samples: state.samples + 1 };
}

export interface EwmaVolatility {
  dailyVolatility: number;
  annualVolatility: number;
  samples: number;
}

export function ewmaVolatilityOf(state: EwmaVolatilityState): EwmaVolatility | null {
  if (state.dailyVariance === null) return null;
  const dailyVolatility = Math.sqrt(state.dailyVariance);
  return { dailyVolatility, annualVolatility: dailyVolatility * Math.sqrt(daysPerYear), samples: state.samples };
}

/** EWMA volatility of a whole series (sorted by time). Null with fewer than two usable samples. */
export function ewmaVolatility(samples: PriceSample[], options: { lambda?: number; seedDailyVariance?: number } = {}): EwmaVolatility | null {
  let state = createEwmaVolatility(options.lambda ?? riskMetricsDailyLambda, options.seedDailyVariance ?? null);
  for (const sample of samples) state = updateEwmaVolatility(state, sample);
  return ewmaVolatilityOf(state);
}
