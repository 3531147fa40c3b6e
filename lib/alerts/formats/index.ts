// Format dispatch: notification -> HTTP requests for the endpoint's format, and per-attempt signing.

import { standardWebhookHeaders } from "../signing";
import type { Notification } from "../types";
import { buildAlertmanagerRequests } from "./alertmanager";
import type { EndpointFormat, FormatContext, WebhookRequest } from "./common";
import { buildPagerDutyRequests } from "./pagerduty";
import { buildSlackRequests } from "./slack";
import { buildStandardRequests } from "./standard";

export * from "./common";
export * from "./standard";
export * from "./pagerduty";
export * from "./slack";
export * from "./alertmanager";

export function buildRequests(format: EndpointFormat, notification: Notification, ctx: FormatContext): WebhookRequest[] {
  switch (format) {
    case "standard":
      return buildStandardRequests(notification, ctx);
    case "pagerduty":
      return buildPagerDutyRequests(notification, ctx);
    case "slack":
      return buildSlackRequests(notification, ctx);
    case "alertmanager":
      return buildAlertmanagerRequests(notification, ctx);
    default:
      throw new Error(`unknown endpoint format ${JSON.stringify(format)}`);
  }
}

/**
 * Headers for one delivery attempt. Standard Webhooks requests are signed now, with the attempt's
 * timestamp and the same `webhook-id` as every other attempt; `secrets` lists the current secret
 * first, then any secret still valid during rotation.
 */
export function headersForAttempt(request: WebhookRequest, attemptAtMs: number, secrets: readonly string[] = []): Record<string, string> {
  if (!request.signPerAttempt) return { ...request.headers };
  return {
    ...request.headers,
    ...standardWebhookHeaders(secrets, { msgId: request.messageId, timestampSeconds: Math.floor(attemptAtMs / 1000), body: request.body }),
  };
}
