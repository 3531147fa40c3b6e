// Webhook delivery benchmark (`npm run bench:webhooks`), on the local PostgreSQL (own database,
// dropped after). A receiver in another process (bench/webhooks-receiver.ts) verifies every request
// with the `standardwebhooks` library. In the same run:
//   1. ceiling — a bare loop of signed HTTP POSTs (32 in flight, same body size), no database;
//   2. healthy — alerts fired through recordAlertEvent (Alert + AlertEvent + outbox + notifier state
//      in one transaction per batch) at BENCH_WEBHOOKS_RATE alerts/s, each resolved 100 ms later
//      (so every alert makes two deliveries: firing, then resolved at the next group flush); the
//      dispatcher (32 in flight) sends them, wired as the app wires it (new rows handed over at
//      commit, the rest claimed). Deliveries/s over the window and alert-to-delivery latency
//      (receiver's receive time of a verified request − the alert's firedAt, same machine clock) of
//      firing messages. firedAt is the alert's SCHEDULED time (i/rate after the start), not the
//      moment recordAlertEvent got called: an event-loop stall of this process delays the calls,
//      and would otherwise be left out of the latency (`fireLag` shows how late the calls were);
//   3. outage  — the receiver closes its port for BENCH_WEBHOOKS_OUTAGE_SECONDS while alerts keep
//      firing; then it listens again and firing stops; drain time = until every delivery is
//      delivered (its rate is the saturated throughput), and every outbox webhook-id must have
//      reached the receiver ("nothing lost").
// Retry schedule: the real Standard Webhooks schedule (time scale 1). One JSON line per phase.
// Env: BENCH_DATABASE_URL (server, default postgres://postgres@127.0.0.1:5432/postgres),
//      BENCH_WEBHOOKS_RATE (alerts/s, default 300), BENCH_WEBHOOKS_HEALTHY_SECONDS (30),
//      BENCH_WEBHOOKS_OUTAGE_SECONDS (60), BENCH_WEBHOOKS_CEILING_SECONDS (10).
import { fork, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { newWebhookSecret, retryPolicy, standardWebhookHeaders } from "../lib/alerts";
import { openDatabase } from "../server/db";
import { AlertingEngine } from "../server/services/alerts/alerting-engine";
import { recordAlertEvent } from "../server/services/alerts/record-alert-event";
import { createEndpoint } from "../server/services/webhooks/endpoints";
import { createRoute } from "../server/services/webhooks/routes";
import { Dispatcher } from "../server/workers/dispatcher";

const here = path.dirname(fileURLToPath(import.meta.url));
const SERVER_URL = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const RATE = Number(process.env.BENCH_WEBHOOKS_RATE ?? 300);
const HEALTHY_S = Number(process.env.BENCH_WEBHOOKS_HEALTHY_SECONDS ?? 30);
const OUTAGE_S = Number(process.env.BENCH_WEBHOOKS_OUTAGE_SECONDS ?? 60);
const CEILING_S = Number(process.env.BENCH_WEBHOOKS_CEILING_SECONDS ?? 10);
const CONCURRENCY = 32;
const RESOLVE_AFTER_MS = 100;
const APP_SECRET = randomBytes(32).toString("hex");

type Report = { type: "report"; count: number; firstAt: number | null; lastAt: number | null; latencies: number[]; uniqueIds: number; duplicates: number; invalid: number };

function line(record: Record<string, unknown>) {
  // The 1-minute load average: this 2-core machine is shared with other engineers' test runs.
  process.stdout.write(`${JSON.stringify({ ...record, loadAverage1m: Number(os.loadavg()[0].toFixed(2)) })}\n`);
}

function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function latencySummary(values: number[]) {
  const sorted = [...values].sort((a, b) => a - b);
  return { samples: sorted.length, p50Ms: percentile(sorted, 50), p99Ms: percentile(sorted, 99), maxMs: sorted[sorted.length - 1] ?? null };
}

function ask<T>(child: ChildProcess, message: Record<string, unknown>, type: string): Promise<T> {
  return new Promise((resolve) => {
    const listener = (m: { type: string }) => {
      if (m.type !== type) return;
      child.off("message", listener);
      resolve(m as T);
    };
    child.on("message", listener);
    child.send(message);
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ── database of our own ──
const dbName = `rw_bench_webhooks_${randomBytes(4).toString("hex")}`;
const admin = new pg.Client({ connectionString: SERVER_URL });
await admin.connect();
await admin.query(`CREATE DATABASE "${dbName}"`);
const url = new URL(SERVER_URL);
url.pathname = `/${dbName}`;
const database = await openDatabase({ kind: "postgres", url: url.toString() });
const db = database.prisma;

const secret = newWebhookSecret();
const receiver = fork(path.join(here, "webhooks-receiver.ts"), [], {
  execArgv: ["--import", "tsx"],
  env: { ...process.env, BENCH_WEBHOOK_SECRET: secret },
  stdio: ["ignore", "inherit", "inherit", "ipc"],
});
const { port } = await new Promise<{ port: number }>((resolve) => receiver.once("message", (m) => resolve(m as { port: number })));
const receiverUrl = `http://127.0.0.1:${port}/hook`;

let dispatcher: Dispatcher | null = null;
let failedRecords = 0;
try {
  line({ bench: "webhooks", phase: "setup", database: "postgres", node: process.version, cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, rate: RATE, healthySeconds: HEALTHY_S, outageSeconds: OUTAGE_S, concurrency: CONCURRENCY });
  await createEndpoint(db, { id: "bench", format: "standard", url: receiverUrl, secret }, { allowHosts: ["127.0.0.1"], appSecret: APP_SECRET });
  // One group per alert (groupBy "..."), no group wait: each firing goes out at once; its resolve
  // at the group's next flush (200 ms), after which the group is gone (bounded notifier state).
  await createRoute(db, { match: {}, webhookIds: ["bench"], groupBy: ["..."], groupWaitMs: 0, groupIntervalMs: 200, repeatIntervalMs: 3_600_000 });

  // ── 1. ceiling: bare signed POST loop ──
  {
    const sample = JSON.stringify({ type: "alert.firing", timestamp: new Date().toISOString(), data: { fingerprint: "deviation:BTC-USD:binance-spot", status: "firing", check: "deviation", market: "BTC-USD", feed: "binance-spot", severity: "warning", value: 0.052, threshold: 0.01, firedAt: new Date().toISOString(), resolvedAt: null, acknowledgedAt: null, summary: "deviation BTC-USD binance-spot: 0.052 (threshold 0.01)", link: "http://localhost:3000/alerts/deviation%3ABTC-USD%3Abinance-spot", labels: { check: "deviation", severity: "warning", market: "BTC-USD", feed: "binance-spot" }, reason: "initial", groupKey: 'route-x:{check="deviation",feed="binance-spot",market="BTC-USD",severity="warning"}' } });
    let sent = 0;
    let n = 0;
    // 2 s warm-up (receiver JIT, keep-alive connections), then the measured window.
    for (const [seconds, measured] of [[2, false], [CEILING_S, true]] as const) {
    sent = 0;
    const startedAt = Date.now();
    const endAt = startedAt + seconds * 1000;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (Date.now() < endAt) {
          const msgId = `msg_ceiling_${n++}`;
          const headers = { "content-type": "application/json", ...standardWebhookHeaders([secret], { msgId, timestampSeconds: Math.floor(Date.now() / 1000), body: sample }) };
          const response = await fetch(receiverUrl, { method: "POST", headers, body: sample, signal: AbortSignal.timeout(15_000) });
          await response.text();
          if (response.ok) sent += 1;
        }
      }),
    );
    if (!measured) continue;
    const elapsed = (Date.now() - startedAt) / 1000;
    line({ bench: "webhooks", phase: "ceiling", what: "bare signed POST loop, 32 in flight, no database", requests: sent, seconds: elapsed, perSecond: Math.round(sent / elapsed) });
    }
  }

  // ── pipeline ──
  // Wired as the app wires them (notifier.ts, dispatcher-subsystem.ts): the engine hands new rows to
  // the dispatcher of its process and wakes it for the rest.
  const engine = await AlertingEngine.open(db, { appBaseUrl: "http://localhost:3000", pool: database.pool, onCommitted: ({ outboxRows, handedOff }) => outboxRows > handedOff && dispatcher?.wake() });
  dispatcher = new Dispatcher(db, { appSecret: APP_SECRET, policy: retryPolicy(), concurrency: CONCURRENCY, pool: database.pool, allowHosts: ["127.0.0.1"] });
  dispatcher.start();
  engine.handOffTo(dispatcher);
  let serial = 0;
  /** Time from the alert's scheduled time to its commit (alert + outbox + notifier state), per firing alert. */
  let commitLatencies: number[] = [];
  const inflightRecords = new Set<Promise<unknown>>();
  function fireOne(scheduledAtMs: number) {
    const i = serial++;
    const fingerprint = `deviation:B${i}-USD:binance-spot`;
    const event = { kind: "firing" as const, fingerprint, check: "deviation", market: `B${i}-USD`, feed: "binance-spot", severity: "warning", value: 0.052, threshold: 0.01, at: scheduledAtMs };
    const p = recordAlertEvent(engine, event)
      .then(async () => {
        commitLatencies.push(Date.now() - event.at);
        await sleep(RESOLVE_AFTER_MS);
        await recordAlertEvent(engine, { ...event, kind: "resolved", at: Date.now() });
      })
      .catch(() => {
        failedRecords += 1;
      })
      .finally(() => inflightRecords.delete(p));
    inflightRecords.add(p);
  }
  /** Per fired alert: ms between its scheduled time and the call (healthy phase). */
  let fireLags: number[] = [];
  /** Fires RATE alerts/s until `until()` says stop (ticks of ~2 ms, catching up on late ticks). */
  async function fireWhile(until: () => boolean) {
    const startedAt = Date.now();
    let fired = 0;
    while (!until()) {
      const now = Date.now();
      const due = Math.floor(((now - startedAt) / 1000) * RATE);
      while (fired < due) {
        const scheduledAtMs = startedAt + Math.ceil((fired * 1000) / RATE);
        fireLags.push(now - scheduledAtMs);
        fireOne(scheduledAtMs);
        fired += 1;
      }
      await sleep(2);
    }
    return fired;
  }
  async function openRows(createdBefore?: Date) {
    return db.outboxDelivery.count({ where: { status: { not: "delivered" }, ...(createdBefore ? { createdAt: { lte: createdBefore } } : {}) } });
  }
  async function waitDrained(createdBefore?: Date) {
    for (;;) {
      if ((await openRows(createdBefore)) === 0) return;
      await sleep(100);
    }
  }

  // warm-up (JIT, connection pools), not measured
  {
    const end = Date.now() + 3000;
    await fireWhile(() => Date.now() > end);
    await Promise.all(inflightRecords);
    await waitDrained();
  }

  // ── 2. healthy ──
  {
    commitLatencies = [];
    fireLags = [];
    const startedAt = Date.now();
    const endAt = startedAt + HEALTHY_S * 1000;
    const fired = await fireWhile(() => Date.now() >= endAt);
    const stoppedAt = Date.now();
    await Promise.all(inflightRecords);
    await waitDrained();
    const drainedAt = Date.now();
    const inWindow = await ask<Report>(receiver, { cmd: "report", since: startedAt }, "report");
    const windowCount = (await ask<Report>(receiver, { cmd: "report", since: startedAt }, "report")).count;
    const rows = await db.outboxDelivery.count({ where: { createdAt: { gte: new Date(startedAt) } } });
    line({
      bench: "webhooks",
      phase: "healthy",
      alertsFired: fired,
      alertsPerSecond: Math.round(fired / ((stoppedAt - startedAt) / 1000)),
      deliveries: rows,
      deliveriesPerSecond: Math.round(windowCount / ((drainedAt - startedAt) / 1000)),
      drainAfterStopMs: drainedAt - stoppedAt,
      alertToDelivery: latencySummary(inWindow.latencies),
      alertToCommit: latencySummary(commitLatencies),
      fireLag: latencySummary(fireLags),
      duplicates: inWindow.duplicates,
      invalidSignatures: inWindow.invalid,
    });
  }

  // ── 3. outage, then drain ──
  {
    await ask(receiver, { cmd: "down" }, "down");
    const downAt = Date.now();
    const firedDuring = await fireWhile(() => Date.now() >= downAt + OUTAGE_S * 1000);
    const backlog = await openRows();
    const attemptsDuringOutage = await db.deliveryAttempt.count({ where: { at: { gte: new Date(downAt) } } });
    await ask(receiver, { cmd: "up" }, "up");
    const upAt = Date.now();
    // Firing stops at recovery: the drain rate is the dispatcher's saturated throughput.
    await Promise.all(inflightRecords);
    await waitDrained(new Date(upAt));
    const drainedAt = Date.now();
    const firedWhileDraining = 0;
    const drainReport = await ask<Report>(receiver, { cmd: "report", since: upAt }, "report");
    await Promise.all(inflightRecords);
    await waitDrained();
    const { ids } = await ask<{ ids: string[] }>(receiver, { cmd: "ids" }, "ids");
    const received = new Set(ids);
    const all = await db.outboxDelivery.findMany({ select: { messageId: true, status: true } });
    const lost = all.filter((r) => !received.has(r.messageId)).length;
    line({
      bench: "webhooks",
      phase: "outage",
      outageSeconds: OUTAGE_S,
      alertsFiredDuringOutage: firedDuring,
      backlogAtRecovery: backlog,
      attemptsDuringOutage,
      drainMs: drainedAt - upAt,
      drainDeliveriesPerSecond: Math.round(drainReport.count / ((drainedAt - upAt) / 1000)),
      alertsFiredWhileDraining: firedWhileDraining,
      alertToDeliveryWhileDraining: latencySummary(drainReport.latencies),
      outboxRows: all.length,
      delivered: all.filter((r) => r.status === "delivered").length,
      lost,
      duplicates: drainReport.duplicates,
      failedRecords,
    });
  }
  line({ bench: "webhooks", phase: "dispatcher", ...dispatcher.health(), note: "claimed = taken by a claim query; handedOff = taken from the engine's commit" });
} finally {
  await dispatcher?.stop().catch(() => {});
  receiver.kill();
  await database.close();
  await admin.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
  await admin.end();
}
