// `slack` endpoints: Slack incoming webhooks (https://api.slack.com/messaging/webhooks): POST JSON
// `{text, blocks}`; `text` is the notification/fallback, `blocks` the Block Kit layout
// (https://api.slack.com/reference/block-kit/blocks: at most 50 blocks, section text at most 3000
// chars). mrkdwn needs `&`, `<`, `>` escaped (https://api.slack.com/reference/surfaces/formatting#escaping)
// and links are written `<url|label>`. One message per notification, every alert linking back.

import type { Alert, Notification } from "../types";
import { alertLink, alertSummary, JSON_HEADERS, messageIdFor, type FormatContext, type WebhookRequest } from "./common";

const MAX_ALERT_LINES = 20;
const SECTION_TEXT_MAX = 3000;

export function escapeSlack(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function slackLink(url: string, label: string): string {
  // `|` and `>` would end the link; the URL itself is percent-encoded by alertLink.
  return `<${url.replace(/[|>]/g, encodeURIComponent)}|${escapeSlack(label)}>`;
}

function icon(alert: Alert): string {
  if (alert.status === "resolved") return ":white_check_mark:";
  return alert.labels.severity === "critical" ? ":red_circle:" : alert.labels.severity === "info" ? ":large_blue_circle:" : ":large_orange_circle:";
}

function clip(text: string): string {
  return text.length <= SECTION_TEXT_MAX ? text : `${text.slice(0, SECTION_TEXT_MAX - 1)}…`;
}

export interface SlackMessage {
  text: string;
  blocks: Record<string, unknown>[];
}

export function slackMessageFor(notification: Notification, appBaseUrl: string): SlackMessage {
  if (notification.event) {
    const e = notification.event;
    const title = e.summary ?? e.eventType;
    const line = e.link ? slackLink(e.link, title) : escapeSlack(title);
    return {
      text: `${e.eventType}: ${title}`,
      blocks: [{ type: "section", text: { type: "mrkdwn", text: clip(`:scroll: *${escapeSlack(e.eventType)}* ${line}`) } }],
    };
  }
  const firing = notification.alerts.filter((a) => a.status === "firing");
  const resolved = notification.alerts.filter((a) => a.status === "resolved");
  const headline = [firing.length ? `FIRING:${firing.length}` : "", resolved.length ? `RESOLVED:${resolved.length}` : ""].filter(Boolean).join(" ");
  const groupText = Object.entries(notification.groupLabels).map(([k, v]) => `${k}=${v}`).join(" ");
  const text = `[${headline}] ${notification.alerts.length === 1 ? alertSummary(notification.alerts[0]) : groupText || "Riskwarden alerts"}`;
  const shown = notification.alerts.slice(0, MAX_ALERT_LINES);
  const lines = shown.map((a) => `${icon(a)} ${slackLink(alertLink(a, appBaseUrl), alertSummary(a))}${a.acknowledgedAtMs !== null && a.status === "firing" ? " _(acknowledged)_" : ""}`);
  if (notification.alerts.length > shown.length) lines.push(`…and ${notification.alerts.length - shown.length} more`);
  return {
    text,
    blocks: [
      { type: "section", text: { type: "mrkdwn", text: clip(`*${escapeSlack(headline)}* ${escapeSlack(groupText)}`.trim()) } },
      { type: "section", text: { type: "mrkdwn", text: clip(lines.join("\n")) } },
      {
        type: "context",
        elements: [{ type: "mrkdwn", text: `${escapeSlack(notification.reason)} · ${slackLink(`${appBaseUrl.replace(/\/+$/, "")}/alerts`, "all alerts")}` }],
      },
    ],
  };
}

export function buildSlackRequests(notification: Notification, ctx: FormatContext): WebhookRequest[] {
  return [
    {
      messageId: messageIdFor(notification, "slack"),
      url: ctx.endpointUrl,
      method: "POST",
      headers: { ...JSON_HEADERS },
      body: JSON.stringify(slackMessageFor(notification, ctx.appBaseUrl)),
      signPerAttempt: false,
      fingerprints: notification.alerts.map((a) => a.fingerprint),
    },
  ];
}
