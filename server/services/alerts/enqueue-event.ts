// Governance events (proposal.*, steward.updated) into the webhook outbox, INSIDE the caller's
// transaction: the state change and its notifications commit together or not at all.
//
//   await db.$transaction(async (tx) => {
//     … move the proposal to Executed …
//     await enqueueEvent(tx, { type: "proposal.executed", id: `proposal.executed:${proposal.id}`,
//                              data: { proposalId: proposal.id, number: proposal.number },
//                              summary: `Proposal #${proposal.number} executed`, labels: { market: "BTC-USD" } });
//   });
//
// Events are routed like alerts (labels `eventType`, `severity: info` unless given, plus `labels`),
// sent once to every matching route's endpoints, never grouped, repeated or resolved (lib/alerts
// routing.ts); an active silence matching the labels drops the event. Routes match an event only
// if their `match` allows it, e.g. `match: {}` or `match: { eventType: [proposal.executed] }`.
// A repeated call with the same `id` is a no-op (same webhook-id, unique in the outbox). The
// dispatcher picks the rows up within its poll interval (1 s).
import { randomUUID } from "node:crypto";
import { compileRoute, compileSilence, matchingRoutes, notificationId, silencedBy, type InfoEvent, type Notification } from "../../../lib/alerts";
import type { AlertLabels } from "../../../lib/alerts/types";
import type { PrismaClient } from "../../../generated/prisma/client";
import type { Tx } from "../../db";
import { outboxRowsFor } from "../webhooks/outbox";
import { loadAlertingConfig } from "./alerting-engine";

export type EnqueueEventInput = {
  /** e.g. "proposal.executed", "steward.updated" (lib/alerts GOVERNANCE_EVENT_TYPES). */
  type: string;
  data: Record<string, unknown>;
  /** Idempotency key of this occurrence, e.g. `proposal.executed:<proposalId>`; random when absent. */
  id?: string;
  occurredAt?: Date;
  summary?: string;
  link?: string | null;
  labels?: AlertLabels;
  /** Base URL for links (runtime.env.publicUrl). */
  appBaseUrl?: string;
};

export async function enqueueEvent(db: PrismaClient | Tx, input: EnqueueEventInput): Promise<{ deliveries: number; messageIds: string[] }> {
  const occurredAtMs = (input.occurredAt ?? new Date()).getTime();
  const config = await loadAlertingConfig(db, occurredAtMs);
  const event: InfoEvent = {
    id: input.id ?? `${input.type}:${randomUUID()}`,
    eventType: input.type,
    labels: { severity: "info", ...input.labels, eventType: input.type },
    occurredAtMs,
    ...(input.summary ? { summary: input.summary } : {}),
    link: input.link ?? null,
    data: input.data,
  };
  if (silencedBy(config.silences.map(compileSilence), event.labels, occurredAtMs).length > 0) return { deliveries: 0, messageIds: [] };
  const notifications: Notification[] = [];
  for (const route of matchingRoutes(config.routes.map(compileRoute), event.labels)) {
    for (const endpointId of route.webhooks) {
      const groupKey = `${route.id}:event:${event.id}`;
      notifications.push({
        // Deterministic from the event id, so a retried enqueue produces the same webhook-id.
        id: notificationId({ routeId: route.id, endpointId, groupKey, atMs: 0, reason: "event" }),
        endpointId,
        routeId: route.id,
        groupKey,
        groupLabels: { eventType: event.eventType },
        reason: "event",
        atMs: occurredAtMs,
        alerts: [],
        event,
      });
    }
  }
  const { rows } = outboxRowsFor(notifications, config.endpoints, input.appBaseUrl ?? "", new Date());
  if (rows.length > 0) await db.outboxDelivery.createMany({ data: rows, skipDuplicates: true });
  return { deliveries: rows.length, messageIds: rows.map((r) => r.messageId) };
}
