import { describe, expect, it } from "vitest";
import { ewmaVolatility } from "./volatility";

const day = 86_400_000;

describe("ewmaVolatility", () => {
  it("daily samples follow the RiskMetrics recursion exactly", () => {
    // Prices 100, 110, 99: r1 = ln 1.1, r2 = ln 0.9.
    // σ²1 = r1² (first return seeds); σ²2 = 0.94·r1² + 0.06·r2² (RiskMetrics Technical Document §5.2.1).
    const r1 = Math.log(1.1);
    const r2 = Math.log(0.9);
    const result = ewmaVolatility([{ timeMs: 0, price: 100 }, { timeMs: day, price: 110 }, { timeMs: 2 * day, price: 99 }]);
    const dailyVariance = 0.94 * r1 * r1 + 0.06 * r2 * r2;
    expect(result?.dailyVolatility).toBeCloseTo(Math.sqrt(dailyVariance), 14);
    expect(result?.annualVolatility).toBeCloseTo(Math.sqrt(dailyVariance * 365.25), 13);
  });

  it("hourly sampling of a constant-variance walk gives the same daily variance as daily sampling", () => {
    // Alternating ±a log returns every hour: each hourly r² = a², daily-variance estimate 24a².
    const a = 0.002;
    const samples = [];
    let logPrice = Math.log(100);
    for (let hour = 0; hour <= 24 * 30; hour++) {
      samples.push({ timeMs: (hour * day) / 24, price: Math.exp(logPrice) });
      logPrice += hour % 2 === 0 ? a : -a;
    }
    const result = ewmaVolatility(samples);
    expect(result?.dailyVolatility).toBeCloseTo(Math.sqrt(24) * a, 10);
  });

  it("irregular steps: weight 1 − λ^Δt on the return scaled to r²/Δt", () => {
    // From zero seed variance: two half-day steps (zero return, then r) give (1 − √λ)·(r²/0.5);
    // one one-day step with the same r gives (1 − λ)·r² (plain RiskMetrics).
    const r = 0.05;
    const lambda = 0.94;
    const halfDays = ewmaVolatility([{ timeMs: 0, price: 100 }, { timeMs: day / 2, price: 100 }, { timeMs: day, price: 100 * Math.exp(r) }], { lambda, seedDailyVariance: 0 });
    expect(halfDays?.dailyVolatility).toBeCloseTo(Math.sqrt((1 - Math.sqrt(lambda)) * 2 * r * r), 14);
    const oneDay = ewmaVolatility([{ timeMs: 0, price: 100 }, { timeMs: day, price: 100 * Math.exp(r) }], { lambda, seedDailyVariance: 0 });
    expect(oneDay?.dailyVolatility).toBeCloseTo(Math.sqrt((1 - lambda) * r * r), 14);
  });

  it("ignores out-of-order and non-positive samples; needs two samples", () => {
    expect(ewmaVolatility([{ timeMs: 0, price: 100 }])).toBeNull();
    const result = ewmaVolatility([{ timeMs: 0, price: 100 }, { timeMs: -5, price: 1 }, { timeMs: day, price: 0 }, { timeMs: day, price: 110 }]);
    expect(result?.dailyVolatility).toBeCloseTo(Math.log(1.1), 14);
    expect(result?.samples).toBe(2);
  });
});
