import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { Webhook } from "standardwebhooks";
import { retryPolicy } from "../../lib/alerts";
import { openTestDatabase, testDatabaseKinds, type TestDatabase } from "../testing/databases";
import { AlertingEngine } from "../services/alerts/alerting-engine";
import { recordAlertEvent, type AlertEventInput } from "../services/alerts/record-alert-event";
import { createEndpoint, setEndpointEnabled } from "../services/webhooks/endpoints";
import { createRoute } from "../services/webhooks/routes";
import { listDeliveries, replayDelivery, testSend } from "../services/webhooks/deliveries";
import { Dispatcher, type DispatcherOptions } from "./dispatcher";
import { endpointDisabledAlert, endpointReenabledAlert } from "./dispatcher-subsystem";
import { startReceiver, waitFor, type Receiver } from "./dispatcher-test-support";

const APP_SECRET = "test-app-secret-0123456789abcdef-0123456789";

function firing(fingerprint: string, at: number, severity = "warning"): AlertEventInput {
  const [check, market, feed] = fingerprint.split(":");
  return { kind: "firing", fingerprint, check, market, feed, severity, value: 0.05, threshold: 0.01, at };
}

// "app": wired as the app wires it (dispatcher-subsystem.ts): claims and outcome writes on the pg pool,
// new rows handed over by the alerting engine at commit. "claims": Prisma only, every row claimed.
const wirings = ["app", "claims"] as const;

describe.each(testDatabaseKinds().flatMap((kind) => wirings.map((wiring) => [kind, wiring] as const)))("webhook dispatcher (%s, %s wiring)", (kind, wiring) => {
  let database: TestDatabase;
  let primary: Receiver;
  let backup: Receiver;
  let primarySecret: string;
  let backupSecret: string;
  let now = Date.now();
  const clock = () => now;
  let engine: AlertingEngine;
  let dispatcher: Dispatcher;

  beforeAll(async () => {
    database = await openTestDatabase(kind);
    primary = await startReceiver();
    backup = await startReceiver();
    const guard = { allowHosts: ["127.0.0.1"], appSecret: APP_SECRET };
    primarySecret = (await createEndpoint(database.prisma, { id: "primary", format: "standard", url: primary.url }, guard)).secret;
    backupSecret = (await createEndpoint(database.prisma, { id: "backup", format: "standard", url: backup.url }, guard)).secret;
    await createRoute(database.prisma, { match: { check: ["deviation", "staleness", "jump"] }, webhookIds: ["primary"], groupBy: ["..."], groupWaitMs: 0, groupIntervalMs: 1000, repeatIntervalMs: 3_600_000 });
    await createRoute(database.prisma, { match: { check: "endpoint-disabled" }, webhookIds: ["primary", "backup"], groupWaitMs: 0, groupIntervalMs: 1000, repeatIntervalMs: 3_600_000 });
  });
  afterAll(async () => {
    await primary?.close();
    await backup?.close();
    await database?.dispose();
  });
  beforeEach(async () => {
    // Receivers check webhook-timestamp against their wall clock (±5 min): start each test at "now".
    now = Date.now();
    engine = await AlertingEngine.open(database.prisma, {
      appBaseUrl: "http://rw.test",
      pool: database.pool,
      nowMs: clock,
      onCommitted: ({ outboxRows, handedOff }) => outboxRows > handedOff && dispatcher?.wake(),
    });
    dispatcher = startDispatcher({
      // Two attempts (now, then 1 s later) so dead-lettering is reachable; equal jitter with random 0.5.
      policy: retryPolicy({ scheduleMs: [0, 1000] }),
      onEndpointDisabled: async (event) => {
        await engine.reload();
        await engine.record(endpointDisabledAlert(event));
      },
    });
    // Its first claim has found nothing: from here on new rows are handed over (app wiring).
    await dispatcher.whenIdle();
    primary.received.length = 0;
    backup.received.length = 0;
    primary.reply = () => ({ status: 200, body: "ok" });
  });
  afterEach(async () => {
    engine.handOffTo(null);
    await dispatcher.stop();
  });

  function startDispatcher(options: Partial<DispatcherOptions>): Dispatcher {
    const started = new Dispatcher(database.prisma, {
      appSecret: APP_SECRET,
      allowHosts: ["127.0.0.1"],
      nowMs: clock,
      random: () => 0.5,
      pollMs: 50,
      ...(wiring === "app" ? { pool: database.pool } : {}),
      ...options,
    });
    started.start();
    if (wiring === "app") engine.handOffTo(started);
    return started;
  }

  it("delivers signed messages that the standardwebhooks library verifies, and logs the attempt", async () => {
    await recordAlertEvent(engine, firing("deviation:BTC-USD:binance-spot", now));
    await waitFor(() => primary.received.length === 1, "one delivery");
    await dispatcher.whenIdle();
    const request = primary.received[0];
    const verified = new Webhook(primarySecret).verify(request.body, request.headers) as { type: string; data: { fingerprint: string } };
    expect(verified.type).toBe("alert.firing");
    expect(verified.data.fingerprint).toBe("deviation:BTC-USD:binance-spot");
    expect(() => new Webhook(backupSecret).verify(request.body, request.headers)).toThrow();
    const { deliveries } = await listDeliveries(database.prisma, { endpointId: "primary" });
    expect(deliveries[0]).toMatchObject({ status: "delivered", attempts: 1, messageId: request.headers["webhook-id"] });
    expect(deliveries[0].attemptLog).toHaveLength(1);
    expect(deliveries[0].attemptLog[0]).toMatchObject({ statusCode: 200, responseExcerpt: "ok", error: null });
    expect(deliveries[0].attemptLog[0].latencyMs).toBeGreaterThanOrEqual(0);
    // The app wiring sent it without a claim; otherwise it was claimed.
    expect(dispatcher.health()).toMatchObject(wiring === "app" ? { handedOff: 1, claimed: 0 } : { handedOff: 0, claimed: 1 });
  });

  it("honours Retry-After on 429: the retry waits for it and the endpoint is paused until then", async () => {
    primary.reply = (_req, index) => (index === 0 ? { status: 429, headers: { "retry-after": "120" }, body: "slow down" } : { status: 200, body: "ok" });
    await recordAlertEvent(engine, firing("staleness:ETH-USD:pyth-main", now));
    await waitFor(() => primary.received.length === 1, "first attempt");
    await dispatcher.whenIdle();
    const row = await database.prisma.outboxDelivery.findFirstOrThrow({ where: { endpointId: "primary", status: "pending" } });
    // Scheduled step 1 is 1000 ms (equal jitter: 750 ms); Retry-After 120 s wins.
    expect(row.nextAttemptAt.getTime()).toBe(now + 120_000);
    expect(row.lastError).toBe("HTTP 429");
    const endpoint = await database.prisma.webhookEndpoint.findUniqueOrThrow({ where: { id: "primary" } });
    expect(endpoint.pausedUntil?.getTime()).toBe(now + 120_000);
    expect(endpoint.failingSince?.getTime()).toBe(now);
    now += 119_000;
    await dispatcher.whenIdle();
    expect(primary.received).toHaveLength(1);
    now += 1000;
    dispatcher.wake();
    await waitFor(() => primary.received.length === 2, "retry after Retry-After");
    await dispatcher.whenIdle();
    expect(primary.received[1].headers["webhook-id"]).toBe(primary.received[0].headers["webhook-id"]);
    const after = await database.prisma.outboxDelivery.findUniqueOrThrow({ where: { id: row.id } });
    expect(after).toMatchObject({ status: "delivered", attempts: 2 });
    expect((await database.prisma.webhookEndpoint.findUniqueOrThrow({ where: { id: "primary" } })).failingSince).toBeNull();
  });

  it("dead-letters after the last attempt; on-call replays it with the same webhook-id", async () => {
    primary.reply = () => ({ status: 500, body: "x".repeat(2000) });
    await recordAlertEvent(engine, firing("jump:SOL-USD:coinbase", now));
    await waitFor(() => primary.received.length === 1, "first attempt");
    await dispatcher.whenIdle();
    const row = await database.prisma.outboxDelivery.findFirstOrThrow({ where: { endpointId: "primary", status: "pending" } });
    expect(row.nextAttemptAt.getTime()).toBe(now + 750);
    now += 750;
    dispatcher.wake();
    await waitFor(() => primary.received.length === 2, "second attempt");
    await dispatcher.whenIdle();
    const dead = await database.prisma.outboxDelivery.findUniqueOrThrow({ where: { id: row.id }, include: { attemptLog: true } });
    expect(dead.status).toBe("dead");
    expect(dead.attempts).toBe(2);
    expect(dead.lastError).toBe("gave up after 2 attempts; last: HTTP 500");
    expect(dead.attemptLog.map((a) => [a.statusCode, a.responseExcerpt?.length])).toEqual([
      [500, 500],
      [500, 500],
    ]);
    await expect(replayDelivery(database.prisma, { deliveryId: 999_999n, actor: "0xOnCall" })).rejects.toMatchObject({ code: "NOT_FOUND" });
    primary.reply = () => ({ status: 204 });
    await replayDelivery(database.prisma, { deliveryId: row.id, actor: "0xOnCall" }, now);
    await expect(replayDelivery(database.prisma, { deliveryId: row.id, actor: "0xOnCall" }, now)).rejects.toMatchObject({ code: "CONFLICT" });
    dispatcher.wake();
    await waitFor(() => primary.received.length === 3, "replayed delivery");
    await dispatcher.whenIdle();
    expect(new Set(primary.received.map((r) => r.headers["webhook-id"])).size).toBe(1);
    expect(await database.prisma.outboxDelivery.findUniqueOrThrow({ where: { id: row.id } })).toMatchObject({ status: "delivered", attempts: 1 });
  });

  it("releases an endpoint's retry backlog at its first success after failures", async () => {
    primary.reply = () => ({ status: 503, body: "down" });
    await recordAlertEvent(engine, firing("deviation:DOGE-USD:binance-spot", now));
    await waitFor(() => primary.received.length === 1, "failed attempt");
    await dispatcher.whenIdle();
    const waiting = await database.prisma.outboxDelivery.findFirstOrThrow({ where: { endpointId: "primary", status: "pending" } });
    expect(waiting.nextAttemptAt.getTime()).toBe(now + 750);
    primary.reply = () => ({ status: 200, body: "ok" });
    // The clock does not move: only the recovery can bring the waiting message forward.
    await recordAlertEvent(engine, firing("deviation:PEPE-USD:binance-spot", now));
    await waitFor(() => primary.received.length === 3, "new message, then the released retry");
    await dispatcher.whenIdle();
    expect(await database.prisma.outboxDelivery.findUniqueOrThrow({ where: { id: waiting.id } })).toMatchObject({ status: "delivered", attempts: 2 });
  });

  it("gives up on a request after the request timeout and retries it", async () => {
    await dispatcher.stop();
    dispatcher = startDispatcher({ policy: retryPolicy({ scheduleMs: [0, 1000] }), requestTimeoutMs: 300 });
    primary.reply = () => ({ status: 200, body: "late", delayMs: 2000 });
    await recordAlertEvent(engine, firing("deviation:AVAX-USD:binance-spot", now));
    dispatcher.wake();
    await waitFor(async () => (await database.prisma.deliveryAttempt.count({ where: { error: "timeout after 300 ms" } })) === 1, "timed-out attempt");
    const attempt = await database.prisma.deliveryAttempt.findFirstOrThrow({ where: { error: "timeout after 300 ms" }, include: { delivery: true } });
    expect(attempt.statusCode).toBeNull();
    expect(attempt.delivery).toMatchObject({ status: "pending", lastError: "timeout" });
    primary.reply = () => ({ status: 200, body: "ok" });
    now += 1000;
    dispatcher.wake();
    await waitFor(async () => (await database.prisma.outboxDelivery.findUniqueOrThrow({ where: { id: attempt.deliveryId } })).status === "delivered", "retry delivered");
  });

  it("disables an endpoint that keeps failing for longer than the disable window", async () => {
    await dispatcher.stop();
    // Window of 10 s (Svix: 5 days); every attempt answers 500.
    dispatcher = startDispatcher({
      policy: retryPolicy({ scheduleMs: [0, 6000, 6000, 6000], disableAfterFailingForMs: 10_000 }),
      onEndpointDisabled: async (event) => {
        await engine.reload();
        await engine.record(endpointDisabledAlert(event));
      },
    });
    primary.reply = () => ({ status: 500, body: "still broken" });
    const startedAt = now;
    await recordAlertEvent(engine, firing("jump:LINK-USD:binance-spot", now));
    await waitFor(() => primary.received.length === 1, "attempt 1");
    await dispatcher.whenIdle();
    now += 6000;
    dispatcher.wake();
    await waitFor(() => primary.received.length === 2, "attempt 2");
    await dispatcher.whenIdle();
    expect((await database.prisma.webhookEndpoint.findUniqueOrThrow({ where: { id: "primary" } })).enabled).toBe(true);
    now += 6000; // 12 s of continuous failure > 10 s window
    dispatcher.wake();
    await waitFor(() => primary.received.length === 3, "attempt 3");
    await waitFor(() => backup.received.length === 1, "endpoint-disabled alert on the backup endpoint");
    const endpoint = await database.prisma.webhookEndpoint.findUniqueOrThrow({ where: { id: "primary" } });
    expect(endpoint.enabled).toBe(false);
    expect(endpoint.failingSince?.getTime()).toBe(startedAt);
    expect(endpoint.disabledReason).toBe(`failing continuously since ${new Date(startedAt).toISOString()} (HTTP 500)`);
    // Clean up for the next test: enable, let the backlog through.
    primary.reply = () => ({ status: 200 });
    await setEndpointEnabled(database.prisma, { id: "primary", enabled: true, actor: "test" });
    expect((await engine.record(endpointReenabledAlert("primary", now))).status).toBe("resolved");
    now += 6000;
    dispatcher.wake();
    await waitFor(async () => (await database.prisma.outboxDelivery.count({ where: { endpointId: "primary", status: { not: "delivered" } } })) === 0, "backlog delivered");
    // The resolve goes out at the group's next flush; afterwards no group is left for later tests.
    now += 1000;
    await engine.flushDue();
    await waitFor(() => backup.received.some((r) => JSON.parse(r.body).type === "alert.resolved"), "endpoint-disabled resolve on the backup endpoint");
    expect(engine.groupsView().filter((g) => g.groupKey.startsWith("route-") && g.alertFingerprints.includes("endpoint-disabled:-:primary"))).toEqual([]);
  });

  it("test-send queues a signed webhook.test message", async () => {
    const queued = await testSend(database.prisma, { endpointId: "primary", actor: "0xOnCall" }, now);
    dispatcher.wake();
    await waitFor(() => primary.received.length === 1, "test message");
    const verified = new Webhook(primarySecret).verify(primary.received[0].body, primary.received[0].headers) as { type: string };
    expect(verified.type).toBe("webhook.test");
    expect(primary.received[0].headers["webhook-id"]).toBe(queued.messageId);
  });

  it("410 disables the endpoint and raises endpoint-disabled through the other endpoint", async () => {
    primary.reply = () => ({ status: 410, body: "gone" });
    await recordAlertEvent(engine, firing("deviation:ETH-USD:binance-spot", now));
    await waitFor(() => backup.received.length === 1, "endpoint-disabled alert on the backup endpoint");
    await dispatcher.whenIdle();
    const endpoint = await database.prisma.webhookEndpoint.findUniqueOrThrow({ where: { id: "primary" } });
    expect(endpoint.enabled).toBe(false);
    expect(endpoint.disabledReason).toBe("endpoint answered 410 Gone");
    const alert = new Webhook(backupSecret).verify(backup.received[0].body, backup.received[0].headers) as { type: string; data: { fingerprint: string; feed: string } };
    expect(alert).toMatchObject({ type: "alert.firing", data: { fingerprint: "endpoint-disabled:-:primary", feed: "primary" } });
    // Nothing more went to the disabled endpoint; its messages wait (pending) for it to be enabled.
    expect(primary.received).toHaveLength(1);
    const waiting = await database.prisma.outboxDelivery.count({ where: { endpointId: "primary", status: "pending" } });
    expect(waiting).toBe(2); // the 410'd alert and the endpoint-disabled alert
    primary.reply = () => ({ status: 200 });
    await setEndpointEnabled(database.prisma, { id: "primary", enabled: true, actor: "0xOnCall" });
    dispatcher.wake();
    await waitFor(() => primary.received.length === 3, "backlog after re-enabling");
    await dispatcher.whenIdle();
    expect(await database.prisma.outboxDelivery.count({ where: { endpointId: "primary", status: "pending" } })).toBe(0);
  });
});
