// Child process for the crash test (dispatcher-crash.integration.test.ts): runs a dispatcher against
// the database in RW_CRASH_DATABASE ("pglite:<dir>" or a postgres:// URL) until no delivery is
// pending or in flight, then exits 0. The test kills it with SIGKILL mid-dispatch and starts it again.
// With RW_CRASH_FIRE=<n> it first fires n alerts through an alerting engine wired as the app wires it
// (new outbox rows handed to this dispatcher at commit), printing `committed <fingerprint>` once each
// alert's transaction has committed, and `counters <json>` as it goes.
import { openDatabase } from "../db";
import { retryPolicy } from "../../lib/alerts";
import { AlertingEngine } from "../services/alerts/alerting-engine";
import { recordAlertEvent } from "../services/alerts/record-alert-event";
import { Dispatcher } from "./dispatcher";

const target = process.env.RW_CRASH_DATABASE ?? "";
const appSecret = process.env.RW_CRASH_APP_SECRET ?? "";
const fire = Number(process.env.RW_CRASH_FIRE ?? 0);
const database = await openDatabase(target.startsWith("pglite:") ? { kind: "pglite", dataDir: target.slice("pglite:".length) } : { kind: "postgres", url: target });
const dispatcher = new Dispatcher(database.prisma, {
  appSecret,
  // The test's receiver listens on 127.0.0.1.
  allowHosts: ["127.0.0.1"],
  policy: retryPolicy({ timeScale: 0.001 }),
  concurrency: 4,
  requestTimeoutMs: 1000,
  // Short lock so the restarted process reclaims what the killed one had in flight.
  lockMs: 2000,
  pollMs: 100,
  pool: database.pool,
});
dispatcher.start();
process.stdout.write("ready\n");
if (fire > 0) {
  const engine = await AlertingEngine.open(database.prisma, {
    appBaseUrl: "http://rw.test",
    pool: database.pool,
    onCommitted: ({ outboxRows, handedOff }) => outboxRows > handedOff && dispatcher.wake(),
  });
  engine.handOffTo(dispatcher);
  const counters = setInterval(() => process.stdout.write(`counters ${JSON.stringify(dispatcher.counters)}\n`), 50);
  // A few at a time, so batches of several alerts commit together.
  for (let i = 0; i < fire; i += 3) {
    await Promise.all(
      [i, i + 1, i + 2].filter((n) => n < fire).map(async (n) => {
        const fingerprint = `deviation:C${n}-USD:binance-spot`;
        await recordAlertEvent(engine, { kind: "firing", fingerprint, check: "deviation", market: `C${n}-USD`, feed: "binance-spot", severity: "warning", value: 0.05, threshold: 0.01, at: Date.now() });
        process.stdout.write(`committed ${fingerprint}\n`);
      }),
    );
    await new Promise((r) => setTimeout(r, 20));
  }
  clearInterval(counters);
}
for (;;) {
  await new Promise((r) => setTimeout(r, 200));
  const open = await database.prisma.outboxDelivery.count({ where: { status: { in: ["pending", "delivering"] } } });
  if (open === 0) break;
}
await dispatcher.stop();
await database.close();
process.stdout.write(`drained ${JSON.stringify(dispatcher.health())}\n`);
process.exit(0);
