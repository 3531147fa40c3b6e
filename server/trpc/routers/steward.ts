// The fast lane: steward updates within bounds (committee), bounds and debounce clocks, the pause
// switch, history, and volatility-driven recommendations with their preview.
import { z } from "zod";
import { committeeProcedure, publicProcedure, router } from "../init";
import type { Runtime, Subsystem } from "../../runtime-types";
import { liveVolatilityFromSamples, volatilityRecommendations } from "../../services/governance/recommendations";
import { governanceFor } from "../../services/governance/runtime-context";
import { setStewardPaused } from "../../services/governance/settings";
import { applyStewardUpdate, listStewardUpdates, stewardBounds } from "../../services/governance/steward-update";
import { changeInput } from "./proposal";

const WEEK_MS = 7 * 86_400_000;

/** Live EWMA σ the feeds subsystem keeps (the same numbers the risk engine uses), when it exposes them. */
function feedVolatilities(runtime: Runtime): Record<string, number> | null {
  const feeds = runtime.subsystems.get("feeds") as (Subsystem & { status?: () => { volatilities?: Record<string, number | null> } }) | undefined;
  const raw = feeds?.status?.().volatilities;
  if (!raw) return null;
  const live = Object.fromEntries(Object.entries(raw).filter((entry): entry is [string, number] => typeof entry[1] === "number" && entry[1] > 0));
  return Object.keys(live).length > 0 ? live : null;
}

export const stewardRouter = router({
  update: committeeProcedure
    .input(z.object({ changes: z.array(changeInput).min(1).max(50), note: z.string().max(2000).optional() }))
    .mutation(({ ctx, input }) => applyStewardUpdate(ctx.db, governanceFor(ctx.runtime), { actor: ctx.user.address, changes: input.changes, note: input.note })),
  bounds: publicProcedure.query(({ ctx }) => stewardBounds(ctx.db, governanceFor(ctx.runtime))),
  setPaused: committeeProcedure
    .input(z.object({ paused: z.boolean(), reason: z.string().max(2000).optional() }))
    .mutation(({ ctx, input }) => setStewardPaused(ctx.db, { ...input, actor: ctx.user.address })),
  history: publicProcedure
    .input(z.object({ market: z.string().max(64).optional(), limit: z.number().int().min(1).max(500).optional() }).default({}))
    .query(({ ctx, input }) => listStewardUpdates(ctx.db, input)),
  /**
   * Markets whose live volatility floor exceeds their maintenance fraction, with the drafted change
   * and its preview. σ: the EWMA of the last week's reference prices, or `liveAnnualVolatility` given.
   */
  recommendations: committeeProcedure
    .input(z.object({ liveAnnualVolatility: z.record(z.string(), z.number().positive().max(100)).optional() }).default({}))
    .query(async ({ ctx, input }) => {
      const governance = governanceFor(ctx.runtime);
      const liveAnnualVolatility = input.liveAnnualVolatility ?? feedVolatilities(ctx.runtime) ?? (await liveVolatilityFromSamples(ctx.db, { sinceMs: Date.now() - WEEK_MS }));
      return { liveAnnualVolatility, recommendations: await volatilityRecommendations(ctx.db, governance, { liveAnnualVolatility }) };
    }),
});
