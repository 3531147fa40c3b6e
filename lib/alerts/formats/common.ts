// Shared pieces of the endpoint formats: the request shape handed to the dispatcher, per-format
// context, alert summaries and links.

import { stableHash } from "../hash";
import type { Alert, Notification } from "../types";

export const ENDPOINT_FORMATS = ["standard", "pagerduty", "slack", "alertmanager"] as const;
export type EndpointFormat = (typeof ENDPOINT_FORMATS)[number];

/** One HTTP request to make; the dispatcher stores it in the outbox and retries it as is. */
export interface WebhookRequest {
  /**
   * Stable id: the same on every retry and after a restart. For `standard` it is `webhook-id`;
   * for the others it is the outbox idempotency key.
   */
  messageId: string;
  url: string;
  method: "POST";
  headers: Record<string, string>;
  /** Exact bytes to send (and, for `standard`, to sign). */
  body: string;
  /** True for `standard`: add `webhook-timestamp`/`webhook-signature` at each attempt (see signing.ts). */
  signPerAttempt: boolean;
  /** Fingerprints this request carries, for delivery bookkeeping. */
  fingerprints: string[];
}

export interface FormatContext {
  /** Endpoint URL from config (already checked by url-guard). */
  endpointUrl: string;
  /** Endpoint id; Alertmanager's `receiver`. */
  endpointId: string;
  /** Public base URL of this Riskwarden, for links and Alertmanager's `externalURL`. */
  appBaseUrl: string;
  /** PagerDuty integration (routing) key, decrypted just before building. */
  pagerDutyRoutingKey?: string;
  /** Alertmanager `max_alerts`: 0 = no limit; excess alerts are counted in `truncatedAlerts`. */
  maxAlerts?: number;
}

export const JSON_HEADERS = { "content-type": "application/json" } as const;

export function alertLink(alert: Alert, appBaseUrl: string): string {
  return alert.link ?? `${appBaseUrl.replace(/\/+$/, "")}/alerts/${encodeURIComponent(alert.fingerprint)}`;
}

function formatNumber(v: number): string {
  // Display only: 6 significant digits is enough to read a deviation or a coverage ratio.
  return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(6)));
}

/** `deviation BTC-USD binance-spot: 0.052 > 0.01` unless the alert carries its own summary. */
export function alertSummary(alert: Alert): string {
  if (alert.summary) return alert.summary;
  const l = alert.labels;
  const where = [l.market, l.feed].filter((p) => p && p !== "-").join(" ");
  const numbers = alert.value !== null && alert.threshold !== null ? `: ${formatNumber(alert.value)} (threshold ${formatNumber(alert.threshold)})` : "";
  return `${l.check ?? alert.fingerprint}${where ? ` ${where}` : ""}${numbers}`;
}

export function isoOrNull(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

/** `msg_…` id for one request of a notification; '.'-free as Standard Webhooks requires. */
export function messageIdFor(notification: Notification, part: string): string {
  return `msg_${notification.id.replace(/^ntf_/, "")}_${stableHash(part)}`;
}
