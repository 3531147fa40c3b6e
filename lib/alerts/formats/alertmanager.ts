// `alertmanager` endpoints: the Alertmanager webhook receiver payload, version "4"
// (https://prometheus.io/docs/alerting/latest/configuration/#webhook_config), so receivers written
// for Alertmanager work unchanged:
// {version:"4", groupKey, truncatedAlerts, status: firing|resolved, receiver, groupLabels,
//  commonLabels, commonAnnotations, externalURL, alerts:[{status, labels, annotations, startsAt,
//  endsAt, generatorURL, fingerprint}]}
// Conventions copied from Alertmanager: the group status is "firing" if any alert fires; a firing
// alert's endsAt is Go's zero time "0001-01-01T00:00:00Z"; labels and annotations are strings only;
// every alert has an `alertname` label (we use the check); alerts beyond `max_alerts` are dropped and
// counted in `truncatedAlerts`. Governance events have no alert lifecycle and are not sent here.

import type { Alert, Notification } from "../types";
import { alertLink, alertSummary, JSON_HEADERS, messageIdFor, type FormatContext, type WebhookRequest } from "./common";

export const GO_ZERO_TIME = "0001-01-01T00:00:00Z";

export interface AlertmanagerAlert {
  status: "firing" | "resolved";
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL: string;
  fingerprint: string;
}

export interface AlertmanagerWebhookPayload {
  version: "4";
  groupKey: string;
  truncatedAlerts: number;
  status: "firing" | "resolved";
  receiver: string;
  groupLabels: Record<string, string>;
  commonLabels: Record<string, string>;
  commonAnnotations: Record<string, string>;
  externalURL: string;
  alerts: AlertmanagerAlert[];
}

function toAlertmanagerAlert(alert: Alert, appBaseUrl: string): AlertmanagerAlert {
  const labels: Record<string, string> = { alertname: alert.labels.check ?? alert.fingerprint };
  for (const [k, v] of Object.entries(alert.labels)) if (v !== undefined && v !== "" && v !== "-") labels[k] = v;
  const annotations: Record<string, string> = { summary: alertSummary(alert) };
  if (alert.value !== null) annotations.value = String(alert.value);
  if (alert.threshold !== null) annotations.threshold = String(alert.threshold);
  if (alert.acknowledgedAtMs !== null) annotations.acknowledgedAt = new Date(alert.acknowledgedAtMs).toISOString();
  return {
    status: alert.status,
    labels,
    annotations,
    startsAt: new Date(alert.firedAtMs).toISOString(),
    endsAt: alert.status === "resolved" && alert.resolvedAtMs !== null ? new Date(alert.resolvedAtMs).toISOString() : GO_ZERO_TIME,
    generatorURL: alertLink(alert, appBaseUrl),
    fingerprint: alert.fingerprint,
  };
}

/** Key/value pairs present with the same value in every map (Alertmanager's common labels/annotations). */
function common(maps: Record<string, string>[]): Record<string, string> {
  if (maps.length === 0) return {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(maps[0])) if (maps.every((m) => m[k] === v)) out[k] = v;
  return out;
}

export function alertmanagerPayloadFor(notification: Notification, ctx: Pick<FormatContext, "endpointId" | "appBaseUrl" | "maxAlerts">): AlertmanagerWebhookPayload {
  const all = notification.alerts.map((a) => toAlertmanagerAlert(a, ctx.appBaseUrl));
  const max = ctx.maxAlerts ?? 0;
  const alerts = max > 0 ? all.slice(0, max) : all;
  return {
    version: "4",
    groupKey: notification.groupKey,
    truncatedAlerts: all.length - alerts.length,
    status: all.some((a) => a.status === "firing") ? "firing" : "resolved",
    receiver: ctx.endpointId,
    groupLabels: { ...notification.groupLabels },
    // Over the alerts actually sent: notify/webhook/webhook.go truncates before building template data.
    commonLabels: common(alerts.map((a) => a.labels)),
    commonAnnotations: common(alerts.map((a) => a.annotations)),
    externalURL: ctx.appBaseUrl,
    alerts,
  };
}

export function buildAlertmanagerRequests(notification: Notification, ctx: FormatContext): WebhookRequest[] {
  if (notification.event || notification.alerts.length === 0) return [];
  return [
    {
      messageId: messageIdFor(notification, "alertmanager"),
      url: ctx.endpointUrl,
      method: "POST",
      headers: { ...JSON_HEADERS },
      body: JSON.stringify(alertmanagerPayloadFor(notification, ctx)),
      signPerAttempt: false,
      fingerprints: notification.alerts.map((a) => a.fingerprint),
    },
  ];
}
