// Alerts: list with filters, history of a fingerprint, acknowledgement (on-call), silences, and the
// live stream of alert changes. Thin: validation here, work in server/services/alerts and webhooks.
import { z } from "zod";
import { holderProcedure, oncallProcedure, publicProcedure, router } from "../init";
import { alertCounts, alertHistory, listAlerts } from "../../services/alerts/list-alerts";
import { acknowledgeAlert } from "../../services/alerts/acknowledge-alert";
import { createSilence, expireSilence, listSilences } from "../../services/webhooks/silences";
import { alertingEngineOf } from "../../workers/notifier";
import type { BusEvents } from "../../bus";

const statusInput = z.enum(["firing", "acknowledged", "resolved"]);

export const alertsRouter = router({
  list: publicProcedure
    .input(
      z.object({
        status: statusInput.optional(),
        market: z.string().optional(),
        check: z.string().optional(),
        severity: z.string().optional(),
        beforeId: z.bigint().optional(),
        limit: z.number().int().min(1).max(500).optional(),
      }),
    )
    .query(({ ctx, input }) => listAlerts(ctx.db, input)),
  counts: publicProcedure.query(({ ctx }) => alertCounts(ctx.db)),
  history: publicProcedure.input(z.object({ fingerprint: z.string().min(1) })).query(({ ctx, input }) => alertHistory(ctx.db, input)),
  acknowledge: oncallProcedure
    .input(z.object({ fingerprint: z.string().min(1) }))
    .mutation(({ ctx, input }) => acknowledgeAlert(ctx.db, alertingEngineOf(ctx.runtime), { fingerprint: input.fingerprint, actor: ctx.user.address })),
  silences: holderProcedure.input(z.object({ includeExpired: z.boolean().optional() })).query(({ ctx, input }) => listSilences(ctx.db, input)),
  createSilence: oncallProcedure
    .input(
      z.object({
        matchers: z.array(z.union([z.string(), z.object({ name: z.string(), type: z.enum(["=", "!=", "=~", "!~"]), value: z.string() })])),
        startsAt: z.date().optional(),
        endsAt: z.date(),
        comment: z.string(),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      const silence = await createSilence(ctx.db, { ...input, author: ctx.user.address });
      ctx.runtime.bus.publish("alerting.config.changed", { what: "silences", at: Date.now() });
      return silence;
    }),
  expireSilence: oncallProcedure.input(z.object({ id: z.string().min(1) })).mutation(async ({ ctx, input }) => {
    const silence = await expireSilence(ctx.db, input);
    ctx.runtime.bus.publish("alerting.config.changed", { what: "silences", at: Date.now() });
    return silence;
  }),
  /** Every alert change (fired, acknowledged, resolved) as it commits (SSE). */
  live: publicProcedure.subscription(async function* ({ ctx, signal }): AsyncGenerator<BusEvents["alert.changed"]> {
    yield* ctx.runtime.bus.stream("alert.changed", signal);
  }),
});
