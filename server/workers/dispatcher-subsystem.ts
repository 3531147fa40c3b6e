// Starts the webhook dispatcher with the runtime: takes new outbox rows straight from the alerting
// engine's commits (hand-off), wakes on `outbox.enqueued` for rows it did not take, polls every second
// otherwise, and raises an `endpoint-disabled` alert (through the other endpoints' routes) when an
// endpoint answers 410 or has failed for too long.
// RISKWARDEN_WEBHOOK_TIME_SCALE compresses the retry schedule (e.g. 0.001 in end-to-end tests).
import { z } from "zod";
import { retryPolicy } from "../../lib/alerts";
import { ConfigError } from "../env";
import type { Runtime, Subsystem } from "../runtime-types";
import { Dispatcher, type EndpointDisabledEvent } from "./dispatcher";
import { alertingEngineOf, type AlertingSubsystem } from "./notifier";
import { DEMO_RECEIVER_HOST } from "./notifier-demo";

export type DispatcherSubsystem = Subsystem & { dispatcher: Dispatcher };

function timeScaleFrom(source: Record<string, string | undefined>): number {
  const raw = source.RISKWARDEN_WEBHOOK_TIME_SCALE;
  if (raw === undefined || raw === "") return 1;
  const parsed = z.coerce.number().positive().max(1).safeParse(raw);
  if (!parsed.success) throw new ConfigError(`environment: RISKWARDEN_WEBHOOK_TIME_SCALE: expected a number in (0, 1], got ${JSON.stringify(raw)}`);
  return parsed.data;
}

/** The alert raised when an endpoint gets disabled (routes see check=endpoint-disabled, feed=<endpoint>). */
export function endpointDisabledAlert(event: EndpointDisabledEvent) {
  return {
    kind: "firing" as const,
    fingerprint: `endpoint-disabled:-:${event.endpointId}`,
    check: "endpoint-disabled",
    market: null,
    feed: event.endpointId,
    severity: "critical",
    value: 1,
    threshold: 1,
    at: event.atMs,
    summary: `Webhook endpoint ${event.endpointId} was disabled: ${event.reason}`,
  };
}

/** Its resolve, recorded when the endpoint is enabled again. */
export function endpointReenabledAlert(endpointId: string, atMs: number) {
  return { ...endpointDisabledAlert({ endpointId, reason: "enabled again", atMs }), kind: "resolved" as const };
}

/**
 * Hosts the dispatcher may reach on private/loopback/link-local addresses: the config file's
 * `security.allowWebhookHosts`, plus the in-process demo receiver when notifier.ts starts it
 * (demo mode without a config file).
 */
export function dispatcherAllowHosts(runtime: Pick<Runtime, "config" | "env">): string[] {
  if (runtime.config) return [...runtime.config.security.allowWebhookHosts];
  return runtime.env.demo ? [DEMO_RECEIVER_HOST] : [];
}

export async function startDispatcher(runtime: Runtime, source: Record<string, string | undefined> = process.env): Promise<DispatcherSubsystem> {
  const dispatcher = new Dispatcher(runtime.database.prisma, {
    appSecret: runtime.appSecret,
    allowHosts: dispatcherAllowHosts(runtime),
    pool: runtime.database.pool,
    policy: retryPolicy({ timeScale: timeScaleFrom(source) }),
    onEndpointDisabled: async (event) => {
      console.warn(`[dispatcher] endpoint ${event.endpointId} disabled: ${event.reason}`);
      runtime.bus.publish("alerting.config.changed", { what: "endpoints", at: event.atMs });
      await alertingEngineOf(runtime).record(endpointDisabledAlert(event));
    },
  });
  const unsubscribe = runtime.bus.subscribe("outbox.enqueued", () => dispatcher.wake());
  dispatcher.start();
  const engine = (runtime.subsystems.get("alerting") as AlertingSubsystem | undefined)?.engine ?? null;
  engine?.handOffTo(dispatcher);
  return {
    name: "dispatcher",
    dispatcher,
    health: () => dispatcher.health(),
    async stop() {
      engine?.handOffTo(null);
      unsubscribe();
      await dispatcher.stop();
    },
  };
}
