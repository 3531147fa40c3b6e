// The liquidation cascade's per-unit loops (stress.ts explains the model and the proof), as one
// self-contained factory: stress.ts calls it for its functions on the calling thread, and
// parallel.ts runs the same text in its worker thread, where the first wave and the scheduling of
// its survivors run over the second half of the units while the caller does the first half. So it
// must not reference anything outside itself: no imports, no module variables, no helpers a
// compiler would inject (except esbuild's `__name`, which the worker defines: see parallel.ts).
//
// Floats: every quantity is a double, summed in the same order as margin.ts (see unitSlack).

/** One range of units [from, to) and its own output buffers (all on shared memory when a worker runs it). */
export interface CascadeRange {
  from: number;
  to: number;
  recordStart: Int32Array;
  record: Float64Array;
  /** Phase 1: the shocked prices; phase 2: the same (the first wave's) prices. */
  price: Float64Array;
  curveStart: Int32Array;
  /** End of each curve segment (the next one's start; +∞ after a market's last): segment scans need no bounds. */
  upper: Float64Array;
  curveSlope: Float64Array;
  curveIntercept: Float64Array;
  unitStamp: Uint16Array;
  usableSlack: Float64Array;
  /** Phase 1 output: the range's liquidated units in order, and copies of their records. */
  liquidated: Int32Array;
  copyStart: Int32Array;
  copyRecord: Float64Array;
  /** [0]: liquidated units, [1]: how many of them were copied (the rest did not fit), [2]: doubles copied. */
  counts: Int32Array;
  /** Phase 2 input: queue speeds and costs (the cost c, see stress.ts), the listing limit (the same for every queue then). */
  queueRate: Float64Array;
  queueCost: Float64Array;
  initialLimit: number;
  /** The most positions a unit of the book has. */
  maxUnitPositions: number;
  /** Phase 2 output: per queue, its region of the lists (queueCount + 1 starts) and its entries' count. */
  listStart: Int32Array;
  listLength: Int32Array;
  listUnit: Int32Array;
  listDue: Float64Array;
  /** The lists grouped, queue by queue (same regions), and each queue's group starts (cascadeGroups + 1 per queue). */
  sortedUnit: Int32Array;
  sortedDue: Float64Array;
  groupStart: Int32Array;
  group: Uint8Array;
}

/**
 * Groups of listed entries per queue: 0 holds the entries due below the initial limit (queued at
 * once), g ≥ 1 those due in [initial·2^(g−1), initial·2^g), the last one open-ended.
 */
export const cascadeGroups = 33;

export interface CascadeKernel {
  unitSlack(recordStart: Int32Array, record: Float64Array, price: Float64Array, curveStart: Int32Array, upper: Float64Array, curveSlope: Float64Array, curveIntercept: Float64Array, u: number, usable: Float64Array): number;
  unitEntries(recordStart: Int32Array, record: Float64Array, price: Float64Array, queueRate: Float64Array, queueCost: Float64Array, u: number, usable: number, queues: Int32Array, moves: Float64Array): number;
  /** Phase 1 or 2 over the range. */
  run(phase: number, range: CascadeRange): void;
}

export function createCascadeKernel(): CascadeKernel {
  const groups = 33; // cascadeGroups (module constants are out of reach in the worker)

  /**
   * Exact slack of unit u at `price`: equity = base (collateral, or the isolated margin) + Σ
   * size·(P − entry), maintenance = Σ MM of the tier in force, summed in the same order as
   * margin.ts. Writes to `usable[0]` the slack the look-again allowances may share: slack −
   * 1e-9·M (see stress.ts), at least 0, or −1 for a unit without notional (its slack never changes).
   */
  function unitSlack(recordStart: Int32Array, record: Float64Array, price: Float64Array, curveStart: Int32Array, upper: Float64Array, curveSlope: Float64Array, curveIntercept: Float64Array, u: number, usable: Float64Array): number {
    const start = recordStart[u];
    const end = recordStart[u + 1];
    let equity = record[start];
    let magnitude = Math.abs(equity);
    let maintenance = 0;
    let notional = 0;
    for (let r = start + 2; r < end; r += 3) {
      const m = record[r];
      const size = record[r + 1];
      const pnl = size * (price[m] - record[r + 2]);
      equity += pnl;
      const positionNotional = Math.abs(size) * price[m];
      // Segment in force, scanning up from the market's first (most positions sit in the lowest tiers).
      let j = curveStart[m];
      while (positionNotional >= upper[j]) j++;
      maintenance += curveSlope[j] * positionNotional + curveIntercept[j];
      notional += positionNotional;
      magnitude += Math.abs(pnl);
    }
    const slack = equity - maintenance;
    usable[0] = notional === 0 ? -1 : Math.max(0, slack - 1e-9 * (magnitude + maintenance + notional));
    return slack;
  }

  /**
   * The first wave over the range: liquidatable units get stamp 65,535 and are listed with a copy
   * of their record (read once more, in order, to sum their forced flow and settle them); the
   * others get stamp 1 and their usable slack.
   */
  function firstWave(range: CascadeRange): void {
    const { recordStart, record, price, curveStart, upper, curveSlope, curveIntercept, unitStamp, usableSlack, liquidated, copyStart, copyRecord } = range;
    const usable = new Float64Array(1);
    const capacity = copyRecord.length;
    let count = 0;
    let copiedUnits = 0;
    let copied = 0;
    copyStart[0] = 0;
    for (let u = range.from; u < range.to; u++) {
      if (unitSlack(recordStart, record, price, curveStart, upper, curveSlope, curveIntercept, u, usable) >= 0) {
        unitStamp[u] = 1;
        usableSlack[u] = usable[0];
        continue;
      }
      unitStamp[u] = 65535;
      liquidated[count++] = u;
      const start = recordStart[u];
      const end = recordStart[u + 1];
      // Copies stop at the first record that does not fit (the caller copies the rest).
      if (copiedUnits === count - 1 && copied + end - start <= capacity) {
        for (let r = start; r < end; r++) copyRecord[copied + r - start] = record[r];
        copied += end - start;
        copyStart[++copiedUnits] = copied;
      }
    }
    range.counts[0] = count;
    range.counts[1] = copiedUnits;
    range.counts[2] = copied;
  }

  /**
   * Unit u's look-again entries (see stress.ts): its usable slack split between its queues by their
   * speeds (allowance a_q = usable·v_q / Σ_p c_q(p)·N_p·v_q(p), N_p at `price`), each as a queue
   * and the running move its allowance lasts for — the lower bound 2t + 2t³/3 of −ln(1 − a) (a
   * long, t = a/(2 − a); a ≥ 1 never runs out, and t = 1 still bounds it) or of ln(1 + a) (a short,
   * t = a/(2 + a)). Written to `queues`/`moves` (room for one per position); returns how many.
   */
  function unitEntries(recordStart: Int32Array, record: Float64Array, price: Float64Array, queueRate: Float64Array, queueCost: Float64Array, u: number, usable: number, queues: Int32Array, moves: Float64Array): number {
    const start = recordStart[u];
    const end = recordStart[u + 1];
    let weighted = 0;
    for (let r = start + 2; r < end; r += 3) {
      const size = record[r + 1];
      const q = 2 * record[r] + (size > 0 ? 0 : 1);
      weighted += Math.abs(size) * price[record[r]] * queueRate[q] * queueCost[q];
    }
    const perRate = usable > 0 && weighted > 0 ? usable / weighted : 0;
    let count = 0;
    let previousQueue = -1;
    for (let r = start + 2; r < end; r += 3) {
      const size = record[r + 1];
      if (size === 0) continue;
      const q = 2 * record[r] + (size > 0 ? 0 : 1);
      if (q === previousQueue) continue;
      previousQueue = q;
      const allowance = perRate * queueRate[q];
      const t = size > 0 ? (allowance < 1 ? allowance / (2 - allowance) : 1) : allowance / (2 + allowance);
      queues[count] = q;
      moves[count++] = 2 * t * (1 + (t * t) / 3);
    }
    return count;
  }

  /** Lists the range's first-wave survivors' look-again entries (unitEntries), then groups each queue's list by due (see cascadeGroups). */
  function schedule(range: CascadeRange): void {
    const { recordStart, record, price, unitStamp, usableSlack, queueRate, queueCost, listStart, listLength, listUnit, listDue } = range;
    const entryQueue = new Int32Array(range.maxUnitPositions);
    const entryMove = new Float64Array(range.maxUnitPositions);
    listLength.fill(0);
    for (let u = range.from; u < range.to; u++) {
      if (unitStamp[u] !== 1) continue;
      const usable = usableSlack[u];
      if (usable < 0) continue; // no notional
      const count = unitEntries(recordStart, record, price, queueRate, queueCost, u, usable, entryQueue, entryMove);
      for (let i = 0; i < count; i++) {
        const q = entryQueue[i];
        const at = listStart[q] + listLength[q]++;
        listUnit[at] = u;
        listDue[at] = entryMove[i];
      }
    }
    const counts = new Int32Array(groups + 1);
    /** initial·2^(g−1) for g ≥ 1, exact (doubling a double is). */
    const floors = new Float64Array(groups);
    for (let g = 1; g < groups; g++) floors[g] = range.initialLimit * 2 ** (g - 1);
    for (let q = 0; q + 1 < listStart.length; q++) groupQueue(range, listStart[q], listStart[q] + listLength[q], floors, counts, q * (groups + 1));
  }

  /** Stable counting sort of the entries [first, end) by group into the sorted lists; group starts at groupStart[at..at + groups]. */
  function groupQueue(range: CascadeRange, first: number, end: number, floors: Float64Array, counts: Int32Array, at: number): void {
    const { listUnit, listDue, sortedUnit, sortedDue, groupStart, group } = range;
    const inverseLimit = 1 / range.initialLimit;
    counts.fill(0);
    for (let i = first; i < end; i++) {
      const due = listDue[i];
      let g = 0;
      if (due >= range.initialLimit) {
        // due·inverseLimit ≥ 1; 2^31 and beyond: the last group.
        const ratio = due * inverseLimit;
        g = ratio < 2147483648 ? 32 - Math.clz32(ratio >>> 0) : groups - 1;
        if (g > groups - 1) g = groups - 1;
        // Never a group above the due (a rounded ratio could say so): that would release it late.
        if (g > 1 && due < floors[g]) g--;
      }
      group[i] = g;
      counts[g + 1]++;
    }
    groupStart[at] = first;
    for (let g = 0; g < groups; g++) groupStart[at + g + 1] = groupStart[at + g] + counts[g + 1];
    for (let g = 0; g < groups; g++) counts[g] = groupStart[at + g];
    for (let i = first; i < end; i++) {
      const to = counts[group[i]]++;
      sortedUnit[to] = listUnit[i];
      sortedDue[to] = listDue[i];
    }
  }

  function run(phase: number, range: CascadeRange): void {
    if (phase === 1) firstWave(range);
    else schedule(range);
  }

  return { unitSlack, unitEntries, run };
}
