// The margin pass on two threads (parallel.ts: a real worker thread over shared memory) against
// the same pass on one: per-unit and per-account numbers bit for bit, grid counts exact, grid sums
// within 1e-12 relative (only their order of addition differs).
import { afterAll, describe, expect, it } from "vitest";
import { benchParams, generateBook } from "../../bench/risk/generate";
import { buildColumnarFromArrays } from "./columnar";
import { configureRiskThreads, riskThreadStats } from "./parallel";
import { shockRange } from "./preview";
import { createMarginState, evaluateShockGrid, updateMarginState, type MarginState } from "./state";

const book = buildColumnarFromArrays(generateBook({ positions: 30_000, accounts: 12_000, markets: 50, seed: 7 }));
const { current, proposed } = benchParams(book.marketNames);

function expectSameState(parallel: MarginState, single: MarginState): void {
  for (const key of ["unitMaintenance", "unitLiquidatable", "accountMaintenance", "accountShortfall", "accountNotionalAtRisk", "accountLiquidatable"] as const) {
    expect(Array.from(parallel[key]), key).toEqual(Array.from(single[key]));
  }
  const a = evaluateShockGrid(parallel, shockRange());
  const b = evaluateShockGrid(single, shockRange());
  expect(a.liquidatable).toEqual(b.liquidatable);
  for (const key of ["shortfall", "notionalAtRisk"] as const) {
    a[key].forEach((value, k) => expect(Math.abs(value - b[key][k]), `${key}[${k}]`).toBeLessThanOrEqual(1e-12 * Math.abs(b[key][k])));
  }
  expect(parallel.gridAccumulator!.crossingUnits).toBe(single.gridAccumulator!.crossingUnits);
}

describe("margin pass on two threads", () => {
  afterAll(() => configureRiskThreads({ threads: 2, minPositions: 50_000 }));

  it("gives the one-thread numbers, through a worker that really ran", () => {
    configureRiskThreads({ threads: 1 });
    const singleCurrent = createMarginState(book, current);
    const singleProposed = createMarginState(book, proposed);
    configureRiskThreads({ threads: 2, minPositions: 0 });
    const before = riskThreadStats().parallelPasses;
    const parallelCurrent = createMarginState(book, current);
    const parallelProposed = updateMarginState(parallelCurrent, proposed, { incrementalShare: 0 });
    expect(riskThreadStats().workerAvailable).toBe(true);
    expect(riskThreadStats().parallelPasses - before).toBe(2);
    expectSameState(parallelCurrent, singleCurrent);
    expectSameState(parallelProposed, singleProposed);
    // A grid-only pass (another shock range) runs on two threads too.
    const range = shockRange(-0.3, 0.3, 0.1);
    configureRiskThreads({ threads: 1 });
    const single = evaluateShockGrid(singleCurrent, range);
    configureRiskThreads({ threads: 2, minPositions: 0 });
    expect(evaluateShockGrid(parallelCurrent, range).liquidatable).toEqual(single.liquidatable);
    expect(riskThreadStats().parallelPasses - before).toBe(3);
  });
});
