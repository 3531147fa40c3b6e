// The in-memory columnar position book: typed arrays, positions stored contiguously by account
// (CSR), and margin units (a cross account, or one isolated position) as a second CSR over the
// same positions. DESIGN.md "The risk engine: where the physical limit is": one pass producing
// per-unit linear coefficients, then O(units) per shock.
//
// Memory for N positions, A accounts, U units: positions 4+8+8+8+4+8 = 40 B, units 4+4+8·4 = 40 B,
// accounts 4+1+8 B + the id strings. 1M positions / 400k accounts / ~600k units ≈ 40 + 24 + 5 MB
// plus ids (~40 MB of JS strings for 400k ids).
//
// Floats: sizes, prices and amounts are float64, the same values the simple path uses; equity at
// the book's marks is summed in the same order as margin.ts so both paths agree bit for bit.
import { sharedFloat64, sharedInt32, toSharedInt32 } from "./parallel";
import type { Account, Book } from "./types";

export interface ColumnarBook {
  marketNames: string[];
  marketIndex: Map<string, number>;
  /** Mark per market index. */
  marks: Float64Array;
  insuranceFund: number;

  accountIds: string[];
  /** 1 when the account is isolated. */
  accountIsolated: Uint8Array;
  accountCollateral: Float64Array;
  /** CSR: positions of account a are [accountPositionStart[a], accountPositionStart[a+1]). */
  accountPositionStart: Int32Array;
  /** CSR: units of account a are [accountUnitStart[a], accountUnitStart[a+1]). */
  accountUnitStart: Int32Array;

  positionMarket: Int32Array;
  positionSize: Float64Array;
  positionEntryPrice: Float64Array;
  /** Isolated positions: margin; cross positions: 0. */
  positionMargin: Float64Array;
  positionUnit: Int32Array;
  /** |size|·mark at the book's marks (the notional every maintenance curve is evaluated at). */
  positionNotional: Float64Array;

  /** CSR: positions of unit u are [unitPositionStart[u], unitPositionStart[u+1]). */
  unitPositionStart: Int32Array;
  unitAccount: Int32Array;
  /** Equity at the book's marks: collateral (or margin) + Σ size·(mark − entry). */
  unitEquity: Float64Array;
  /** d equity / d f for a uniform shock f (marks·(1+f)): Σ size·mark. */
  unitEquitySlope: Float64Array;
  /** Σ |size|·mark. */
  unitNotional: Float64Array;

  /** CSR by market: positions of market m are marketPositions[marketPositionStart[m] .. marketPositionStart[m+1]). */
  marketPositionStart: Int32Array;
  marketPositions: Int32Array;
}

/** Plain arrays to build a columnar book from without going through objects (bench, importers). */
export interface ColumnarInput {
  marketNames: string[];
  marks: ArrayLike<number>;
  insuranceFund?: number;
  accountIds: string[];
  accountIsolated: ArrayLike<number>;
  accountCollateral: ArrayLike<number>;
  /** CSR over positions, length accounts + 1. */
  accountPositionStart: ArrayLike<number>;
  positionMarket: ArrayLike<number>;
  positionSize: ArrayLike<number>;
  positionEntryPrice: ArrayLike<number>;
  positionMargin: ArrayLike<number>;
}

function toFloat64(values: ArrayLike<number>): Float64Array {
  return values instanceof Float64Array ? values : Float64Array.from(values);
}
function toInt32(values: ArrayLike<number>): Int32Array {
  return values instanceof Int32Array ? values : Int32Array.from(values);
}

export function buildColumnarFromArrays(input: ColumnarInput): ColumnarBook {
  const accountCount = input.accountIds.length;
  const positionCount = input.positionMarket.length;
  const marketCount = input.marketNames.length;
  const marks = toFloat64(input.marks);
  const accountIsolated = input.accountIsolated instanceof Uint8Array ? input.accountIsolated : Uint8Array.from(input.accountIsolated);
  const accountCollateral = toFloat64(input.accountCollateral);
  const accountPositionStart = toInt32(input.accountPositionStart);
  // Read by the margin pass's second thread: on shared memory (parallel.ts).
  const positionMarket = toSharedInt32(toInt32(input.positionMarket));
  const positionSize = toFloat64(input.positionSize);
  const positionEntryPrice = toFloat64(input.positionEntryPrice);
  const positionMargin = toFloat64(input.positionMargin);

  // Units: one per cross account (even without positions), one per isolated position.
  let unitCount = 0;
  const accountUnitStart = sharedInt32(accountCount + 1);
  for (let a = 0; a < accountCount; a++) {
    accountUnitStart[a] = unitCount;
    unitCount += accountIsolated[a] ? accountPositionStart[a + 1] - accountPositionStart[a] : 1;
  }
  accountUnitStart[accountCount] = unitCount;

  const unitPositionStart = sharedInt32(unitCount + 1);
  const unitAccount = new Int32Array(unitCount);
  const unitEquity = sharedFloat64(unitCount);
  const unitEquitySlope = sharedFloat64(unitCount);
  const unitNotional = sharedFloat64(unitCount);
  const positionUnit = new Int32Array(positionCount);
  let u = 0;
  for (let a = 0; a < accountCount; a++) {
    const first = accountPositionStart[a];
    const end = accountPositionStart[a + 1];
    if (!accountIsolated[a]) {
      unitPositionStart[u] = first;
      unitAccount[u] = a;
      let equity = accountCollateral[a];
      let slope = 0;
      let notional = 0;
      for (let p = first; p < end; p++) {
        const mark = marks[positionMarket[p]];
        equity += positionSize[p] * (mark - positionEntryPrice[p]);
        slope += positionSize[p] * mark;
        notional += Math.abs(positionSize[p]) * mark;
        positionUnit[p] = u;
      }
      unitEquity[u] = equity;
      unitEquitySlope[u] = slope;
      unitNotional[u] = notional;
      u++;
    } else {
      for (let p = first; p < end; p++) {
        const mark = marks[positionMarket[p]];
        unitPositionStart[u] = p;
        unitAccount[u] = a;
        unitEquity[u] = positionMargin[p] + positionSize[p] * (mark - positionEntryPrice[p]);
        unitEquitySlope[u] = positionSize[p] * mark;
        unitNotional[u] = Math.abs(positionSize[p]) * mark;
        positionUnit[p] = u;
        u++;
      }
    }
  }
  unitPositionStart[unitCount] = positionCount;

  const positionNotional = sharedFloat64(positionCount);
  for (let p = 0; p < positionCount; p++) {
    positionNotional[p] = Math.abs(positionSize[p]) * marks[positionMarket[p]];
    // Finite sizes and marks can still overflow; the margin pass's segment scans rely on a finite notional.
    if (!Number.isFinite(positionNotional[p])) throw new RangeError(`position ${p}: |size|·mark is not a finite number (${positionSize[p]} × ${marks[positionMarket[p]]})`);
  }

  const marketPositionStart = new Int32Array(marketCount + 1);
  for (let p = 0; p < positionCount; p++) marketPositionStart[positionMarket[p] + 1]++;
  for (let m = 0; m < marketCount; m++) marketPositionStart[m + 1] += marketPositionStart[m];
  const fill = marketPositionStart.slice(0, marketCount);
  const marketPositions = new Int32Array(positionCount);
  for (let p = 0; p < positionCount; p++) marketPositions[fill[positionMarket[p]]++] = p;

  const marketIndex = new Map<string, number>();
  input.marketNames.forEach((name, index) => marketIndex.set(name, index));
  return {
    marketNames: input.marketNames.slice(),
    marketIndex,
    marks,
    insuranceFund: input.insuranceFund ?? 0,
    accountIds: input.accountIds,
    accountIsolated,
    accountCollateral,
    accountPositionStart,
    accountUnitStart,
    positionMarket,
    positionSize,
    positionEntryPrice,
    positionMargin,
    positionUnit,
    positionNotional,
    unitPositionStart,
    unitAccount,
    unitEquity,
    unitEquitySlope,
    unitNotional,
    marketPositionStart,
    marketPositions,
  };
}

/** Columnar book from a parsed (or imported) snapshot. */
export function buildColumnarBook(book: Book): ColumnarBook {
  const marketNames = Object.keys(book.marks);
  const marketIndex = new Map(marketNames.map((name, index) => [name, index]));
  const positionCount = book.accounts.reduce((total, account) => total + account.positions.length, 0);
  const accountPositionStart = new Int32Array(book.accounts.length + 1);
  const positionMarket = new Int32Array(positionCount);
  const positionSize = new Float64Array(positionCount);
  const positionEntryPrice = new Float64Array(positionCount);
  const positionMargin = new Float64Array(positionCount);
  let p = 0;
  book.accounts.forEach((account, a) => {
    accountPositionStart[a] = p;
    for (const position of account.positions) {
      const market = marketIndex.get(position.market);
      if (market === undefined) throw new Error(`position in market ${position.market} without a mark`);
      positionMarket[p] = market;
      positionSize[p] = position.size;
      positionEntryPrice[p] = position.entryPrice;
      positionMargin[p] = account.mode === "isolated" ? (position.margin ?? 0) : 0;
      p++;
    }
  });
  accountPositionStart[book.accounts.length] = p;
  return buildColumnarFromArrays({
    marketNames,
    marks: marketNames.map((name) => book.marks[name]),
    insuranceFund: book.insuranceFund,
    accountIds: book.accounts.map((account) => account.id),
    accountIsolated: book.accounts.map((account) => (account.mode === "isolated" ? 1 : 0)),
    accountCollateral: book.accounts.map((account) => (account.mode === "cross" ? account.collateral : 0)),
    accountPositionStart,
    positionMarket,
    positionSize,
    positionEntryPrice,
    positionMargin,
  });
}

/** One account back as an object (for output of a few accounts through the simple path). */
export function columnarAccount(book: ColumnarBook, accountIndex: number): Account {
  const isolated = book.accountIsolated[accountIndex] === 1;
  const positions = [];
  for (let p = book.accountPositionStart[accountIndex]; p < book.accountPositionStart[accountIndex + 1]; p++) {
    const position: Account["positions"][number] = { market: book.marketNames[book.positionMarket[p]], size: book.positionSize[p], entryPrice: book.positionEntryPrice[p] };
    if (isolated) position.margin = book.positionMargin[p];
    positions.push(position);
  }
  return { id: book.accountIds[accountIndex], mode: isolated ? "isolated" : "cross", collateral: book.accountCollateral[accountIndex], positions };
}

/** Marks of the book as a record keyed by market. */
export function columnarMarks(book: ColumnarBook): Record<string, number> {
  const marks: Record<string, number> = {};
  book.marketNames.forEach((name, index) => (marks[name] = book.marks[index]));
  return marks;
}

/** Approximate bytes held by the typed arrays of a columnar book (ids excluded). */
export function columnarByteLength(book: ColumnarBook): number {
  let total = 0;
  for (const value of Object.values(book)) if (ArrayBuffer.isView(value)) total += value.byteLength;
  return total;
}
