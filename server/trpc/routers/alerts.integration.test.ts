// The alerts and webhooks routers over a real database and a started alerting subsystem: the live
// subscription sees a committed alert, on-call acknowledges it, an admin creates an endpoint and
// gets its secret once, on-call test-sends and reads the delivery log.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EventBus } from "../../bus";
import { parseEnv } from "../../env";
import { PriceBoard } from "../../prices";
import { openTestDatabase, testDatabaseKinds, type TestDatabase } from "../../testing/databases";
import type { Runtime } from "../../runtime-types";
import { startAlerting, alertingEngineOf } from "../../workers/notifier";
import { startDispatcher } from "../../workers/dispatcher-subsystem";
import { recordAlertEvent } from "../../services/alerts/record-alert-event";
import { startReceiver, waitFor, type Receiver } from "../../workers/dispatcher-test-support";
import { appRouter } from "../root";
import { createCallerFactory, type Context } from "../init";
import type { Role } from "../../auth/roles";

const createCaller = createCallerFactory(appRouter);

describe.each(testDatabaseKinds())("alerts and webhooks routers (%s)", (kind) => {
  let database: TestDatabase;
  let runtime: Runtime;
  let receiver: Receiver;

  beforeAll(async () => {
    database = await openTestDatabase(kind);
    receiver = await startReceiver();
    const bus = new EventBus();
    runtime = {
      env: { ...parseEnv({ APP_SECRET: "test-app-secret-0123456789abcdef-0123456789", DEMO: "0", NEXTAUTH_URL: "http://rw.test" }), database: database.target },
      config: { markets: {}, feeds: [], webhooks: [], routes: [], silences: [], security: { allowWebhookHosts: ["127.0.0.1"] } },
      database,
      appSecret: "test-app-secret-0123456789abcdef-0123456789",
      bus,
      prices: new PriceBoard(bus),
      startedAt: new Date(),
      subsystems: new Map(),
    };
    runtime.subsystems.set("alerting", await startAlerting(runtime));
    runtime.subsystems.set("dispatcher", await startDispatcher(runtime, {}));
  });
  afterAll(async () => {
    for (const subsystem of [...runtime.subsystems.values()].reverse()) await subsystem.stop?.();
    await receiver?.close();
    await database?.dispose();
  });

  function as(roles: Role[]) {
    const ctx: Context = { db: database.prisma, runtime, user: { address: "0x00000000000000000000000000000000000000a1", roles } };
    return createCaller(ctx);
  }

  it("streams alert changes, lists them and lets on-call acknowledge", async () => {
    const api = as(["holder", "oncall"]);
    const stream = await api.alerts.live();
    const iterator = stream[Symbol.asyncIterator]();
    const next = iterator.next();
    await recordAlertEvent(alertingEngineOf(runtime), { kind: "firing", fingerprint: "staleness:BTC-USD:pyth-main", check: "staleness", market: "BTC-USD", feed: "pyth-main", severity: "critical", value: 9000, threshold: 5000, at: Date.now() });
    expect((await next).value).toMatchObject({ fingerprint: "staleness:BTC-USD:pyth-main", status: "firing" });
    expect((await api.alerts.counts()).firing).toBe(1);
    await api.alerts.acknowledge({ fingerprint: "staleness:BTC-USD:pyth-main" });
    expect((await iterator.next()).value).toMatchObject({ status: "acknowledged" });
    await iterator.return?.();
    const listed = await api.alerts.list({ status: "acknowledged" });
    expect(listed.alerts.map((a) => [a.fingerprint, a.acknowledgedBy])).toEqual([["staleness:BTC-USD:pyth-main", "0x00000000000000000000000000000000000000a1"]]);
    await expect(as(["holder"]).alerts.acknowledge({ fingerprint: "staleness:BTC-USD:pyth-main" })).rejects.toMatchObject({ code: "FORBIDDEN" });
  });

  it("creates an endpoint (secret once), test-sends it and shows the attempt in the delivery log", async () => {
    const admin = as(["holder", "admin", "oncall"]);
    const created = await admin.webhooks.createEndpoint({ id: "local", format: "standard", url: receiver.url });
    expect(created.secret).toMatch(/^whsec_/);
    const listed = await admin.webhooks.endpoints();
    expect(JSON.stringify(listed)).not.toContain(created.secret.slice(6));
    expect(listed.find((e) => e.id === "local")?.secretHint).toBe(`whsec_…${created.secret.slice(-4)}`);
    // A holder sees the endpoint but not its URL path (Slack-style URLs carry a token).
    expect((await as(["holder"]).webhooks.endpoints()).find((e) => e.id === "local")?.url).toBe(`http://127.0.0.1:${receiver.port}/…`);
    const queued = await admin.webhooks.testSend({ endpointId: "local" });
    await waitFor(() => receiver.received.some((r) => r.headers["webhook-id"] === queued.messageId), "test message");
    await waitFor(async () => (await admin.webhooks.deliveries({ endpointId: "local" })).deliveries[0]?.status === "delivered", "logged delivery");
    const log = await admin.webhooks.deliveries({ endpointId: "local" });
    expect(log.deliveries[0]).toMatchObject({ messageId: queued.messageId, eventType: "webhook.test", attempts: 1 });
    expect(log.deliveries[0].attemptLog[0]).toMatchObject({ statusCode: 200, responseExcerpt: "ok" });
    await expect(admin.webhooks.createEndpoint({ id: "meta", format: "standard", url: "http://169.254.169.254/latest" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
  });
});
