// `standard` endpoints: Standard Webhooks messages (spec v1.0.0, "Payload structure": `type`,
// `timestamp` of the event, `data`). One message per alert so each has one clear `type`
// (`alert.firing` / `alert.resolved`) and a `webhook-id` the receiver can use as idempotency key;
// governance events are sent with their own type (`proposal.executed`, …). Signing headers are added
// per attempt by signing.ts (the timestamp must be the attempt's).

import type { Alert, Notification } from "../types";
import { alertLink, alertSummary, isoOrNull, JSON_HEADERS, messageIdFor, type FormatContext, type WebhookRequest } from "./common";

export interface StandardAlertData {
  fingerprint: string;
  status: "firing" | "resolved";
  check: string | null;
  market: string | null;
  feed: string | null;
  severity: string | null;
  value: number | null;
  threshold: number | null;
  firedAt: string;
  resolvedAt: string | null;
  acknowledgedAt: string | null;
  summary: string;
  link: string;
  labels: Record<string, string>;
  details?: Record<string, unknown>;
  /** Why this went out now: initial | new-firing | resolved | repeat. */
  reason: string;
  groupKey: string;
}

export interface StandardWebhookBody<T = unknown> {
  type: string;
  timestamp: string;
  data: T;
}

function definedLabels(labels: Alert["labels"]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(labels)) if (v !== undefined) out[k] = v;
  return out;
}

export function standardAlertData(alert: Alert, notification: Notification, appBaseUrl: string): StandardAlertData {
  const l = alert.labels;
  return {
    fingerprint: alert.fingerprint,
    status: alert.status,
    check: l.check ?? null,
    market: l.market && l.market !== "-" ? l.market : null,
    feed: l.feed && l.feed !== "-" ? l.feed : null,
    severity: l.severity ?? null,
    value: alert.value,
    threshold: alert.threshold,
    firedAt: new Date(alert.firedAtMs).toISOString(),
    resolvedAt: isoOrNull(alert.resolvedAtMs),
    acknowledgedAt: isoOrNull(alert.acknowledgedAtMs),
    summary: alertSummary(alert),
    link: alertLink(alert, appBaseUrl),
    labels: definedLabels(l),
    ...(alert.details ? { details: alert.details } : {}),
    reason: notification.reason,
    groupKey: notification.groupKey,
  };
}

export function buildStandardRequests(notification: Notification, ctx: FormatContext): WebhookRequest[] {
  if (notification.event) {
    const e = notification.event;
    const body: StandardWebhookBody = {
      type: e.eventType,
      timestamp: new Date(e.occurredAtMs).toISOString(),
      data: { ...e.data, id: e.id, ...(e.summary ? { summary: e.summary } : {}), link: e.link, labels: definedLabels(e.labels) },
    };
    return [
      {
        messageId: messageIdFor(notification, `event:${e.id}`),
        url: ctx.endpointUrl,
        method: "POST",
        headers: { ...JSON_HEADERS },
        body: JSON.stringify(body),
        signPerAttempt: true,
        fingerprints: [],
      },
    ];
  }
  return notification.alerts.map((alert) => {
    const body: StandardWebhookBody<StandardAlertData> = {
      type: alert.status === "firing" ? "alert.firing" : "alert.resolved",
      timestamp: new Date(alert.status === "resolved" && alert.resolvedAtMs !== null ? alert.resolvedAtMs : alert.firedAtMs).toISOString(),
      data: standardAlertData(alert, notification, ctx.appBaseUrl),
    };
    return {
      messageId: messageIdFor(notification, `${alert.status}:${alert.fingerprint}`),
      url: ctx.endpointUrl,
      method: "POST" as const,
      headers: { ...JSON_HEADERS },
      body: JSON.stringify(body),
      signPerAttempt: true,
      fingerprints: [alert.fingerprint],
    };
  });
}
