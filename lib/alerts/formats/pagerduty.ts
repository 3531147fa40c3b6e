// `pagerduty` endpoints: PagerDuty Events API v2 (https://developer.pagerduty.com/docs/events-api-v2/trigger-events/).
// POST https://events.pagerduty.com/v2/enqueue, one event per alert:
// - trigger: `routing_key` (32-char integration key), `event_action: "trigger"`, `dedup_key`
//   (max 255 chars; we use the fingerprint, so repeats and re-fires update the same PagerDuty
//   alert and the resolve closes it), `payload{summary (max 1024 chars), source, severity
//   (critical|error|warning|info), timestamp, component, group, class, custom_details}`, `links`,
//   `client`, `client_url`;
// - resolve: `routing_key`, `event_action: "resolve"`, `dedup_key` (payload not needed).
// Governance events are informational and would open incidents as triggers, so they go to the
// Change Events API (https://developer.pagerduty.com/docs/events-api-v2/send-change-events/,
// POST /v2/change/enqueue with `routing_key`, `payload{summary, timestamp, source, custom_details}`,
// `links`), which shows them on the service's timeline without paging anyone.

import type { Alert, Notification } from "../types";
import { alertLink, alertSummary, isoOrNull, JSON_HEADERS, messageIdFor, type FormatContext, type WebhookRequest } from "./common";

export const PAGERDUTY_EVENTS_URL = "https://events.pagerduty.com/v2/enqueue";
export const PAGERDUTY_SEVERITIES = ["critical", "error", "warning", "info"] as const;
export type PagerDutySeverity = (typeof PAGERDUTY_SEVERITIES)[number];
const SUMMARY_MAX_CHARS = 1024;
const DEDUP_KEY_MAX_CHARS = 255;

export interface PagerDutyTriggerEvent {
  routing_key: string;
  event_action: "trigger";
  dedup_key: string;
  payload: {
    summary: string;
    source: string;
    severity: PagerDutySeverity;
    timestamp: string;
    component?: string;
    group?: string;
    class?: string;
    custom_details?: Record<string, unknown>;
  };
  links?: { href: string; text: string }[];
  client?: string;
  client_url?: string;
}

export interface PagerDutyResolveEvent {
  routing_key: string;
  event_action: "resolve";
  dedup_key: string;
}

export function pagerDutySeverity(severity: string | undefined): PagerDutySeverity {
  // Unknown severities page as warning rather than being rejected by PagerDuty (400).
  return (PAGERDUTY_SEVERITIES as readonly string[]).includes(severity ?? "") ? (severity as PagerDutySeverity) : "warning";
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function part(v: string | undefined): string | undefined {
  return v && v !== "-" ? v : undefined;
}

export function pagerDutyEventFor(alert: Alert, routingKey: string, appBaseUrl: string): PagerDutyTriggerEvent | PagerDutyResolveEvent {
  const dedupKey = truncate(alert.fingerprint, DEDUP_KEY_MAX_CHARS);
  if (alert.status === "resolved") return { routing_key: routingKey, event_action: "resolve", dedup_key: dedupKey };
  const l = alert.labels;
  const link = alertLink(alert, appBaseUrl);
  const isRisk = (l.check ?? "").startsWith("risk-");
  return {
    routing_key: routingKey,
    event_action: "trigger",
    dedup_key: dedupKey,
    payload: {
      summary: truncate(alertSummary(alert), SUMMARY_MAX_CHARS),
      // "The unique location of the affected system": the feed for oracle checks, the market for risk monitors.
      source: part(l.feed) ?? part(l.market) ?? "riskwarden",
      severity: pagerDutySeverity(l.severity),
      timestamp: new Date(alert.firedAtMs).toISOString(),
      ...(part(l.market) ? { component: l.market } : {}),
      group: isRisk ? "risk" : "oracle",
      ...(l.check ? { class: l.check } : {}),
      custom_details: {
        fingerprint: alert.fingerprint,
        value: alert.value,
        threshold: alert.threshold,
        firedAt: new Date(alert.firedAtMs).toISOString(),
        acknowledgedAt: isoOrNull(alert.acknowledgedAtMs),
        labels: { ...l },
        ...(alert.details ?? {}),
      },
    },
    links: [{ href: link, text: "Open in Riskwarden" }],
    client: "Riskwarden",
    client_url: link,
  };
}

function changeEventsUrl(endpointUrl: string): string {
  return endpointUrl.replace(/\/v2\/enqueue\/?$/, "/v2/change/enqueue");
}

export function buildPagerDutyRequests(notification: Notification, ctx: FormatContext): WebhookRequest[] {
  const routingKey = ctx.pagerDutyRoutingKey;
  if (!routingKey) throw new Error(`pagerduty endpoint ${ctx.endpointId}: routing key (integration key) is missing`);
  if (notification.event) {
    const e = notification.event;
    const body = {
      routing_key: routingKey,
      payload: {
        summary: truncate(e.summary ?? e.eventType, SUMMARY_MAX_CHARS),
        timestamp: new Date(e.occurredAtMs).toISOString(),
        source: "riskwarden-governance",
        custom_details: { eventType: e.eventType, id: e.id, ...e.data },
      },
      ...(e.link ? { links: [{ href: e.link, text: "Open in Riskwarden" }] } : {}),
    };
    return [
      {
        messageId: messageIdFor(notification, `event:${e.id}`),
        url: changeEventsUrl(ctx.endpointUrl),
        method: "POST",
        headers: { ...JSON_HEADERS },
        body: JSON.stringify(body),
        signPerAttempt: false,
        fingerprints: [],
      },
    ];
  }
  return notification.alerts.map((alert) => ({
    messageId: messageIdFor(notification, `${alert.status}:${alert.fingerprint}`),
    url: ctx.endpointUrl,
    method: "POST" as const,
    headers: { ...JSON_HEADERS },
    body: JSON.stringify(pagerDutyEventFor(alert, routingKey, ctx.appBaseUrl)),
    signPerAttempt: false,
    fingerprints: [alert.fingerprint],
  }));
}
