import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { openTestDatabase, testDatabaseKinds, type TestDatabase } from "../../testing/databases";
import { AlertingEngine } from "./alerting-engine";
import { recordAlertEvent, type AlertEventInput } from "./record-alert-event";
import { acknowledgeAlert } from "./acknowledge-alert";
import { alertHistory, listAlerts } from "./list-alerts";
import { enqueueEvent } from "./enqueue-event";
import { createEndpoint } from "../webhooks/endpoints";
import { createRoute } from "../webhooks/routes";
import type { OutboxPayload } from "../webhooks/outbox";

const APP_SECRET = "test-app-secret-0123456789abcdef-0123456789";
const T0 = Date.UTC(2026, 10, 25, 12, 0, 0);

function firing(fingerprint: string, at: number, overrides: Partial<AlertEventInput> = {}): AlertEventInput {
  const [check, market, feed] = fingerprint.split(":");
  return { kind: "firing", fingerprint, check, market, feed, severity: "warning", value: 0.052, threshold: 0.01, at, ...overrides };
}

describe.each(testDatabaseKinds())("alert persistence and outbox (%s)", (kind) => {
  let database: TestDatabase;
  let now = T0;
  const clock = () => now;

  beforeAll(async () => {
    database = await openTestDatabase(kind);
    const db = database.prisma;
    const guard = { allowHosts: ["127.0.0.1"], appSecret: APP_SECRET };
    await createEndpoint(db, { id: "oncall", format: "standard", url: "http://127.0.0.1:9/hook" }, guard);
    await createEndpoint(db, { id: "slack", format: "slack", url: "http://127.0.0.1:9/slack" }, guard);
    // Critical to both, everything to on-call; 1 s group interval, 60 s repeat.
    await createRoute(db, { match: {}, webhookIds: ["oncall"], groupBy: ["..."], groupWaitMs: 0, groupIntervalMs: 1000, repeatIntervalMs: 60_000 });
    await createRoute(db, { match: { severity: "critical" }, webhookIds: ["slack"], groupWaitMs: 0, groupIntervalMs: 1000, repeatIntervalMs: 60_000 });
  });
  afterAll(async () => {
    await database?.dispose();
  });

  async function outbox(fingerprint?: string) {
    const rows = await database.prisma.outboxDelivery.findMany({ orderBy: { id: "asc" } });
    return rows
      .map((r) => ({ ...r, p: r.payload as unknown as OutboxPayload }))
      .filter((r) => !fingerprint || r.p.fingerprints.includes(fingerprint));
  }

  it("writes the alert, its event, the outbox rows and the notifier state in one transaction; a duplicate firing is a no-op", async () => {
    const engine = await AlertingEngine.open(database.prisma, { appBaseUrl: "http://rw.test", pool: database.pool, nowMs: clock });
    const fp = "deviation:BTC-USD:binance-spot";
    const first = await recordAlertEvent(engine, firing(fp, now));
    expect(first).toMatchObject({ changed: true, status: "firing" });
    const again = await recordAlertEvent(engine, firing(fp, now + 10));
    expect(again).toEqual({ changed: false, alertId: null, status: null });

    const alerts = await database.prisma.alert.findMany({ where: { fingerprint: fp } });
    expect(alerts).toHaveLength(1);
    expect(first.alertId).toBe(alerts[0].id);
    expect(alerts[0].firedAt.getTime()).toBe(T0);
    expect(await database.prisma.alertEvent.count({ where: { alertId: alerts[0].id } })).toBe(1);
    const rows = await outbox(fp);
    expect(rows.map((r) => [r.endpointId, r.eventType, r.status])).toEqual([["oncall", "alert.firing", "pending"]]);
    const body = JSON.parse(rows[0].p.body);
    expect(body).toMatchObject({ type: "alert.firing", data: { fingerprint: fp, market: "BTC-USD", feed: "binance-spot", value: 0.052, threshold: 0.01, status: "firing" } });
    expect(await database.prisma.notifierGroup.count()).toBe(1);
  });

  it("rolls the alert back when its outbox rows cannot be written (atomic)", async () => {
    const engine = await AlertingEngine.open(database.prisma, { appBaseUrl: "http://rw.test", pool: database.pool, nowMs: clock });
    // The engine still routes to "ghost" (loaded before), but the row is gone: the outbox insert fails.
    await database.prisma.webhookEndpoint.create({ data: { id: "ghost", format: "standard", url: "http://127.0.0.1:9/ghost" } });
    await createRoute(database.prisma, { match: { check: "jump" }, webhookIds: ["ghost"], groupWaitMs: 0, groupIntervalMs: 1000, repeatIntervalMs: 60_000 });
    await engine.reload();
    await database.prisma.alertRoute.deleteMany({ where: { webhookIds: { equals: ["ghost"] } } });
    await database.prisma.webhookEndpoint.delete({ where: { id: "ghost" } });
    const fp = "jump:ETH-USD:pyth-main";
    await expect(recordAlertEvent(engine, firing(fp, now))).rejects.toThrow();
    expect(await database.prisma.alert.count({ where: { fingerprint: fp } })).toBe(0);
    expect(await outbox(fp)).toHaveLength(0);
    // The in-memory notifier was rebuilt from the database: no group holds the rolled-back alert.
    expect(engine.groupsView().some((g) => g.alertFingerprints.includes(fp))).toBe(false);
  });

  it("sends the resolve to the endpoint that got the firing, also after a restart", async () => {
    const fp = "staleness:SOL-USD:pyth-main";
    const engine = await AlertingEngine.open(database.prisma, { appBaseUrl: "http://rw.test", pool: database.pool, nowMs: clock });
    await recordAlertEvent(engine, firing(fp, now, { severity: "critical", value: 12_000, threshold: 5000 }));
    expect((await outbox(fp)).map((r) => [r.endpointId, r.eventType])).toEqual([
      ["oncall", "alert.firing"],
      ["slack", "alert.firing"],
    ]);
    // Restart: a new engine restores the notifier from NotifierGroup rows and open alerts.
    const restarted = await AlertingEngine.open(database.prisma, { appBaseUrl: "http://rw.test", pool: database.pool, nowMs: clock });
    now += 5000;
    await recordAlertEvent(restarted, { ...firing(fp, now, { severity: "critical" }), kind: "resolved" });
    // Resolves wait for the group interval (Alertmanager); the worker flushes when it is due.
    now += 1000;
    await restarted.flushDue();
    const rows = await outbox(fp);
    expect(rows.map((r) => [r.endpointId, r.eventType])).toEqual([
      ["oncall", "alert.firing"],
      ["slack", "alert.firing"],
      ["oncall", "alert.resolved"],
      ["slack", "alert.resolved"],
    ]);
    expect(JSON.parse(rows[3].p.body).text).toMatch(/RESOLVED/i);
    const alert = await database.prisma.alert.findFirstOrThrow({ where: { fingerprint: fp } });
    expect(alert.resolvedAt?.getTime()).toBe(T0 + 5000);
    // A second resolve is a no-op.
    expect((await recordAlertEvent(restarted, { ...firing(fp, now), kind: "resolved" })).changed).toBe(false);
    const history = await alertHistory(database.prisma, { fingerprint: fp });
    expect(history.alerts[0].events.map((e) => e.kind)).toEqual(["firing", "resolved"]);
    expect(history.deliveries).toHaveLength(4);
  });

  it("acknowledgement stops repeats; the alert is listed as acknowledged", async () => {
    const fp = "frozen:BTC-USD:coinbase";
    const engine = await AlertingEngine.open(database.prisma, { appBaseUrl: "http://rw.test", pool: database.pool, nowMs: clock });
    await recordAlertEvent(engine, firing(fp, now, { check: "frozen", value: 70_000, threshold: 60_000 }));
    now += 61_000; // past repeatInterval: the next flush repeats
    await engine.flushDue();
    expect((await outbox(fp)).map((r) => r.p.reason)).toEqual(["initial", "repeat"]);
    await acknowledgeAlert(database.prisma, engine, { fingerprint: fp, actor: "0xOnCall" });
    await expect(acknowledgeAlert(database.prisma, engine, { fingerprint: fp, actor: "0xOnCall" })).rejects.toMatchObject({ code: "CONFLICT" });
    now += 61_000;
    await engine.flushDue();
    now += 61_000;
    await engine.flushDue();
    expect((await outbox(fp)).map((r) => r.p.reason)).toEqual(["initial", "repeat"]);
    const listed = await listAlerts(database.prisma, { status: "acknowledged" });
    expect(listed.alerts.map((a) => [a.fingerprint, a.acknowledgedBy])).toEqual([[fp, "0xOnCall"]]);
    expect((await listAlerts(database.prisma, { status: "firing", market: "BTC-USD" })).alerts.map((a) => a.fingerprint)).toEqual(["deviation:BTC-USD:binance-spot"]);
    await expect(acknowledgeAlert(database.prisma, engine, { fingerprint: "nope:-:-", actor: "x" })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("applies fire, resolve, fire of one fingerprint queued together in order (one batch)", async () => {
    const fp = "confidence:ETH-USD:pyth-main";
    const engine = await AlertingEngine.open(database.prisma, { appBaseUrl: "http://rw.test", pool: database.pool, nowMs: clock });
    const results = await Promise.all([
      recordAlertEvent(engine, firing(fp, now, { check: "confidence" })),
      recordAlertEvent(engine, { ...firing(fp, now + 1, { check: "confidence" }), kind: "resolved" }),
      recordAlertEvent(engine, firing(fp, now + 2, { check: "confidence" })),
      recordAlertEvent(engine, firing(fp, now + 3, { check: "confidence" })),
    ]);
    expect(results.map((r) => [r.changed, r.status])).toEqual([
      [true, "firing"],
      [true, "resolved"],
      [true, "firing"],
      [false, null],
    ]);
    const rows = await database.prisma.alert.findMany({ where: { fingerprint: fp }, orderBy: { id: "asc" } });
    expect(rows.map((r) => [r.firedAt.getTime() - now, r.resolvedAt ? r.resolvedAt.getTime() - now : null])).toEqual([
      [0, 1],
      [2, null],
    ]);
  });

  it("enqueueEvent writes governance events inside the caller's transaction, once per id", async () => {
    await createRoute(database.prisma, { match: { eventType: "proposal.executed" }, webhookIds: ["oncall"], groupWaitMs: 0, groupIntervalMs: 1000, repeatIntervalMs: 60_000 });
    const input = { type: "proposal.executed", id: "proposal.executed:p1", data: { proposalId: "p1", number: 7 }, summary: "Proposal #7 executed" };
    const first = await database.prisma.$transaction((tx) => enqueueEvent(tx, input));
    const second = await database.prisma.$transaction((tx) => enqueueEvent(tx, input));
    // Every matching route sends (contract): the catch-all route and the proposal route.
    expect(first.deliveries).toBe(2);
    expect(second.messageIds).toEqual(first.messageIds);
    const rows = await database.prisma.outboxDelivery.findMany({ where: { eventType: "proposal.executed" } });
    expect(rows).toHaveLength(2);
    expect(JSON.parse((rows[0].payload as unknown as OutboxPayload).body)).toMatchObject({ type: "proposal.executed", data: { proposalId: "p1", number: 7 } });
    // Rolled back with the caller's transaction.
    await expect(
      database.prisma.$transaction(async (tx) => {
        await enqueueEvent(tx, { ...input, id: "proposal.executed:p2" });
        throw new Error("governance step failed");
      }),
    ).rejects.toThrow("governance step failed");
    expect(await database.prisma.outboxDelivery.count({ where: { eventType: "proposal.executed" } })).toBe(2);
  });

  it("notices alert rows written behind its back: the batch is redone from the database, nothing half-written", async () => {
    const engine = await AlertingEngine.open(database.prisma, { appBaseUrl: "http://rw.test", pool: database.pool, nowMs: clock });
    const opened = "staleness:XRP-USD:pyth-main";
    const closed = "staleness:ADA-USD:pyth-main";
    await recordAlertEvent(engine, firing(closed, now, { check: "staleness" }));
    // Another writer opens one alert and resolves another; this engine's Notifier saw neither.
    const foreign = await database.prisma.alert.create({
      data: { fingerprint: opened, check: "staleness", market: "XRP-USD", feed: "pyth-main", severity: "warning", value: 9, threshold: 5, labels: { labels: { check: "staleness", severity: "warning", market: "XRP-USD", feed: "pyth-main" } }, firedAt: new Date(now) },
    });
    await database.prisma.alert.updateMany({ where: { fingerprint: closed, resolvedAt: null }, data: { resolvedAt: new Date(now + 1) } });
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    try {
      // Predicted: a new alert, and a resolve. The database disagrees on both.
      const results = await Promise.all([
        recordAlertEvent(engine, firing(opened, now + 2, { check: "staleness" })),
        recordAlertEvent(engine, { ...firing(closed, now + 2, { check: "staleness" }), kind: "resolved" }),
      ]);
      expect(results).toEqual([
        { changed: false, alertId: null, status: null },
        { changed: false, alertId: null, status: null },
      ]);
      // The first batch (the firing) diverged; the rebuilt Notifier then predicted the resolve right.
      expect(warn.mock.calls.map((c) => String(c[0]))).toEqual([
        "[alerting] alert state diverged from the database: expected 1 alert changes, the database made 0, 0 of them predicted; rebuilding the notifier from the database",
      ]);
    } finally {
      warn.mockRestore();
    }
    expect(await database.prisma.alert.findMany({ where: { fingerprint: opened } })).toEqual([foreign]);
    expect(await database.prisma.alertEvent.count({ where: { alertId: foreign.id } })).toBe(0);
    // Rebuilt from the database, the engine now knows the foreign alert: its resolve goes through.
    const resolved = await recordAlertEvent(engine, { ...firing(opened, now + 3, { check: "staleness" }), kind: "resolved" });
    expect(resolved).toEqual({ changed: true, alertId: foreign.id, status: "resolved" });
  });
});
