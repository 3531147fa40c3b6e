// Margin state of every account: the simple, object-based path (contract risk-cli.md,
// "Output of margin --json"). The columnar engine (columnar.ts, preview.ts) computes the same
// numbers for large books; tests hold the two to identical results.
//
// Margin units: a cross account is one unit (collateral + Σ size·(mark − entry) against the sum
// of its positions' maintenance); each isolated position is its own unit (margin + its PnL
// against its own maintenance). An isolated account reports sums over its units and is
// liquidatable when any of them is.
import { assertParamsCoverBook } from "./book";
import { maintenanceMargin, resolveMarket, solveLiquidationPrice, type ResolvedMarket } from "./maintenance";
import type { Account, AccountMargin, Book, MarginOptions, MarginReport, ParamsSet, PositionMargin } from "./types";

export interface ComputeMarginOptions extends MarginOptions {
  /** Marks to evaluate at instead of the book's (e.g. shocked marks). */
  marks?: Record<string, number>;
  /** Source name used in error messages about the parameter set. */
  paramsSource?: string;
}

export function resolveMarkets(params: ParamsSet, options: MarginOptions = {}, paramsSource = "params.json"): Record<string, ResolvedMarket> {
  const resolved: Record<string, ResolvedMarket> = {};
  for (const [market, marketParams] of Object.entries(params.markets)) resolved[market] = resolveMarket(market, marketParams, options, paramsSource);
  return resolved;
}

interface UnitPosition {
  index: number;
  market: string;
  size: number;
  notional: number;
  maintenance: number;
}

/** Liquidation price of every position of one margin unit, by position index. */
function unitLiquidationPrices(
  unit: UnitPosition[],
  unitEquity: number,
  unitMaintenance: number,
  marks: Record<string, number>,
  markets: Record<string, ResolvedMarket>,
  out: (number | null)[],
): void {
  const byMarket = new Map<string, UnitPosition[]>();
  for (const position of unit) {
    const list = byMarket.get(position.market);
    if (list) list.push(position);
    else byMarket.set(position.market, [position]);
  }
  for (const [market, positions] of byMarket) {
    let netSize = 0;
    let ownMaintenance = 0;
    const absSizes: number[] = [];
    for (const position of positions) {
      netSize += position.size;
      ownMaintenance += position.maintenance;
      absSizes.push(Math.abs(position.size));
    }
    const price = solveLiquidationPrice(unitEquity, netSize, marks[market], unitMaintenance - ownMaintenance, absSizes, markets[market].maintenance);
    for (const position of positions) out[position.index] = price;
  }
}

export function computeAccountMargin(account: Account, marks: Record<string, number>, markets: Record<string, ResolvedMarket>): AccountMargin {
  const positions: PositionMargin[] = [];
  const unitPositions: UnitPosition[] = [];
  let initialMargin = 0;
  account.positions.forEach((position, index) => {
    const market = markets[position.market];
    const mark = marks[position.market];
    const notional = Math.abs(position.size) * mark;
    const maintenance = maintenanceMargin(market.maintenance, notional);
    const initial = notional * market.initialMarginFraction;
    initialMargin += initial;
    positions.push({ market: position.market, size: position.size, notional, initialMargin: initial, maintenanceMargin: maintenance, liquidationPrice: null });
    unitPositions.push({ index, market: position.market, size: position.size, notional, maintenance });
  });

  if (account.mode === "cross") {
    let equity = account.collateral;
    let maintenance = 0;
    let notional = 0;
    account.positions.forEach((position, index) => {
      equity += position.size * (marks[position.market] - position.entryPrice);
      maintenance += unitPositions[index].maintenance;
      notional += unitPositions[index].notional;
    });
    const liquidationPrices: (number | null)[] = new Array(account.positions.length).fill(null);
    unitLiquidationPrices(unitPositions, equity, maintenance, marks, markets, liquidationPrices);
    positions.forEach((position, index) => (position.liquidationPrice = liquidationPrices[index]));
    const liquidatable = equity < maintenance;
    return {
      id: account.id,
      mode: "cross",
      equity,
      initialMargin,
      maintenanceMargin: maintenance,
      health: maintenance > 0 ? equity / maintenance : null,
      liquidatable,
      shortfall: Math.max(0, maintenance - equity),
      badDebt: Math.max(0, -equity),
      notionalAtRisk: liquidatable ? notional : 0,
      positions,
    };
  }

  let equity = 0;
  let maintenance = 0;
  let shortfall = 0;
  let badDebt = 0;
  let notionalAtRisk = 0;
  let liquidatable = false;
  account.positions.forEach((position, index) => {
    const unit = unitPositions[index];
    const positionEquity = (position.margin ?? 0) + position.size * (marks[position.market] - position.entryPrice);
    const positionLiquidatable = positionEquity < unit.maintenance;
    const positionShortfall = Math.max(0, unit.maintenance - positionEquity);
    const scratch: (number | null)[] = [null];
    unitLiquidationPrices([{ ...unit, index: 0 }], positionEquity, unit.maintenance, marks, markets, scratch);
    Object.assign(positions[index], { liquidationPrice: scratch[0], equity: positionEquity, liquidatable: positionLiquidatable, shortfall: positionShortfall });
    equity += positionEquity;
    maintenance += unit.maintenance;
    shortfall += positionShortfall;
    badDebt += Math.max(0, -positionEquity);
    if (positionLiquidatable) {
      liquidatable = true;
      notionalAtRisk += unit.notional;
    }
  });
  return {
    id: account.id,
    mode: "isolated",
    equity,
    initialMargin,
    maintenanceMargin: maintenance,
    health: maintenance > 0 ? equity / maintenance : null,
    liquidatable,
    shortfall,
    badDebt,
    notionalAtRisk,
    positions,
  };
}

/** Margin state of every account of a book under a parameter set. */
export function computeMargin(book: Book, params: ParamsSet, options: ComputeMarginOptions = {}): MarginReport {
  const paramsSource = options.paramsSource ?? "params.json";
  assertParamsCoverBook(book, params, paramsSource);
  const markets = resolveMarkets(params, options, paramsSource);
  const marks = options.marks ?? book.marks;
  const accounts = book.accounts.map((account) => computeAccountMargin(account, marks, markets));
  const totals = { accounts: accounts.length, liquidatable: 0, shortfall: 0, badDebt: 0, notionalAtRisk: 0 };
  for (const account of accounts) {
    if (account.liquidatable) totals.liquidatable++;
    totals.shortfall += account.shortfall;
    totals.badDebt += account.badDebt;
    totals.notionalAtRisk += account.notionalAtRisk;
  }
  return { accounts, totals };
}

/** Marks after a shock: mark·(1 + shock) per market (a number applies to every market). */
export function shockedMarks(marks: Record<string, number>, shock: number | Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [market, mark] of Object.entries(marks)) out[market] = mark * (1 + (typeof shock === "number" ? shock : (shock[market] ?? 0)));
  return out;
}
