// EWMA realised volatility of a reference price, for the risk engine's volatility margin.
//
// RiskMetrics (J.P. Morgan/Reuters, RiskMetrics Technical Document, 4th ed. 1996, §5.2.1):
//   σ²_t = λ σ²_{t-1} + (1 − λ) r²_t with λ = 0.94 for daily returns r_t = ln(P_t / P_{t-1}).
// Irregular sampling: a sample Δt days after the previous one decays the old estimate by λ^Δt
// (so λ keeps its per-day meaning whatever the sampling) and contributes the variance RATE
// r² / Δt (variance per day; for a random walk E[r²] = σ²_day·Δt) with weight 1 − λ^Δt.
// Start-up: the weighted sums are normalised by the total weight seen (bias correction, like
// pandas ewm(adjust=True)), so the first samples already give an estimate instead of a value
// dragged towards an arbitrary seed.
// Output: annualised σ = sqrt(σ²_day × 365) — crypto trades every day of the year.
// Floats: σ is a model input quoted to a few significant digits; double precision is ample.

export const MS_PER_DAY = 86_400_000;
export const DAYS_PER_YEAR = 365;

export class EwmaVolatility {
  private lastPrice: number | null = null;
  private lastAtMs = 0;
  private weightedVarianceRate = 0;
  private totalWeight = 0;
  samples = 0;

  constructor(readonly lambdaPerDay = 0.94) {}

  /** Add an observation of the price at `atMs`; returns the new annualised σ (or null). */
  observe(price: number, atMs: number): number | null {
    if (!(price > 0) || !Number.isFinite(price)) return this.annualisedSigma();
    if (this.lastPrice === null) {
      this.lastPrice = price;
      this.lastAtMs = atMs;
      return null;
    }
    const dtDays = (atMs - this.lastAtMs) / MS_PER_DAY;
    if (!(dtDays > 0)) return this.annualisedSigma();
    const logReturn = Math.log(price / this.lastPrice);
    const decay = Math.pow(this.lambdaPerDay, dtDays);
    const weight = 1 - decay;
    this.weightedVarianceRate = decay * this.weightedVarianceRate + weight * ((logReturn * logReturn) / dtDays);
    this.totalWeight = decay * this.totalWeight + weight;
    this.lastPrice = price;
    this.lastAtMs = atMs;
    this.samples++;
    return this.annualisedSigma();
  }

  /** Variance per day (bias-corrected), or null before the first return. */
  dailyVariance(): number | null {
    return this.totalWeight > 0 ? this.weightedVarianceRate / this.totalWeight : null;
  }

  annualisedSigma(): number | null {
    const variance = this.dailyVariance();
    return variance === null ? null : Math.sqrt(variance * DAYS_PER_YEAR);
  }
}
