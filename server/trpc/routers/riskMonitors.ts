// Risk monitor thresholds and readings per market. Thresholds are edited by on-call, like alert
// routes and silences: they decide what pages the on-call (alerting behaviour), not what the
// protocol enforces (risk parameters, which go through governance). Reads are public, like the
// market page they sit on. File-managed markets are refused (CONFLICT) with the config key to edit.
import { z } from "zod";
import { oncallProcedure, publicProcedure, router, type Context } from "../init";
import { getRiskMonitors } from "../../workers/risk-monitors";
import { resetRiskMonitorThresholds, setRiskMonitorThresholds } from "../../services/risk-monitors/thresholds";

const market = z.string().min(1).max(64);

function changed(ctx: Context, marketId: string) {
  ctx.runtime.bus.publish("risk.monitors.changed", { market: marketId, at: Date.now() });
}

export const riskMonitorsRouter = router({
  market: publicProcedure.input(z.object({ market })).query(({ ctx, input }) => getRiskMonitors(ctx.runtime).marketState(input.market)),
  setThresholds: oncallProcedure
    // Validated by lib/alerts riskMonitorThresholdsSchema in the service (field paths in the error).
    .input(z.object({ market, thresholds: z.record(z.string(), z.unknown()) }))
    .mutation(async ({ ctx, input }) => {
      const saved = await setRiskMonitorThresholds(ctx.db, { config: ctx.runtime.config, market: input.market, thresholds: input.thresholds, actor: ctx.user.address });
      changed(ctx, input.market);
      return saved;
    }),
  resetThresholds: oncallProcedure.input(z.object({ market })).mutation(async ({ ctx, input }) => {
    const saved = await resetRiskMonitorThresholds(ctx.db, { config: ctx.runtime.config, market: input.market, actor: ctx.user.address });
    changed(ctx, input.market);
    return saved;
  }),
});
