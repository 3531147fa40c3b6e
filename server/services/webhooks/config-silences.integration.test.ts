// Silences declared in the config file: synced at start by id (no duplicates across restarts), ended
// when they leave the file, read-only in the UI, and applied by the alerting engine like UI silences.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig, type RiskwardenConfig } from "../../../lib/config/riskwarden-config";
import { EventBus } from "../../bus";
import { parseEnv } from "../../env";
import { PriceBoard } from "../../prices";
import type { Runtime } from "../../runtime-types";
import { openTestDatabase, testDatabaseKinds, type TestDatabase } from "../../testing/databases";
import { startAlerting, alertingEngineOf } from "../../workers/notifier";
import { startDispatcher } from "../../workers/dispatcher-subsystem";
import { startReceiver, waitFor, type Receiver } from "../../workers/dispatcher-test-support";
import { recordAlertEvent } from "../alerts/record-alert-event";
import type { OutboxPayload } from "./outbox";
import { createSilence, expireSilence, listSilences } from "./silences";
import { syncConfigFile } from "./sync-config";

const APP_SECRET = "test-app-secret-0123456789abcdef-0123456789";
const T0 = Date.UTC(2026, 11, 1, 12, 0, 0);
const iso = (ms: number) => new Date(ms).toISOString();

function configWith(silencesYaml: string, extra = ""): RiskwardenConfig {
  return parseConfig(`security:\n  allowWebhookHosts: ["127.0.0.1"]\n${extra}silences:\n${silencesYaml}`, "riskwarden.yaml");
}

describe.each(testDatabaseKinds())("config file silences (%s)", (kind) => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await openTestDatabase(kind);
  });
  afterAll(async () => {
    await database?.dispose();
  });

  it("syncs by id without duplicates, keeps an omitted startsAt across restarts, ends removed ones", async () => {
    const db = database.prisma;
    const config = configWith(`
  - id: btc-maintenance
    matchers: ['market="BTC-USD"', 'check=~dev.*']
    endsAt: ${iso(T0 + 3_600_000)}
    createdBy: ops@example.com
    comment: exchange maintenance
  - id: later
    matchers: [feed=kraken]
    startsAt: ${iso(T0 + 600_000)}
    endsAt: ${iso(T0 + 7_200_000)}
    createdBy: ops@example.com
    comment: kraken migration tonight
  - id: stale
    matchers: [feed=coinbase]
    startsAt: ${iso(T0 - 7_200_000)}
    endsAt: ${iso(T0 - 3_600_000)}
    createdBy: ops@example.com
    comment: forgotten in the file
`);
    const first = await syncConfigFile(db, { config, appSecret: APP_SECRET, nowMs: T0 });
    expect(first.silences).toEqual({ active: ["btc-maintenance", "later"], alreadyEnded: ["stale"], ended: [], removed: [] });
    const rows = await db.silence.findMany({ orderBy: { id: "asc" } });
    expect(rows.map((r) => [r.id, r.managedByFile, r.startsAt.getTime(), r.endsAt.getTime(), r.author, r.comment])).toEqual([
      ["btc-maintenance", true, T0, T0 + 3_600_000, "ops@example.com", "exchange maintenance"],
      ["later", true, T0 + 600_000, T0 + 7_200_000, "ops@example.com", "kraken migration tonight"],
    ]);
    expect(rows[0].matchers).toEqual([
      { name: "market", type: "=", value: "BTC-USD" },
      { name: "check", type: "=~", value: "dev.*" },
    ]);

    // A restart a minute later with the same file: same rows, the silence did not restart.
    await syncConfigFile(db, { config, appSecret: APP_SECRET, nowMs: T0 + 60_000 });
    const again = await db.silence.findMany({ orderBy: { id: "asc" } });
    expect(again.map((r) => [r.id, r.startsAt.getTime(), r.endsAt.getTime()])).toEqual([
      ["btc-maintenance", T0, T0 + 3_600_000],
      ["later", T0 + 600_000, T0 + 7_200_000],
    ]);
    await expect(expireSilence(db, { id: "btc-maintenance" }, T0 + 60_000)).rejects.toMatchObject({ code: "FORBIDDEN" });

    // An edited entry is updated in place.
    const edited = configWith(`
  - id: btc-maintenance
    matchers: ['market="BTC-USD"']
    endsAt: ${iso(T0 + 5_400_000)}
    createdBy: ops@example.com
    comment: maintenance extended
  - id: later
    matchers: [feed=kraken]
    startsAt: ${iso(T0 + 600_000)}
    endsAt: ${iso(T0 + 7_200_000)}
    createdBy: ops@example.com
    comment: kraken migration tonight
`);
    await syncConfigFile(db, { config: edited, appSecret: APP_SECRET, nowMs: T0 + 120_000 });
    const btc = await db.silence.findUniqueOrThrow({ where: { id: "btc-maintenance" } });
    expect([btc.startsAt.getTime(), btc.endsAt.getTime(), btc.comment, btc.matchers]).toEqual([T0, T0 + 5_400_000, "maintenance extended", [{ name: "market", type: "=", value: "BTC-USD" }]]);
    expect(await db.silence.count()).toBe(2);

    // Both leave the file: the one in effect ends now (kept for the record), the one not started goes.
    const ui = await createSilence(db, { matchers: ["feed=pyth-main"], endsAt: new Date(T0 + 3_600_000), comment: "ui silence", author: "0xOnCall" }, T0);
    const removed = await syncConfigFile(db, { config: configWith(" []\n"), appSecret: APP_SECRET, nowMs: T0 + 180_000 });
    expect(removed.silences).toEqual({ active: [], alreadyEnded: [], ended: ["btc-maintenance"], removed: ["later"] });
    const left = await db.silence.findMany();
    expect(Object.fromEntries(left.map((r) => [r.id, [r.managedByFile, r.endsAt.getTime()]]))).toEqual({
      "btc-maintenance": [true, T0 + 180_000],
      [ui.id]: [false, T0 + 3_600_000],
    });
    expect((await listSilences(db, {}, T0 + 180_000)).map((s) => s.id)).toEqual([ui.id]);

    // A file id equal to a UI silence's id stops the start with one line.
    const clash = configWith(`
  - id: ${ui.id}
    matchers: [feed=x]
    endsAt: ${iso(T0 + 3_600_000)}
    createdBy: ops@example.com
    comment: clash
`);
    await expect(syncConfigFile(db, { config: clash, appSecret: APP_SECRET, nowMs: T0 })).rejects.toThrow(
      `config file: silences[0].id: expected an id not used by a silence created in the UI, got "${ui.id}"`,
    );
  });
});

describe.each(testDatabaseKinds())("a config file silence in the running alerting engine (%s)", (kind) => {
  let database: TestDatabase;
  let receiver: Receiver;
  let runtime: Runtime;

  beforeAll(async () => {
    database = await openTestDatabase(kind);
    receiver = await startReceiver();
    const now = Date.now();
    const config = parseConfig(
      `
webhooks:
  - id: oncall
    format: standard
    url: ${receiver.url}
    secret: whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw
security:
  allowWebhookHosts: ["127.0.0.1"]
routes:
  - match: {}
    webhooks: [oncall]
    groupWaitMs: 0
    groupIntervalMs: 1000
silences:
  - id: btc-deviation-maintenance
    matchers: ['market="BTC-USD"', 'check=~dev.*']
    endsAt: ${iso(now + 3_600_000)}
    createdBy: ops@example.com
    comment: Binance BTC wallet maintenance
`,
      "riskwarden.yaml",
    );
    const bus = new EventBus();
    runtime = {
      env: { ...parseEnv({ APP_SECRET, DEMO: "0", NEXTAUTH_URL: "http://rw.test" }), database: database.target },
      config,
      database,
      appSecret: APP_SECRET,
      bus,
      prices: new PriceBoard(bus),
      startedAt: new Date(),
      subsystems: new Map(),
    };
    // The real start path: config sync, then the engine loads routes and silences from the database.
    runtime.subsystems.set("alerting", await startAlerting(runtime));
    runtime.subsystems.set("dispatcher", await startDispatcher(runtime, {}));
  });
  afterAll(async () => {
    for (const subsystem of [...(runtime?.subsystems.values() ?? [])].reverse()) await subsystem.stop?.();
    await receiver?.close();
    await database?.dispose();
  });

  it("suppresses the matching notification and lets the others through", async () => {
    const engine = alertingEngineOf(runtime);
    const at = Date.now();
    const alert = (market: string, check: string) => ({ kind: "firing" as const, fingerprint: `${check}:${market}:binance-spot`, check, market, feed: "binance-spot", severity: "warning", value: 0.05, threshold: 0.01, at });
    await recordAlertEvent(engine, alert("BTC-USD", "deviation"));
    await recordAlertEvent(engine, alert("ETH-USD", "deviation"));
    await recordAlertEvent(engine, alert("BTC-USD", "jump"));
    // One group per route (file routes have no groupBy): a later flush may repeat an alert already sent.
    const delivered = () => [...new Set(receiver.received.map((r) => (JSON.parse(r.body) as { data: { fingerprint: string } }).data.fingerprint))].sort();
    await waitFor(() => delivered().length >= 2, "the two unsilenced alerts");
    await waitFor(async () => (await database.prisma.outboxDelivery.count({ where: { status: { not: "delivered" } } })) === 0, "deliveries settled");
    expect(delivered()).toEqual(["deviation:ETH-USD:binance-spot", "jump:BTC-USD:binance-spot"]);
    const outbox = await database.prisma.outboxDelivery.findMany();
    const fingerprints = outbox.flatMap((row) => (row.payload as unknown as OutboxPayload).fingerprints);
    expect(fingerprints).not.toContain("deviation:BTC-USD:binance-spot");
    // The silenced alert itself is still recorded (silences hide notifications, not alerts).
    expect(await database.prisma.alert.count({ where: { fingerprint: "deviation:BTC-USD:binance-spot", resolvedAt: null } })).toBe(1);
  });
});
