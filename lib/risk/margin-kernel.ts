// The margin pass over a range of accounts, as one self-contained function: state.ts runs it on the
// main thread, and parallel.ts runs the same function's text in a worker thread on the other half
// of the accounts (so it must not reference anything outside itself: no imports, no module
// variables, no helpers a compiler would inject).
//
// What it computes (see state.ts for the model): with `write`, each unit's and account's
// maintenance, shortfall, notional at risk and liquidatable flag, summed in margin.ts's order so
// they equal the simple path's bit for bit; with a grid, each unit's shock-grid contribution added
// with `sign` into `sums`, from linear coefficients it never stores:
//
// Under a uniform shock f (marks·(1+f)) a unit's equity is E + f·B (columnar.ts) and the
// maintenance of a position that stays in one curve segment over the grid's range is
// slope·notional·(1+f) + intercept, so the unit's is I + (1+f)·S. "Liquidatable"
// (E + f·B < I + (1+f)·S) then holds on a prefix or a suffix of the sorted shocks; its boundary
// comes from the root f* = (I + S − E)/(B − S), confirmed on the exact predicate; the unit is
// bucketed once by where its range ends or starts. An isolated account's set is the union of its
// units' prefixes and suffixes (a prefix ∪ a suffix). A unit with a position crossing a curve
// breakpoint inside the range is evaluated shock by shock: only its crossing positions are looked
// up, walking their segment upwards as the sorted shocks grow; the rest stays linear.
//
// Floats: every quantity is a double, as in margin.ts; sums over a million accounts keep a relative
// error ≲ 1e-12, far inside the 1e-9 the benchmark and tests hold the engine to.

/** Blocks of `sums` (each K+1 long): prefix/suffix buckets by boundary index, direct sums by shock. */
export const sumBlocks = {
  prefixAccounts: 0,
  suffixAccounts: 1,
  prefixUnits: 2,
  suffixUnits: 3,
  prefixShortfallConstant: 4,
  prefixShortfallSlope: 5,
  prefixNotional: 6,
  suffixShortfallConstant: 7,
  suffixShortfallSlope: 8,
  suffixNotional: 9,
  directAccounts: 10,
  directUnits: 11,
  directShortfall: 12,
  directNotional: 13,
} as const;
export const sumBlockCount = 14;

export interface KernelInput {
  /** Accounts [from, to), or the listed ones when `list` is set. */
  from: number;
  to: number;
  list: Int32Array | null;
  sign: number;
  write: boolean;
  withGrid: boolean;
  accountUnitStart: Int32Array;
  unitPositionStart: Int32Array;
  unitEquity: Float64Array;
  unitEquitySlope: Float64Array;
  unitNotional: Float64Array;
  positionMarket: Int32Array;
  positionNotional: Float64Array;
  curveStart: Int32Array;
  breakNotional: Float64Array;
  /** breakNotional of the next segment, +∞ after a market's last. */
  upperNotional: Float64Array;
  slope: Float64Array;
  intercept: Float64Array;
  unitMaintenance: Float64Array;
  unitLiquidatable: Uint8Array;
  accountMaintenance: Float64Array;
  accountShortfall: Float64Array;
  accountNotionalAtRisk: Float64Array;
  accountLiquidatable: Uint8Array;
  /** Sorted shocks (at least one entry, even without a grid). */
  f: Float64Array;
  uniform: boolean;
  step: number;
  /** sumBlockCount blocks of f.length + 1 (see sumBlocks). */
  sums: Float64Array;
}

/** Runs the pass; returns the number of units evaluated shock by shock. */
export function marginKernel(input: KernelInput): number {
  const accountUnitStart = input.accountUnitStart;
  const unitPositionStart = input.unitPositionStart;
  const E = input.unitEquity;
  const B = input.unitEquitySlope;
  const N = input.unitNotional;
  const positionMarket = input.positionMarket;
  const positionNotional = input.positionNotional;
  const curveStart = input.curveStart;
  const breaks = input.breakNotional;
  const upper = input.upperNotional;
  const curveSlope = input.slope;
  const curveIntercept = input.intercept;
  const unitMaintenanceOut = input.unitMaintenance;
  const unitLiquidatable = input.unitLiquidatable;
  const accountMaintenance = input.accountMaintenance;
  const accountShortfall = input.accountShortfall;
  const accountNotionalAtRisk = input.accountNotionalAtRisk;
  const accountLiquidatable = input.accountLiquidatable;
  const list = input.list;
  const sign = input.sign;
  const write = input.write;
  const withGrid = input.withGrid;
  const f = input.f;
  const uniform = input.uniform;
  const step = input.step;
  const K = f.length;
  const f0 = f[0];
  const lowFactor = 1 + f0;
  const highFactor = 1 + f[K - 1];
  const block = K + 1;
  const sums = input.sums;
  const prefixAccounts = sums.subarray(0 * block, 1 * block);
  const suffixAccounts = sums.subarray(1 * block, 2 * block);
  const prefixUnits = sums.subarray(2 * block, 3 * block);
  const suffixUnits = sums.subarray(3 * block, 4 * block);
  const prefixShortfallConstant = sums.subarray(4 * block, 5 * block);
  const prefixShortfallSlope = sums.subarray(5 * block, 6 * block);
  const prefixNotional = sums.subarray(6 * block, 7 * block);
  const suffixShortfallConstant = sums.subarray(7 * block, 8 * block);
  const suffixShortfallSlope = sums.subarray(8 * block, 9 * block);
  const suffixNotional = sums.subarray(9 * block, 10 * block);
  const directAccounts = sums.subarray(10 * block, 11 * block);
  const directUnits = sums.subarray(11 * block, 12 * block);
  const directShortfall = sums.subarray(12 * block, 13 * block);
  const directNotional = sums.subarray(13 * block, 14 * block);
  const accountFlags = new Uint8Array(K);
  // Crossing positions of the current unit (grown on demand).
  let crossingNotional = new Float64Array(64);
  let crossingSegment = new Int32Array(64);
  let crossingUnits = 0;
  const first = list ? 0 : input.from;
  const end = list ? list.length : input.to;
  for (let index = first; index < end; index++) {
    const a = list ? list[index] : index;
    const uEnd = accountUnitStart[a + 1];
    let maintenance = 0;
    let shortfall = 0;
    let notionalAtRisk = 0;
    let liquidatable = 0;
    let accountPrefixEnd = 0;
    let accountSuffixStart = K;
    let accountDirect = false;
    for (let u = accountUnitStart[a]; u < uEnd; u++) {
      let unitMaintenance = 0;
      let s = 0;
      let i = 0;
      let crossingCount = 0;
      const pEnd = unitPositionStart[u + 1];
      for (let p = unitPositionStart[u]; p < pEnd; p++) {
        const m = positionMarket[p];
        const notional = positionNotional[p];
        // Segment at the mark, scanning up from the market's first (most positions sit in the
        // lowest tiers; a flat market has one segment, whose upper end is +∞).
        let j = curveStart[m];
        while (notional >= upper[j]) j++;
        unitMaintenance += curveSlope[j] * notional + curveIntercept[j];
        if (!withGrid) continue;
        // In segment j over the whole shock range (so linear in the shock), or crossing a breakpoint.
        const low = notional * lowFactor;
        const high = notional * highFactor;
        if (low >= breaks[j] && high < upper[j]) {
          s += curveSlope[j] * notional;
          i += curveIntercept[j];
          continue;
        }
        // Crossing: start at the segment of the range's low end; per-shock evaluation walks it up.
        const segmentFirst = curveStart[m];
        let jl = j;
        while (jl > segmentFirst && low < breaks[jl]) jl--;
        while (low >= upper[jl]) jl++;
        if (crossingCount === crossingNotional.length) {
          const grownNotional = new Float64Array(crossingCount * 2);
          const grownSegment = new Int32Array(crossingCount * 2);
          grownNotional.set(crossingNotional);
          grownSegment.set(crossingSegment);
          crossingNotional = grownNotional;
          crossingSegment = grownSegment;
        }
        crossingNotional[crossingCount] = notional;
        crossingSegment[crossingCount] = jl;
        crossingCount++;
      }
      const e = E[u];
      if (write) {
        unitMaintenanceOut[u] = unitMaintenance;
        maintenance += unitMaintenance;
        if (e < unitMaintenance) {
          unitLiquidatable[u] = 1;
          liquidatable = 1;
          shortfall += unitMaintenance - e;
          notionalAtRisk += N[u];
        } else {
          unitLiquidatable[u] = 0;
        }
      }
      if (!withGrid) continue;
      const b = B[u];
      if (crossingCount > 0) {
        crossingUnits++;
        if (!accountDirect) {
          accountDirect = true;
          for (let k = 0; k < K; k++) accountFlags[k] = 0;
        }
        const unitNotional = N[u];
        for (let k = 0; k < K; k++) {
          const fk = f[k];
          const factor = 1 + fk;
          const equity = e + fk * b;
          let shockedMaintenance = i + factor * s;
          for (let c = 0; c < crossingCount; c++) {
            const shockedNotional = crossingNotional[c] * factor;
            let j = crossingSegment[c];
            while (shockedNotional >= upper[j]) j++;
            crossingSegment[c] = j;
            shockedMaintenance += curveSlope[j] * shockedNotional + curveIntercept[j];
          }
          if (equity < shockedMaintenance) {
            accountFlags[k] = 1;
            directUnits[k] += sign;
            directShortfall[k] += sign * (shockedMaintenance - equity);
            directNotional[k] += sign * (factor * unitNotional);
          }
        }
        continue;
      }
      const direction = b - s;
      if (direction === 0) {
        if (e + f0 * b < i + (1 + f0) * s) {
          prefixUnits[K] += sign;
          prefixShortfallConstant[K] += sign * (i + s - e);
          prefixShortfallSlope[K] += sign * (s - b);
          prefixNotional[K] += sign * N[u];
          accountPrefixEnd = K;
        }
        continue;
      }
      // First guess of the boundary from the root (points strictly below it); the exact predicate settles it.
      const root = (i + s - e) / direction;
      let c = 0;
      if (uniform) {
        // Clamped to [0, K] without branches (a NaN root, impossible for finite inputs, gives 0).
        c = Math.min(K, Math.max(0, Math.ceil((root - f0) / step))) || 0;
      } else if (root > f0) {
        let high = K;
        while (c < high) {
          const mid = (c + high) >> 1;
          if (f[mid] < root) c = mid + 1;
          else high = mid;
        }
      }
      if (direction > 0) {
        // Liquidatable for f below f*: the prefix of points where the exact predicate holds.
        while (c > 0 && !(e + f[c - 1] * b < i + (1 + f[c - 1]) * s)) c--;
        while (c < K && e + f[c] * b < i + (1 + f[c]) * s) c++;
        if (c > 0) {
          prefixUnits[c] += sign;
          prefixShortfallConstant[c] += sign * (i + s - e);
          prefixShortfallSlope[c] += sign * (s - b);
          prefixNotional[c] += sign * N[u];
          if (c > accountPrefixEnd) accountPrefixEnd = c;
        }
      } else {
        while (c < K && !(e + f[c] * b < i + (1 + f[c]) * s)) c++;
        while (c > 0 && e + f[c - 1] * b < i + (1 + f[c - 1]) * s) c--;
        if (c < K) {
          suffixUnits[c] += sign;
          suffixShortfallConstant[c] += sign * (i + s - e);
          suffixShortfallSlope[c] += sign * (s - b);
          suffixNotional[c] += sign * N[u];
          if (c < accountSuffixStart) accountSuffixStart = c;
        }
      }
    }
    if (write) {
      accountMaintenance[a] = maintenance;
      accountShortfall[a] = shortfall;
      accountNotionalAtRisk[a] = notionalAtRisk;
      accountLiquidatable[a] = liquidatable;
    }
    if (!withGrid) continue;
    if (accountDirect) {
      // Liquidatable at shock k: a unit's prefix or suffix covers k, or a crossing unit is at k.
      for (let k = 0; k < accountPrefixEnd; k++) accountFlags[k] = 1;
      for (let k = accountSuffixStart; k < K; k++) accountFlags[k] = 1;
      for (let k = 0; k < K; k++) directAccounts[k] += sign * accountFlags[k];
    } else if (accountPrefixEnd >= accountSuffixStart) prefixAccounts[K] += sign;
    else {
      prefixAccounts[accountPrefixEnd] += sign; // bucket 0 means "never": not read
      suffixAccounts[accountSuffixStart] += sign; // bucket K means "never"
    }
  }
  return crossingUnits;
}
