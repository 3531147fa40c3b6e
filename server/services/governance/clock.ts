// The governance clock: wall time plus an offset that only demo mode may move ("time advances" in
// the demo and the browser test). Kept on globalThis under one key, like the runtime, because Next
// gives route handlers and instrumentation separate module copies (DESIGN.md, "Checked hazards").
const KEY = Symbol.for("riskwarden.governanceClock");
type Holder = { [KEY]?: GovernanceClock };

export class GovernanceClock {
  private offsetMs = 0;

  constructor(private readonly wallClockMs: () => number = Date.now) {}

  nowMs(): number {
    return this.wallClockMs() + this.offsetMs;
  }

  get offset(): number {
    return this.offsetMs;
  }

  /** Moves governance time forward (demo only: callers check the mode). */
  advance(byMs: number): number {
    if (!(Number.isFinite(byMs) && byMs > 0)) throw new RangeError("advance by a positive number of milliseconds");
    this.offsetMs += byMs;
    return this.nowMs();
  }
}

/** The process-wide governance clock. */
export function processGovernanceClock(): GovernanceClock {
  const holder = globalThis as Holder;
  holder[KEY] ??= new GovernanceClock();
  return holder[KEY];
}
