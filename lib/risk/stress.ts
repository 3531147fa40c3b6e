// Liquidation cascade under a price shock (contract risk-cli.md, "Output of stress --json").
//
// Waves until none is left. In each wave, at prices P:
// - every not-yet-liquidated margin unit (cross account, or isolated position) with
//   equity < maintenance is closed;
// - per market, forced notional Q = Σ −size·P over the closed positions (sells are negative);
// - square-root impact I = impactCoefficient·dailyVolatility·√(|Q|/dailyVolumeUsd) (the
//   "square-root law" of market impact; Almgren et al. 2005, Tóth et al. 2011);
// - fills at P·(1 + sign(Q)·⅔·I) (the average price paid walking a square-root impact curve:
//   ∫₀¹ √x dx = ⅔ of the final impact);
// - a closed unit with positive equity at the fills pays min(liquidationPenalty·notional at fill,
//   that equity) into the insurance fund; a negative equity is bad debt taken from the fund;
// - then P ← P·(1 + sign(Q)·I·permanentImpactShare).
// When the fund goes below zero at the end of a wave, the deficit is recorded as
// auto-deleverage need and the fund is floored at zero (ADL covers that deficit).
// Markets without a `cascade` block have no impact: their fills are at P and P does not move.
import { buildColumnarBook, type ColumnarBook } from "./columnar";
import { RiskInputError } from "./errors";
import { maintenanceMargin } from "./maintenance";
import { resolveMarketsByIndex } from "./state";
import type { Book, MarginOptions, ParamsSet, PriceShock } from "./types";

export interface CascadeWave {
  price: Record<string, number>;
  accounts: string[];
  /** Forced notional per market with forced flow (negative = sells). */
  forcedNotional: Record<string, number>;
  fillPrice: Record<string, number>;
}

export interface CascadeResult {
  shock: PriceShock;
  waves: CascadeWave[];
  finalPrice: Record<string, number>;
  liquidatedAccounts: number;
  liquidatedNotional: number;
  penalties: number;
  badDebt: number;
  insuranceFund: number;
  autoDeleverageNeeded: number;
}

export interface CascadeOptions extends MarginOptions {
  /** Cap on ids listed per wave (all are counted). Default: all. */
  accountListLimit?: number;
  /** Safety cap on the number of waves. Default 10,000. */
  maxWaves?: number;
  paramsSource?: string;
}

export function runCascade(input: Book | ColumnarBook, params: ParamsSet, shock: PriceShock, options: CascadeOptions = {}): CascadeResult {
  const book = "positionMarket" in input ? input : buildColumnarBook(input);
  const markets = resolveMarketsByIndex(book, params, options, options.paramsSource);
  const marketCount = book.marketNames.length;
  const cascade = book.marketNames.map((name) => params.markets[name]?.cascade);
  const price = new Float64Array(marketCount);
  for (let m = 0; m < marketCount; m++) {
    const name = book.marketNames[m];
    const marketShock = typeof shock === "number" ? shock : (shock[name] ?? 0);
    if (!(marketShock > -1)) throw new RiskInputError("shock", typeof shock === "number" ? "$" : name, `expected a shock greater than -1, got ${marketShock}`);
    price[m] = book.marks[m] * (1 + marketShock);
  }
  const unitCount = book.unitAccount.length;
  const closed = new Uint8Array(unitCount);
  const accountListed = new Int32Array(book.accountIds.length).fill(-1);
  const accountCounted = new Uint8Array(book.accountIds.length);
  const listLimit = options.accountListLimit ?? Infinity;
  const maxWaves = options.maxWaves ?? 10_000;
  const unitBase = new Float64Array(unitCount);
  // Equity at prices P = base + Σ size·P, base = collateral (or margin) − Σ size·entry. Floats:
  // equity is a difference of quote amounts well inside 1e15, so doubles keep it to < 1e-6 USD.
  for (let u = 0; u < unitCount; u++) {
    let base = book.accountIsolated[book.unitAccount[u]] ? 0 : book.accountCollateral[book.unitAccount[u]];
    for (let p = book.unitPositionStart[u]; p < book.unitPositionStart[u + 1]; p++) {
      if (book.accountIsolated[book.unitAccount[u]]) base += book.positionMargin[p];
      base -= book.positionSize[p] * book.positionEntryPrice[p];
    }
    unitBase[u] = base;
  }

  const waves: CascadeWave[] = [];
  let insuranceFund = book.insuranceFund;
  let liquidatedNotional = 0;
  let penalties = 0;
  let badDebt = 0;
  let autoDeleverageNeeded = 0;
  let liquidatedAccounts = 0;
  const forced = new Float64Array(marketCount);
  const fill = new Float64Array(marketCount);
  const impact = new Float64Array(marketCount);
  let waveUnits = new Int32Array(unitCount);

  for (let waveIndex = 0; waveIndex < maxWaves; waveIndex++) {
    let waveCount = 0;
    for (let u = 0; u < unitCount; u++) {
      if (closed[u]) continue;
      let equity = unitBase[u];
      let maintenance = 0;
      for (let p = book.unitPositionStart[u]; p < book.unitPositionStart[u + 1]; p++) {
        const m = book.positionMarket[p];
        const size = book.positionSize[p];
        equity += size * price[m];
        maintenance += maintenanceMargin(markets[m].maintenance, Math.abs(size) * price[m]);
      }
      if (equity < maintenance) waveUnits[waveCount++] = u;
    }
    if (waveCount === 0) break;

    forced.fill(0);
    for (let i = 0; i < waveCount; i++) {
      const u = waveUnits[i];
      closed[u] = 1;
      for (let p = book.unitPositionStart[u]; p < book.unitPositionStart[u + 1]; p++) forced[book.positionMarket[p]] -= book.positionSize[p] * price[book.positionMarket[p]];
    }
    const wave: CascadeWave = { price: {}, accounts: [], forcedNotional: {}, fillPrice: {} };
    for (let m = 0; m < marketCount; m++) {
      const name = book.marketNames[m];
      wave.price[name] = price[m];
      const q = forced[m];
      const model = cascade[m];
      impact[m] = q !== 0 && model ? model.impactCoefficient * model.dailyVolatility * Math.sqrt(Math.abs(q) / model.dailyVolumeUsd) : 0;
      fill[m] = price[m] * (1 + Math.sign(q) * (2 / 3) * impact[m]);
      if (q !== 0) {
        wave.forcedNotional[name] = q;
        wave.fillPrice[name] = fill[m];
      }
    }
    for (let i = 0; i < waveCount; i++) {
      const u = waveUnits[i];
      let equity = unitBase[u];
      let penalty = 0;
      for (let p = book.unitPositionStart[u]; p < book.unitPositionStart[u + 1]; p++) {
        const m = book.positionMarket[p];
        const notionalAtFill = Math.abs(book.positionSize[p]) * fill[m];
        equity += book.positionSize[p] * fill[m];
        penalty += markets[m].liquidationPenalty * notionalAtFill;
        liquidatedNotional += notionalAtFill;
      }
      if (equity > 0) {
        const paid = Math.min(penalty, equity);
        penalties += paid;
        insuranceFund += paid;
      } else if (equity < 0) {
        badDebt -= equity;
        insuranceFund += equity;
      }
      const a = book.unitAccount[u];
      if (!accountCounted[a]) {
        accountCounted[a] = 1;
        liquidatedAccounts++;
      }
      if (accountListed[a] !== waveIndex && wave.accounts.length < listLimit) {
        accountListed[a] = waveIndex;
        wave.accounts.push(book.accountIds[a]);
      }
    }
    if (insuranceFund < 0) {
      autoDeleverageNeeded -= insuranceFund;
      insuranceFund = 0;
    }
    for (let m = 0; m < marketCount; m++) {
      if (forced[m] === 0 || !cascade[m]) continue;
      price[m] = price[m] * (1 + Math.sign(forced[m]) * impact[m] * (cascade[m] as NonNullable<(typeof cascade)[number]>).permanentImpactShare);
    }
    waves.push(wave);
  }
  waveUnits = new Int32Array(0);

  const finalPrice: Record<string, number> = {};
  book.marketNames.forEach((name, m) => (finalPrice[name] = price[m]));
  return { shock, waves, finalPrice, liquidatedAccounts, liquidatedNotional, penalties, badDebt, insuranceFund, autoDeleverageNeeded };
}
