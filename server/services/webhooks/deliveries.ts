// The delivery log (every attempt with status, latency and response excerpt), replay of a
// dead-lettered delivery, and a test send.
import { randomUUID } from "node:crypto";
import type { Prisma, PrismaClient } from "../../../generated/prisma/client";
import { AppError } from "../../errors";
import type { OutboxPayload } from "./outbox";

export type DeliveryFilters = { endpointId?: string; status?: "pending" | "delivering" | "delivered" | "dead"; eventType?: string; beforeId?: bigint; limit?: number };

export async function listDeliveries(db: PrismaClient, filters: DeliveryFilters = {}) {
  const where: Prisma.OutboxDeliveryWhereInput = {
    ...(filters.endpointId ? { endpointId: filters.endpointId } : {}),
    ...(filters.status ? { status: filters.status } : {}),
    ...(filters.eventType ? { eventType: filters.eventType } : {}),
    ...(filters.beforeId !== undefined ? { id: { lt: filters.beforeId } } : {}),
  };
  const limit = Math.min(Math.max(filters.limit ?? 50, 1), 200);
  const rows = await db.outboxDelivery.findMany({
    where,
    orderBy: { id: "desc" },
    take: limit,
    include: { attemptLog: { orderBy: { id: "asc" } } },
  });
  return {
    deliveries: rows.map(({ payload, ...row }) => {
      const p = payload as unknown as OutboxPayload;
      return { ...row, fingerprints: p.fingerprints ?? [], reason: p.reason ?? null, bodyExcerpt: (p.body ?? "").slice(0, 500) };
    }),
    nextBeforeId: rows.length === limit ? rows[rows.length - 1].id : null,
  };
}

/**
 * Sends a dead-lettered delivery again, from the first step of the retry schedule, with the same
 * webhook-id (receivers recognise it). Refused while its endpoint is disabled.
 */
export async function replayDelivery(db: PrismaClient, input: { deliveryId: bigint; actor: string }, nowMs = Date.now()) {
  const delivery = await db.outboxDelivery.findUnique({ where: { id: input.deliveryId }, include: { endpoint: true } });
  if (!delivery) throw new AppError("NOT_FOUND", `No delivery ${input.deliveryId}`);
  if (delivery.status !== "dead") throw new AppError("CONFLICT", `Delivery ${input.deliveryId} is ${delivery.status}; only dead-lettered deliveries are replayed`);
  if (!delivery.endpoint.enabled) throw new AppError("CONFLICT", `Endpoint ${delivery.endpointId} is disabled; enable it first`);
  const updated = await db.outboxDelivery.updateMany({
    where: { id: input.deliveryId, status: "dead" },
    data: { status: "pending", attempts: 0, nextAttemptAt: new Date(nowMs), lockedUntil: null, lastError: `replayed by ${input.actor}` },
  });
  if (updated.count !== 1) throw new AppError("CONFLICT", "The delivery changed meanwhile; reload");
  return { deliveryId: input.deliveryId, messageId: delivery.messageId };
}

/** Queues a signed `webhook.test` message to an endpoint; it shows up in the delivery log. */
export async function testSend(db: PrismaClient, input: { endpointId: string; actor: string }, nowMs = Date.now()) {
  const endpoint = await db.webhookEndpoint.findUnique({ where: { id: input.endpointId } });
  if (!endpoint) throw new AppError("NOT_FOUND", `No endpoint ${input.endpointId}`);
  const at = new Date(nowMs);
  const body =
    endpoint.format === "slack"
      ? { text: `Riskwarden test message for endpoint ${endpoint.id}, sent by ${input.actor}` }
      : { type: "webhook.test", timestamp: at.toISOString(), data: { endpointId: endpoint.id, requestedBy: input.actor } };
  const payload: OutboxPayload = {
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
    signPerAttempt: endpoint.format === "standard",
    url: null,
    fingerprints: [],
    reason: "test",
    routeId: null,
    notificationId: null,
  };
  const delivery = await db.outboxDelivery.create({
    data: { messageId: `msg_test_${randomUUID().replace(/-/g, "")}`, endpointId: endpoint.id, eventType: "webhook.test", payload: payload as unknown as Prisma.InputJsonValue, nextAttemptAt: at, createdAt: at },
    select: { id: true, messageId: true },
  });
  return delivery;
}
