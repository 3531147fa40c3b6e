// Governance scheduler: moves the time-driven transitions (vote opens, vote closes, queue,
// execute after the timelock, expiry after the grace period) on an interval against the
// injectable governance clock. Every step is a compare-and-swap, so two schedulers (two app
// instances, or a demo clock jump racing the interval) never apply a step twice.
import type { Db } from "../db";
import type { Runtime, Subsystem } from "../runtime-types";
import type { GovernanceContext } from "../services/governance/context";
import { advanceProposal, proposalsToAdvance, type AdvanceOptions, type AdvanceResult } from "../services/governance/advance-proposal";
import { governanceFor } from "../services/governance/runtime-context";

export const SCHEDULER_INTERVAL_MS = 5_000;

/** One pass over every proposal with a possible timed step; failures of one do not stop the others. */
export async function runSchedulerOnce(db: Db, ctx: GovernanceContext, options: AdvanceOptions = {}): Promise<{ advanced: AdvanceResult[]; failed: { proposalId: string; error: string }[] }> {
  const advanced: AdvanceResult[] = [];
  const failed: { proposalId: string; error: string }[] = [];
  for (const { id } of await proposalsToAdvance(db)) {
    try {
      const result = await advanceProposal(db, ctx, id, options);
      if (result.from !== result.to || result.events.length > 0 || result.note) advanced.push(result);
    } catch (error) {
      failed.push({ proposalId: id, error: error instanceof Error ? error.message : String(error) });
    }
  }
  return { advanced, failed };
}

export type SchedulerSubsystem = Subsystem & { runNow(): Promise<Awaited<ReturnType<typeof runSchedulerOnce>>> };

export async function startScheduler(runtime: Runtime, intervalMs = SCHEDULER_INTERVAL_MS): Promise<SchedulerSubsystem> {
  const ctx = governanceFor(runtime);
  const db = runtime.database.prisma;
  let running: Promise<Awaited<ReturnType<typeof runSchedulerOnce>>> | null = null;
  let lastRun: { atMs: number; advanced: number; failed: number } | null = null;
  const runNow = () => {
    // One pass at a time in this process (PGlite has one connection; passes would only queue).
    running ??= runSchedulerOnce(db, ctx)
      .then((result) => {
        lastRun = { atMs: ctx.nowMs(), advanced: result.advanced.length, failed: result.failed.length };
        for (const failure of result.failed) console.error(`[scheduler] ${failure.proposalId}: ${failure.error}`);
        return result;
      })
      .finally(() => {
        running = null;
      });
    return running;
  };
  const timer = setInterval(() => void runNow().catch((error) => console.error("[scheduler] pass failed:", error)), intervalMs);
  timer.unref();
  return {
    name: "scheduler",
    runNow,
    health: () => ({ intervalMs, lastRun, clockOffsetMs: ctx.nowMs() - Date.now() }),
    async stop() {
      clearInterval(timer);
      await running?.catch(() => {});
    },
  };
}
