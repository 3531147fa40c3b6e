// Webhooks: endpoints (admin manages them; DESIGN.md "admins (roles, feeds, endpoints)"), routes,
// the delivery log, replay and test-send (on-call). Secrets are returned once, by create/rotate.
import { z } from "zod";
import { adminProcedure, holderProcedure, oncallProcedure, router } from "../init";
import {
  createEndpoint,
  createEndpointSchema,
  deleteEndpoint,
  listEndpoints,
  rotateEndpointSecret,
  setEndpointEnabled,
  updateEndpointSchema,
  updateEndpoint,
} from "../../services/webhooks/endpoints";
import { createRoute, deleteRoute, listRoutes, routeInputSchema, updateRoute } from "../../services/webhooks/routes";
import { listDeliveries, replayDelivery, testSend } from "../../services/webhooks/deliveries";
import type { Context } from "../init";
import { alertingEngineOf } from "../../workers/notifier";
import { endpointReenabledAlert } from "../../workers/dispatcher-subsystem";

function guardOf(ctx: Context) {
  return { allowHosts: ctx.runtime.config?.security.allowWebhookHosts ?? [] };
}

function changed(ctx: Context, what: "endpoints" | "routes") {
  ctx.runtime.bus.publish("alerting.config.changed", { what, at: Date.now() });
}

/** Slack/Discord-style URLs carry their secret in the path: only on-call and admins see it. */
function maskUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}/…`;
  } catch {
    return "…";
  }
}

export const webhooksRouter = router({
  endpoints: holderProcedure.query(async ({ ctx }) => {
    const endpoints = await listEndpoints(ctx.db);
    const privileged = ctx.user.roles.includes("admin") || ctx.user.roles.includes("oncall");
    return endpoints.map((e) => (privileged ? e : { ...e, url: maskUrl(e.url), headers: null }));
  }),
  createEndpoint: adminProcedure.input(createEndpointSchema).mutation(async ({ ctx, input }) => {
    const created = await createEndpoint(ctx.db, input, { ...guardOf(ctx), appSecret: ctx.runtime.appSecret });
    changed(ctx, "endpoints");
    return created;
  }),
  updateEndpoint: adminProcedure.input(updateEndpointSchema).mutation(async ({ ctx, input }) => {
    const updated = await updateEndpoint(ctx.db, input, guardOf(ctx));
    changed(ctx, "endpoints");
    return updated;
  }),
  setEndpointEnabled: adminProcedure.input(z.object({ id: z.string().min(1), enabled: z.boolean(), reason: z.string().optional() })).mutation(async ({ ctx, input }) => {
    const updated = await setEndpointEnabled(ctx.db, { ...input, actor: ctx.user.address });
    changed(ctx, "endpoints");
    // Enabling resolves the endpoint-disabled alert (a no-op when none is open).
    if (input.enabled) await alertingEngineOf(ctx.runtime).record(endpointReenabledAlert(input.id, Date.now()));
    ctx.runtime.bus.publish("outbox.enqueued", { count: 0, at: Date.now() });
    return updated;
  }),
  rotateSecret: adminProcedure.input(z.object({ id: z.string().min(1), secret: z.string().min(1).optional() })).mutation(({ ctx, input }) =>
    rotateEndpointSecret(ctx.db, input, { appSecret: ctx.runtime.appSecret }),
  ),
  deleteEndpoint: adminProcedure.input(z.object({ id: z.string().min(1) })).mutation(async ({ ctx, input }) => {
    const deleted = await deleteEndpoint(ctx.db, input);
    changed(ctx, "endpoints");
    return deleted;
  }),
  routes: holderProcedure.query(({ ctx }) => listRoutes(ctx.db)),
  createRoute: oncallProcedure.input(routeInputSchema).mutation(async ({ ctx, input }) => {
    const route = await createRoute(ctx.db, input);
    changed(ctx, "routes");
    return route;
  }),
  updateRoute: oncallProcedure.input(z.object({ id: z.string().min(1), route: routeInputSchema })).mutation(async ({ ctx, input }) => {
    const route = await updateRoute(ctx.db, input.id, input.route);
    changed(ctx, "routes");
    return route;
  }),
  deleteRoute: oncallProcedure.input(z.object({ id: z.string().min(1) })).mutation(async ({ ctx, input }) => {
    const deleted = await deleteRoute(ctx.db, input.id);
    changed(ctx, "routes");
    return deleted;
  }),
  deliveries: oncallProcedure
    .input(
      z.object({
        endpointId: z.string().optional(),
        status: z.enum(["pending", "delivering", "delivered", "dead"]).optional(),
        eventType: z.string().optional(),
        beforeId: z.bigint().optional(),
        limit: z.number().int().min(1).max(200).optional(),
      }),
    )
    .query(({ ctx, input }) => listDeliveries(ctx.db, input)),
  replay: oncallProcedure.input(z.object({ deliveryId: z.bigint() })).mutation(async ({ ctx, input }) => {
    const replayed = await replayDelivery(ctx.db, { deliveryId: input.deliveryId, actor: ctx.user.address });
    ctx.runtime.bus.publish("outbox.enqueued", { count: 1, at: Date.now() });
    return replayed;
  }),
  testSend: oncallProcedure.input(z.object({ endpointId: z.string().min(1) })).mutation(async ({ ctx, input }) => {
    const queued = await testSend(ctx.db, { endpointId: input.endpointId, actor: ctx.user.address });
    ctx.runtime.bus.publish("outbox.enqueued", { count: 1, at: Date.now() });
    return queued;
  }),
});
