// Turns lib/alerts notifications into OutboxDelivery rows (one per HTTP request), and back into the
// request the dispatcher sends. Rows are written in the caller's transaction: the transactional outbox.
//
// What is stored, and why:
// - the exact body (Standard Webhooks signs the body; a retry must send the same bytes);
// - `url` only when the format chose a URL other than the endpoint's (PagerDuty change events):
//   otherwise the endpoint's CURRENT url is used at send time, so fixing a broken URL drains the backlog;
// - never a secret: Standard Webhooks requests are signed per attempt, and a PagerDuty routing key is
//   a placeholder replaced at send time (the outbox and its delivery log are shown in the UI).
import { buildRequests, type EndpointFormat, type Notification, type WebhookRequest } from "../../../lib/alerts";
import type { Prisma } from "../../../generated/prisma/client";

export const PAGERDUTY_ROUTING_KEY_PLACEHOLDER = "rw-pagerduty-routing-key-placeholder";

export type OutboxPayload = {
  headers: Record<string, string>;
  body: string;
  signPerAttempt: boolean;
  /** null = the endpoint's current url. */
  url: string | null;
  fingerprints: string[];
  reason: string;
  routeId: string | null;
  notificationId: string | null;
};

export type EndpointForOutbox = { id: string; format: string; url: string };

/** An outbox row claimed for sending (status `delivering`, locked), with what sending it needs. */
export type ClaimedDelivery = {
  id: bigint;
  messageId: string;
  endpointId: string;
  payload: unknown;
  attempts: number;
  url: string;
  format: string;
  secretCipher: string | null;
  headers: unknown;
  failingSince: Date | null;
  pausedUntil: Date | null;
  endpointEnabled: boolean;
};

/** The endpoint columns of a ClaimedDelivery, selected from "WebhookEndpoint" under `alias`. */
export const CLAIMED_ENDPOINT_COLUMNS = (alias: string) =>
  ["url", "format", "secretCipher", "headers", "failingSince", "pausedUntil"].map((c) => `${alias}."${c}"`).join(", ") + `, ${alias}."enabled" AS "endpointEnabled"`;

/**
 * A dispatcher in the same process that takes new outbox rows straight from the transaction that
 * wrote them (the alerting engine's hand-off), so they need no claim query.
 */
export type DeliveryHandOff = {
  /** How many new rows it takes now; 0 leaves them `pending` for its claim (busy, or older rows wait). */
  capacity(): number;
  /** `lockedUntil` for rows inserted claimed now (the dispatcher's lock duration and clock). */
  lockedUntilMs(): number;
  /**
   * After the commit: the rows inserted claimed, and how many others of the same commit were left
   * `pending` (for its claim, which they should precede new hand-offs to).
   */
  accept(rows: ClaimedDelivery[], leftPending: number): void;
};

function eventTypeOf(notification: Notification, request: WebhookRequest): string {
  if (notification.event) return notification.event.eventType;
  if (request.fingerprints.length === 1) {
    const alert = notification.alerts.find((a) => a.fingerprint === request.fingerprints[0]);
    if (alert) return `alert.${alert.status}`;
  }
  return "alert.group";
}

/** Outbox rows for notifications; notifications to unknown endpoints are returned in `skipped`. */
export function outboxRowsFor(
  notifications: readonly Notification[],
  endpoints: ReadonlyMap<string, EndpointForOutbox>,
  appBaseUrl: string,
  createdAt: Date = new Date(),
): { rows: Prisma.OutboxDeliveryCreateManyInput[]; skipped: Notification[] } {
  const rows: Prisma.OutboxDeliveryCreateManyInput[] = [];
  const skipped: Notification[] = [];
  for (const notification of notifications) {
    const endpoint = endpoints.get(notification.endpointId);
    if (!endpoint) {
      skipped.push(notification);
      continue;
    }
    const requests = buildRequests(endpoint.format as EndpointFormat, notification, {
      endpointUrl: endpoint.url,
      endpointId: endpoint.id,
      appBaseUrl,
      pagerDutyRoutingKey: PAGERDUTY_ROUTING_KEY_PLACEHOLDER,
    });
    for (const request of requests) {
      const payload: OutboxPayload = {
        headers: request.headers,
        body: request.body,
        signPerAttempt: request.signPerAttempt,
        url: request.url === endpoint.url ? null : request.url,
        fingerprints: request.fingerprints,
        reason: notification.reason,
        routeId: notification.routeId,
        notificationId: notification.id,
      };
      rows.push({
        messageId: request.messageId,
        endpointId: endpoint.id,
        eventType: eventTypeOf(notification, request),
        payload: payload as unknown as Prisma.InputJsonValue,
        nextAttemptAt: createdAt,
        createdAt,
      });
    }
  }
  return { rows, skipped };
}

/** The body to send: the stored bytes, with a PagerDuty routing key put in at the last moment. */
export function bodyForSend(payload: OutboxPayload, routingKey: string | null): string {
  if (!payload.body.includes(PAGERDUTY_ROUTING_KEY_PLACEHOLDER)) return payload.body;
  if (!routingKey) throw new Error("pagerduty endpoint has no routing key (set its secret)");
  return payload.body.split(JSON.stringify(PAGERDUTY_ROUTING_KEY_PLACEHOLDER)).join(JSON.stringify(routingKey));
}
