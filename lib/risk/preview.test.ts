// The columnar engine (state.ts, preview.ts, stress.ts) against the simple object path
// (margin.ts) on random books: same margin numbers bit for bit, same preview counts, sums within
// 1e-9 relative, and an incremental update equal to a fresh computation.
import { describe, expect, it } from "vitest";
import { buildColumnarBook } from "./columnar";
import { computeMargin, shockedMarks } from "./margin";
import { previewImpact, shockRange } from "./preview";
import { createMarginState, evaluateShockGrid, liquidationPriceOf, releaseMarginState, updateMarginState } from "./state";
import { runCascade } from "./stress";
import type { Book, ParamsSet } from "./types";

function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const marks = { "BTC-USD": 60000, "ETH-USD": 3000, "SOL-USD": 150 };

function randomBook(seed: number, accountCount: number): Book {
  const random = mulberry32(seed);
  const names = Object.keys(marks) as (keyof typeof marks)[];
  const accounts: Book["accounts"] = [];
  for (let a = 0; a < accountCount; a++) {
    const isolated = random() < 0.3;
    const positionCount = 1 + Math.floor(random() * 4);
    const positions = [];
    let collateral = 0;
    for (let i = 0; i < positionCount; i++) {
      const market = names[Math.floor(random() * names.length)];
      const notional = Math.exp(7 + random() * 8); // ~1e3 … 3e6, crossing tier floors
      const size = ((random() < 0.5 ? -1 : 1) * notional) / marks[market];
      const entryPrice = marks[market] * (0.9 + random() * 0.2);
      const leverage = 1 + random() * 49;
      if (isolated) positions.push({ market, size, entryPrice, margin: notional / leverage });
      else {
        positions.push({ market, size, entryPrice });
        collateral += notional / leverage;
      }
    }
    accounts.push({ id: `acct-${a}`, mode: isolated ? "isolated" : "cross", collateral, positions });
  }
  return { marks: { ...marks }, accounts, insuranceFund: 1e6 };
}

const tiers = [
  { notionalFloor: 0, maintenanceMarginFraction: 0.004 },
  { notionalFloor: 50000, maintenanceMarginFraction: 0.005 },
  { notionalFloor: 250000, maintenanceMarginFraction: 0.01 },
  { notionalFloor: 1000000, maintenanceMarginFraction: 0.025 },
];
const cascade = { dailyVolatility: 0.05, dailyVolumeUsd: 5e7, impactCoefficient: 1, permanentImpactShare: 0.5 };
const current: ParamsSet = {
  markets: {
    "BTC-USD": { initialMarginFraction: 0.05, maintenanceMarginFraction: 0.025, maintenanceTiers: tiers, liquidationPenalty: 0.01, cascade },
    "ETH-USD": { initialMarginFraction: 0.05, maintenanceMarginFraction: 0.03, liquidationPenalty: 0.01, cascade },
    "SOL-USD": { initialMarginFraction: 0.1, maintenanceMarginFraction: 0.05, volatilityMargin: { annualVolatility: 0.9, z: 2.326348, horizonHours: 8 }, cascade },
  },
};
const proposed: ParamsSet = {
  markets: {
    ...current.markets,
    "BTC-USD": { ...current.markets["BTC-USD"], maintenanceTiers: tiers.map((tier) => ({ ...tier, maintenanceMarginFraction: tier.maintenanceMarginFraction * 1.6 })), volatilityMargin: { annualVolatility: 0.5, z: 2.326348, horizonHours: 8 } },
    "ETH-USD": { ...current.markets["ETH-USD"], maintenanceMarginFraction: 0.04 },
  },
};

function expectRelative(actual: number, expected: number, label: string): void {
  const tolerance = Math.max(1e-9 * Math.abs(expected), 1e-6);
  expect(Math.abs(actual - expected), `${label}: ${actual} vs ${expected}`).toBeLessThanOrEqual(tolerance);
}

describe.each([1, 2, 3])("random book seed %i", (seed) => {
  const book = randomBook(seed, 300);
  const columnar = buildColumnarBook(book);

  it("margin state equals the simple path exactly", () => {
    for (const params of [current, proposed]) {
      const simple = computeMargin(book, params);
      const state = createMarginState(columnar, params);
      simple.accounts.forEach((account, a) => {
        expect(state.accountEquity[a]).toBe(account.equity);
        expect(state.accountMaintenance[a]).toBe(account.maintenanceMargin);
        expect(state.accountShortfall[a]).toBe(account.shortfall);
        expect(state.accountLiquidatable[a] === 1).toBe(account.liquidatable);
        account.positions.forEach((position, i) => expect(liquidationPriceOf(state, columnar.accountPositionStart[a] + i)).toBe(position.liquidationPrice));
      });
    }
  });

  it("preview equals the simple path (counts exact, sums 1e-9)", () => {
    const shocks = shockRange();
    const preview = previewImpact(columnar, current, proposed, { shocks, accountLimit: Infinity });
    const before = computeMargin(book, current);
    const after = computeMargin(book, proposed);
    const newly = before.accounts.filter((account, a) => !account.liquidatable && after.accounts[a].liquidatable).map((account) => account.id);
    const changed = before.accounts
      .filter((account, a) => account.liquidatable !== after.accounts[a].liquidatable || account.positions.some((position, i) => position.liquidationPrice !== after.accounts[a].positions[i].liquidationPrice))
      .map((account) => account.id);
    expect(preview.accounts.map((account) => account.id)).toEqual(changed);
    expect(preview.accounts.filter((account) => account.newlyLiquidatable).map((account) => account.id)).toEqual(newly);
    expect(preview.summary.liquidatable).toEqual({ current: before.totals.liquidatable, proposed: after.totals.liquidatable });
    expectRelative(preview.summary.shortfall.proposed, after.totals.shortfall, "shortfall");
    expect(newly.length).toBeGreaterThan(0); // the proposal must bite for the test to mean anything
    shocks.forEach((shock, k) => {
      for (const [key, params] of [["current", current], ["proposed", proposed]] as const) {
        const simple = computeMargin(book, params, { marks: shockedMarks(book.marks, shock) }).totals;
        expect(preview.shocks[k].liquidatable[key], `liquidatable ${key} @${shock}`).toBe(simple.liquidatable);
        expectRelative(preview.shocks[k].shortfall[key], simple.shortfall, `shortfall ${key} @${shock}`);
        expectRelative(preview.shocks[k].notionalAtRisk[key], simple.notionalAtRisk, `notional ${key} @${shock}`);
      }
    });
    const histogram = new Array(7).fill(0);
    for (const account of after.accounts) {
      if (account.health === null) continue;
      const edges = [0.5, 1, 1.5, 2, 3, 5];
      const bin = edges.findIndex((edge) => account.health! < edge);
      histogram[bin === -1 ? 6 : bin]++;
    }
    expect(preview.histogram.proposed).toEqual(histogram);
    const shiftTotal = preview.liquidationPriceShift.counts.reduce((x, y) => x + y, 0) + preview.liquidationPriceShift.appeared + preview.liquidationPriceShift.disappeared;
    expect(shiftTotal).toBe(preview.liquidationPriceShift.moved);
  });

  it("a state built on released arrays equals a fresh one, and the released state is emptied", () => {
    const fresh = createMarginState(columnar, proposed);
    const scratch = createMarginState(columnar, current);
    const reusedArrays = [scratch.unitMaintenance, scratch.accountShortfall, scratch.accountLiquidatable];
    releaseMarginState(scratch);
    expect(scratch.accountShortfall.length).toBe(0);
    const reused = createMarginState(columnar, proposed);
    // Pooled arrays come back with the other set's numbers in them: every entry must be rewritten.
    expect([reused.unitMaintenance, reused.accountShortfall, reused.accountLiquidatable].some((array, k) => array === reusedArrays[k])).toBe(true);
    for (const key of ["unitMaintenance", "unitLiquidatable", "accountMaintenance", "accountShortfall", "accountNotionalAtRisk", "accountLiquidatable"] as const) {
      expect(Array.from(reused[key]), key).toEqual(Array.from(fresh[key]));
    }
    expect(evaluateShockGrid(reused, shockRange())).toEqual(evaluateShockGrid(fresh, shockRange()));
    const updated = updateMarginState(reused, current);
    releaseMarginState(reused);
    expect(Array.from(updated.accountMaintenance)).toEqual(Array.from(createMarginState(columnar, current).accountMaintenance));
  });

  it("incremental update after a one-market edit equals a fresh state", () => {
    const base = createMarginState(columnar, current);
    evaluateShockGrid(base, shockRange());
    expect(base.gridAccumulator!.crossingUnits).toBeGreaterThan(0); // tier crossings take the per-shock path too
    const edited: ParamsSet = { markets: { ...current.markets, "ETH-USD": { ...current.markets["ETH-USD"], maintenanceMarginFraction: 0.045 } } };
    const updated = updateMarginState(base, edited, { incrementalShare: 1 });
    const fresh = createMarginState(columnar, edited);
    // Above the share, the update is one full pass: the same numbers.
    const full = updateMarginState(base, edited, { incrementalShare: 0 });
    expect(Array.from(full.accountShortfall)).toEqual(Array.from(fresh.accountShortfall));
    expect(evaluateShockGrid(full, shockRange())).toEqual(evaluateShockGrid(fresh, shockRange()));
    expect(Array.from(updated.accountMaintenance)).toEqual(Array.from(fresh.accountMaintenance));
    expect(Array.from(updated.accountLiquidatable)).toEqual(Array.from(fresh.accountLiquidatable));
    // The update re-adds only the touched accounts to the grid sums: counts exact, sums to 1e-9.
    expect(updated.gridAccumulator).toBeDefined();
    const incremental = evaluateShockGrid(updated, shockRange());
    const recomputed = evaluateShockGrid(fresh, shockRange());
    expect(incremental.liquidatable).toEqual(recomputed.liquidatable);
    incremental.shortfall.forEach((value, k) => expectRelative(value, recomputed.shortfall[k], `shortfall ${k}`));
    incremental.notionalAtRisk.forEach((value, k) => expectRelative(value, recomputed.notionalAtRisk[k], `notional ${k}`));
    for (let p = 0; p < columnar.positionMarket.length; p++) expect(liquidationPriceOf(updated, p)).toBe(liquidationPriceOf(fresh, p));
  });
});

describe("liquidation prices of a large cross account", () => {
  it("equal the simple path's (grouped by market, not rescanned per position)", () => {
    const book = randomBook(11, 40);
    // One account with 60 positions, several per market (the engine groups them in one pass).
    const big = book.accounts[0];
    big.mode = "cross";
    big.positions = Array.from({ length: 60 }, (_, i) => ({ ...book.accounts[1 + (i % 39)].positions[0], margin: undefined }));
    big.collateral = 2e6;
    const columnar = buildColumnarBook(book);
    for (const params of [current, proposed]) {
      const simple = computeMargin(book, params);
      const state = createMarginState(columnar, params);
      simple.accounts[0].positions.forEach((position, i) => expect(liquidationPriceOf(state, i), `position ${i}`).toBe(position.liquidationPrice));
      expect(simple.accounts[0].positions.some((position) => position.liquidationPrice !== null)).toBe(true);
    }
  });
});

describe("runCascade", () => {
  it("uniform shock equals the same shock given per market, and accounts are closed once", () => {
    const book = randomBook(7, 400);
    const uniform = runCascade(book, current, -0.15);
    const vector = runCascade(book, current, { "BTC-USD": -0.15, "ETH-USD": -0.15, "SOL-USD": -0.15 });
    expect(vector.finalPrice).toEqual(uniform.finalPrice);
    expect(vector.liquidatedNotional).toBe(uniform.liquidatedNotional);
    const ids = uniform.waves.flatMap((wave) => wave.accounts);
    expect(uniform.waves.length).toBeGreaterThan(1);
    // An isolated account can lose positions in several waves; a cross account only once.
    const cross = new Set(book.accounts.filter((account) => account.mode === "cross").map((account) => account.id));
    const crossIds = ids.filter((id) => cross.has(id));
    expect(new Set(crossIds).size).toBe(crossIds.length);
    // Money conservation: fund = initial + penalties − bad debt + ADL draw.
    expectRelative(uniform.insuranceFund, 1e6 + uniform.penalties - uniform.badDebt + uniform.autoDeleverageNeeded, "fund");
    // Every wave's prices are the previous wave's moved by −I·share (sells only here), so they fall.
    for (let w = 1; w < uniform.waves.length; w++) expect(uniform.waves[w].price["BTC-USD"]).toBeLessThanOrEqual(uniform.waves[w - 1].price["BTC-USD"]);
  });
});
