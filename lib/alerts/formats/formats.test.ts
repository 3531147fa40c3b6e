import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import { newWebhookSecret } from "../signing";
import type { Alert, Notification } from "../types";
import {
  alertmanagerPayloadFor,
  buildRequests,
  escapeSlack,
  GO_ZERO_TIME,
  headersForAttempt,
  pagerDutySeverity,
  slackMessageFor,
  type FormatContext,
} from "./index";

const T0 = Date.UTC(2026, 10, 25, 11, 0, 0); // 2026-11-25T11:00:00.000Z
const firing: Alert = {
  fingerprint: "deviation:BTC-USD:binance-spot",
  labels: { check: "deviation", market: "BTC-USD", feed: "binance-spot", severity: "critical" },
  status: "firing",
  value: 0.052,
  threshold: 0.01,
  firedAtMs: T0,
  resolvedAtMs: null,
  acknowledgedAtMs: null,
  link: null,
};
const resolved: Alert = {
  fingerprint: "staleness:BTC-USD:pyth-main",
  labels: { check: "staleness", market: "BTC-USD", feed: "pyth-main", severity: "warning" },
  status: "resolved",
  value: 9000,
  threshold: 5000,
  firedAtMs: T0 - 60_000,
  resolvedAtMs: T0 + 30_000,
  acknowledgedAtMs: T0 - 30_000,
  link: "https://rw.example/alerts/custom",
};
const notification: Notification = {
  id: "ntf_abc123",
  endpointId: "oncall",
  routeId: "route-0",
  groupKey: 'route-0:{market="BTC-USD"}',
  groupLabels: { market: "BTC-USD" },
  reason: "new-firing",
  atMs: T0 + 60_000,
  alerts: [firing, resolved],
};
const ctx: FormatContext = {
  endpointUrl: "https://hooks.example.com/riskwarden",
  endpointId: "oncall",
  appBaseUrl: "https://rw.example",
  pagerDutyRoutingKey: "R0UT1NGKEY0123456789abcdefABCDEF",
};
const eventNotification: Notification = {
  ...notification,
  id: "ntf_evt",
  reason: "event",
  alerts: [],
  groupLabels: { eventType: "proposal.executed" },
  event: {
    id: "proposal.executed:42",
    eventType: "proposal.executed",
    labels: { eventType: "proposal.executed", severity: "info" },
    occurredAtMs: T0,
    summary: "Proposal 42 executed: ETH-USD maintenance margin 5% -> 6%",
    link: "https://rw.example/proposals/42",
    data: { proposalId: 42, parameterSetVersion: 7 },
  },
};

describe("standard format (Standard Webhooks)", () => {
  const requests = buildRequests("standard", notification, ctx);

  it("sends one typed message per alert with the alert in data", () => {
    expect(requests).toHaveLength(2);
    const [a, b] = requests.map((r) => JSON.parse(r.body));
    expect(a).toEqual({
      type: "alert.firing",
      timestamp: "2026-11-25T11:00:00.000Z",
      data: {
        fingerprint: "deviation:BTC-USD:binance-spot",
        status: "firing",
        check: "deviation",
        market: "BTC-USD",
        feed: "binance-spot",
        severity: "critical",
        value: 0.052,
        threshold: 0.01,
        firedAt: "2026-11-25T11:00:00.000Z",
        resolvedAt: null,
        acknowledgedAt: null,
        summary: "deviation BTC-USD binance-spot: 0.052 (threshold 0.01)",
        link: "https://rw.example/alerts/deviation%3ABTC-USD%3Abinance-spot",
        labels: { check: "deviation", market: "BTC-USD", feed: "binance-spot", severity: "critical" },
        reason: "new-firing",
        groupKey: 'route-0:{market="BTC-USD"}',
      },
    });
    expect(b.type).toBe("alert.resolved");
    // event time of a resolve is when it resolved
    expect(b.timestamp).toBe("2026-11-25T11:00:30.000Z");
    expect(b.data).toMatchObject({ resolvedAt: "2026-11-25T11:00:30.000Z", acknowledgedAt: "2026-11-25T10:59:30.000Z", link: "https://rw.example/alerts/custom" });
  });

  it("keeps webhook-id across retries and rebuilds; re-signs each attempt; verifies with the library", () => {
    const again = buildRequests("standard", notification, ctx);
    expect(again.map((r) => r.messageId)).toEqual(requests.map((r) => r.messageId));
    expect(new Set(requests.map((r) => r.messageId)).size).toBe(2);
    expect(requests[0].messageId).toMatch(/^msg_[a-z0-9]+_[a-z0-9]+$/);

    const secret = newWebhookSecret();
    const now = Date.now();
    const first = headersForAttempt(requests[0], now - 5_000, [secret]);
    const retry = headersForAttempt(requests[0], now, [secret]);
    expect(retry["webhook-id"]).toBe(first["webhook-id"]);
    expect(Number(retry["webhook-timestamp"]) - Number(first["webhook-timestamp"])).toBe(5);
    expect(retry["content-type"]).toBe("application/json");
    expect(new Webhook(secret).verify(requests[0].body, retry)).toEqual(JSON.parse(requests[0].body));
  });

  it("sends governance events with their own type", () => {
    const [r] = buildRequests("standard", eventNotification, ctx);
    expect(JSON.parse(r.body)).toEqual({
      type: "proposal.executed",
      timestamp: "2026-11-25T11:00:00.000Z",
      data: {
        id: "proposal.executed:42",
        proposalId: 42,
        parameterSetVersion: 7,
        summary: "Proposal 42 executed: ETH-USD maintenance margin 5% -> 6%",
        link: "https://rw.example/proposals/42",
        labels: { eventType: "proposal.executed", severity: "info" },
      },
    });
  });
});

describe("pagerduty format (Events API v2)", () => {
  it("triggers and resolves with dedup_key = fingerprint", () => {
    const [trigger, resolve] = buildRequests("pagerduty", notification, ctx).map((r) => JSON.parse(r.body));
    expect(trigger).toEqual({
      routing_key: "R0UT1NGKEY0123456789abcdefABCDEF",
      event_action: "trigger",
      dedup_key: "deviation:BTC-USD:binance-spot",
      payload: {
        summary: "deviation BTC-USD binance-spot: 0.052 (threshold 0.01)",
        source: "binance-spot",
        severity: "critical",
        timestamp: "2026-11-25T11:00:00.000Z",
        component: "BTC-USD",
        group: "oracle",
        class: "deviation",
        custom_details: {
          fingerprint: "deviation:BTC-USD:binance-spot",
          value: 0.052,
          threshold: 0.01,
          firedAt: "2026-11-25T11:00:00.000Z",
          acknowledgedAt: null,
          labels: { check: "deviation", market: "BTC-USD", feed: "binance-spot", severity: "critical" },
        },
      },
      links: [{ href: "https://rw.example/alerts/deviation%3ABTC-USD%3Abinance-spot", text: "Open in Riskwarden" }],
      client: "Riskwarden",
      client_url: "https://rw.example/alerts/deviation%3ABTC-USD%3Abinance-spot",
    });
    expect(resolve).toEqual({ routing_key: "R0UT1NGKEY0123456789abcdefABCDEF", event_action: "resolve", dedup_key: "staleness:BTC-USD:pyth-main" });
  });

  it.each([
    ["critical", "critical"],
    ["error", "error"],
    ["warning", "warning"],
    ["info", "info"],
    ["page-me", "warning"],
    [undefined, "warning"],
  ])("severity %s -> %s", (input, expected) => {
    expect(pagerDutySeverity(input)).toBe(expected);
  });

  it("risk monitors use the market as source, summaries are cut at 1024 chars", () => {
    const risk: Alert = { ...firing, fingerprint: "risk-insurance-coverage:ETH-USD:-", labels: { check: "risk-insurance-coverage", market: "ETH-USD", feed: "-", severity: "critical" }, summary: "x".repeat(2000) };
    const [r] = buildRequests("pagerduty", { ...notification, alerts: [risk] }, ctx).map((q) => JSON.parse(q.body));
    expect(r.payload.source).toBe("ETH-USD");
    expect(r.payload.group).toBe("risk");
    expect(r.payload.summary).toHaveLength(1024);
  });

  it("sends governance events as change events and refuses to build without a routing key", () => {
    const [r] = buildRequests("pagerduty", eventNotification, { ...ctx, endpointUrl: "https://events.pagerduty.com/v2/enqueue" });
    expect(r.url).toBe("https://events.pagerduty.com/v2/change/enqueue");
    expect(JSON.parse(r.body).payload.custom_details).toEqual({ eventType: "proposal.executed", id: "proposal.executed:42", proposalId: 42, parameterSetVersion: 7 });
    expect(() => buildRequests("pagerduty", notification, { ...ctx, pagerDutyRoutingKey: undefined })).toThrow(/routing key/);
  });
});

describe("slack format (incoming webhook)", () => {
  it("links every alert back to Riskwarden and escapes mrkdwn", () => {
    const msg = slackMessageFor(notification, ctx.appBaseUrl);
    expect(msg.text).toBe("[FIRING:1 RESOLVED:1] market=BTC-USD");
    const lines = (msg.blocks[1] as { text: { text: string } }).text.text.split("\n");
    expect(lines).toEqual([
      ":red_circle: <https://rw.example/alerts/deviation%3ABTC-USD%3Abinance-spot|deviation BTC-USD binance-spot: 0.052 (threshold 0.01)>",
      ":white_check_mark: <https://rw.example/alerts/custom|staleness BTC-USD pyth-main: 9000 (threshold 5000)>",
    ]);
    expect(escapeSlack("a <b> & c")).toBe("a &lt;b&gt; &amp; c");
    const hostile = slackMessageFor({ ...notification, alerts: [{ ...firing, summary: "<!channel> & co" }] }, ctx.appBaseUrl);
    expect(JSON.stringify(hostile.blocks)).toContain("&lt;!channel&gt; &amp; co");
    expect(JSON.stringify(hostile.blocks)).not.toContain("<!channel>");
  });

  it("caps long groups at 20 lines", () => {
    const many = Array.from({ length: 25 }, (_, i) => ({ ...firing, fingerprint: `deviation:M${i}:f` }));
    const msg = slackMessageFor({ ...notification, alerts: many }, ctx.appBaseUrl);
    const lines = (msg.blocks[1] as { text: { text: string } }).text.text.split("\n");
    expect(lines).toHaveLength(21);
    expect(lines[20]).toBe("…and 5 more");
  });
});

describe("alertmanager format (webhook v4)", () => {
  it("builds the v4 payload", () => {
    const payload = alertmanagerPayloadFor(notification, ctx);
    expect(payload).toEqual({
      version: "4",
      groupKey: 'route-0:{market="BTC-USD"}',
      truncatedAlerts: 0,
      status: "firing",
      receiver: "oncall",
      groupLabels: { market: "BTC-USD" },
      commonLabels: { market: "BTC-USD" },
      commonAnnotations: {},
      externalURL: "https://rw.example",
      alerts: [
        {
          status: "firing",
          labels: { alertname: "deviation", check: "deviation", market: "BTC-USD", feed: "binance-spot", severity: "critical" },
          annotations: { summary: "deviation BTC-USD binance-spot: 0.052 (threshold 0.01)", value: "0.052", threshold: "0.01" },
          startsAt: "2026-11-25T11:00:00.000Z",
          endsAt: GO_ZERO_TIME,
          generatorURL: "https://rw.example/alerts/deviation%3ABTC-USD%3Abinance-spot",
          fingerprint: "deviation:BTC-USD:binance-spot",
        },
        {
          status: "resolved",
          labels: { alertname: "staleness", check: "staleness", market: "BTC-USD", feed: "pyth-main", severity: "warning" },
          annotations: {
            summary: "staleness BTC-USD pyth-main: 9000 (threshold 5000)",
            value: "9000",
            threshold: "5000",
            acknowledgedAt: "2026-11-25T10:59:30.000Z",
          },
          startsAt: "2026-11-25T10:59:00.000Z",
          endsAt: "2026-11-25T11:00:30.000Z",
          generatorURL: "https://rw.example/alerts/custom",
          fingerprint: "staleness:BTC-USD:pyth-main",
        },
      ],
    });
  });

  it("truncates to maxAlerts, reports resolved groups, skips events", () => {
    const truncated = alertmanagerPayloadFor(notification, { ...ctx, maxAlerts: 1 });
    expect(truncated.alerts).toHaveLength(1);
    expect(truncated.truncatedAlerts).toBe(1);
    expect(truncated.commonLabels.check).toBe("deviation");
    expect(alertmanagerPayloadFor({ ...notification, alerts: [resolved] }, ctx).status).toBe("resolved");
    expect(buildRequests("alertmanager", eventNotification, ctx)).toEqual([]);
  });
});
