// A second thread for the margin pass. The machine this runs on has 2 cores (DESIGN.md), and a
// full pass over a million positions is ~50 ms of one core; DuckDB, the benchmark's peer, uses both.
// The pass over accounts [0, split) runs on the calling thread while a worker thread runs the same
// function (margin-kernel.ts, sent as its source text) on [split, accounts); the caller then blocks
// on Atomics.wait until the worker is done, so the API stays synchronous.
//
// Both threads read the book's arrays and write the state's through SharedArrayBuffers (the book
// and the state allocate them there, see `sharedFloat64`); each thread adds its grid sums into its
// own buffer and the caller adds the worker's into its own. Per-account and per-unit numbers are
// therefore the same bits as on one thread; grid sums are added in another order (relative
// difference ~1e-16, far inside the engine's 1e-9).
//
// The same worker runs a liquidation cascade's first wave and the scheduling of its survivors over
// the second of two unit ranges (cascade-kernel.ts, `runCascadeRanges`): each range writes its own
// output buffers, and stress.ts reads them range by range in unit order.
//
// Anything that keeps the worker from running (no worker_threads or SharedArrayBuffer, e.g. in a
// browser; a worker that does not start within 5 s; an error in it) leaves the pass on one thread.
// RISKWARDEN_RISK_THREADS=1 turns the worker off.
import { createCascadeKernel, type CascadeKernel, type CascadeRange } from "./cascade-kernel";
import { marginKernel, type KernelInput } from "./margin-kernel";

const sharedMemory = typeof SharedArrayBuffer === "function";

/** Float64Array on shared memory where the platform has it (readable by the worker without a copy). */
export function sharedFloat64(length: number): Float64Array {
  return sharedMemory ? new Float64Array(new SharedArrayBuffer(length * 8)) : new Float64Array(length);
}
export function sharedInt32(length: number): Int32Array {
  return sharedMemory ? new Int32Array(new SharedArrayBuffer(length * 4)) : new Int32Array(length);
}
export function sharedUint8(length: number): Uint8Array {
  return sharedMemory ? new Uint8Array(new SharedArrayBuffer(length)) : new Uint8Array(length);
}
/** The same numbers on shared memory (the array itself when it already is). */
export function toSharedInt32(array: Int32Array): Int32Array {
  if (!sharedMemory || array.buffer instanceof SharedArrayBuffer) return array;
  const copy = sharedInt32(array.length);
  copy.set(array);
  return copy;
}

interface WorkerHandle {
  postMessage(message: unknown): void;
  unref(): void;
  on(event: string, listener: (value: unknown) => void): void;
}

interface Helper {
  worker: WorkerHandle;
  /** [0]: 0 idle/running, 1 done, 2 failed; [1]: crossing units of the worker's half; [2]: 1 once started. */
  control: Int32Array;
  broken: boolean;
}

const settings = {
  threads: Number(globalThis.process?.env?.RISKWARDEN_RISK_THREADS ?? 2) >= 2 ? 2 : 1,
  /** Smaller passes stay on one thread (the hand-off costs ~0.1 ms). */
  minPositions: 50_000,
};
let helper: Helper | null | undefined;
const stats = { parallelPasses: 0, singlePasses: 0 };

/** Threads for large passes (1 or 2) and the size from which the second is used. */
export function configureRiskThreads(options: { threads?: number; minPositions?: number }): void {
  if (options.threads !== undefined) settings.threads = options.threads >= 2 ? 2 : 1;
  if (options.minPositions !== undefined) settings.minPositions = options.minPositions;
}

/** Passes run so far on two threads and on one (for tests and the health page). */
export function riskThreadStats(): { parallelPasses: number; singlePasses: number; workerAvailable: boolean | null } {
  return { ...stats, workerAvailable: helper === undefined ? null : helper !== null && !helper.broken };
}

function workerSource(): string {
  return `"use strict";
const { parentPort } = require("node:worker_threads");
// esbuild's keepNames (tsx, vitest) wraps inner functions in __name(fn, "name"): an identity here.
var __name = (target) => target;
const marginKernel = ${marginKernel.toString()};
const cascadeKernel = (${createCascadeKernel.toString()})();
let control = null;
parentPort.on("message", (message) => {
  if (message.control) {
    control = message.control;
    Atomics.store(control, 2, 1);
    Atomics.notify(control, 2);
    return;
  }
  try {
    if (message.cascade) {
      cascadeKernel.run(message.cascade.phase, message.cascade.range);
      control[1] = 0;
    } else {
      message.input.sums.fill(0);
      control[1] = marginKernel(message.input);
    }
    Atomics.store(control, 0, 1);
  } catch (error) {
    Atomics.store(control, 0, 2);
  }
  Atomics.notify(control, 0);
});`;
}

type WorkerThreads = { Worker: new (source: string, options: { eval: boolean }) => WorkerHandle };

function startHelper(): Helper | null {
  const getBuiltin = (globalThis.process as { getBuiltinModule?: (id: string) => unknown } | undefined)?.getBuiltinModule;
  if (!sharedMemory || typeof getBuiltin !== "function" || typeof Atomics.wait !== "function") return null;
  try {
    const { Worker } = getBuiltin("node:worker_threads") as WorkerThreads;
    const worker = new Worker(workerSource(), { eval: true });
    worker.unref();
    const control = new Int32Array(new SharedArrayBuffer(12));
    const started: Helper = { worker, control, broken: false };
    worker.on("error", () => (started.broken = true));
    worker.on("exit", () => (started.broken = true));
    worker.postMessage({ control });
    // The first use waits for the worker to start (tens of milliseconds, once per process).
    if (Atomics.wait(control, 2, 0, 5000) === "timed-out" || control[2] !== 1) return null;
    return started;
  } catch {
    return null;
  }
}

function isShared(array: ArrayBufferView): boolean {
  return array.buffer instanceof SharedArrayBuffer;
}

/**
 * Runs the kernel over accounts [input.from, input.to) on two threads when it is worth it and
 * possible, else on this one. `split` is the first account of the worker's half. Returns the
 * crossing-unit count; the worker's grid sums are added into input.sums.
 */
export function runMarginKernel(input: KernelInput, split: number, positions: number): number {
  const large = input.list === null && settings.threads >= 2 && positions >= settings.minPositions && split > input.from && split < input.to;
  const arrays: ArrayBufferView[] = [input.accountUnitStart, input.unitPositionStart, input.unitEquity, input.unitEquitySlope, input.unitNotional, input.positionMarket, input.positionNotional];
  if (input.write) arrays.push(input.unitMaintenance, input.unitLiquidatable, input.accountMaintenance, input.accountShortfall, input.accountNotionalAtRisk, input.accountLiquidatable);
  if (!large || !arrays.every(isShared)) {
    stats.singlePasses++;
    return marginKernel(input);
  }
  if (helper === undefined) helper = startHelper();
  if (helper === null || helper.broken) {
    stats.singlePasses++;
    return marginKernel(input);
  }
  const control = helper.control;
  const workerSums = sharedFloat64(input.sums.length);
  Atomics.store(control, 0, 0);
  const workerInput: KernelInput = { ...input, from: split, sums: workerSums };
  if (!input.write) {
    // Not written on a grid-only pass: keep them out of the message (they may not be shared).
    const none = new Float64Array(0);
    Object.assign(workerInput, { unitMaintenance: none, accountMaintenance: none, accountShortfall: none, accountNotionalAtRisk: none, unitLiquidatable: new Uint8Array(0), accountLiquidatable: new Uint8Array(0) });
  }
  helper.worker.postMessage({ input: workerInput });
  let crossing = marginKernel({ ...input, to: split });
  const outcome = Atomics.wait(control, 0, 0, 60_000);
  if (outcome === "timed-out" || Atomics.load(control, 0) !== 1) {
    // The worker failed: do its half here (it writes the same numbers if it ever finishes).
    helper.broken = true;
    stats.singlePasses++;
    return crossing + marginKernel({ ...input, from: split });
  }
  crossing += control[1];
  const sums = input.sums;
  for (let index = 0; index < sums.length; index++) sums[index] += workerSums[index];
  stats.parallelPasses++;
  return crossing;
}

/** Whether a cascade over this many positions runs its first wave on two threads (when the worker starts). */
export function cascadeOnTwoThreads(positions: number): boolean {
  return sharedMemory && typeof Atomics.wait === "function" && settings.threads >= 2 && positions >= settings.minPositions;
}

/**
 * Runs a phase of the cascade kernel (cascade-kernel.ts) over the ranges: the first on this thread
 * and, when there are two, the second on the worker (or here too if the worker cannot run it). The
 * ranges' output buffers are disjoint, and each range's numbers are the same whichever thread
 * computes them.
 */
export function runCascadeRanges(phase: number, ranges: CascadeRange[], kernel: CascadeKernel): void {
  if (ranges.length === 1) {
    kernel.run(phase, ranges[0]);
    return;
  }
  if (helper === undefined) helper = startHelper();
  if (helper === null || helper.broken) {
    for (const range of ranges) kernel.run(phase, range);
    stats.singlePasses++;
    return;
  }
  const control = helper.control;
  Atomics.store(control, 0, 0);
  helper.worker.postMessage({ cascade: { phase, range: ranges[1] } });
  kernel.run(phase, ranges[0]);
  const outcome = Atomics.wait(control, 0, 0, 60_000);
  if (outcome === "timed-out" || Atomics.load(control, 0) !== 1) {
    // The worker failed (or, in theory, took over a minute): do its range here.
    helper.broken = true;
    kernel.run(phase, ranges[1]);
    stats.singlePasses++;
    return;
  }
  stats.parallelPasses++;
}
