// Child process for the crash test (dispatcher-crash.integration.test.ts): runs a dispatcher against
// the database in RW_CRASH_DATABASE ("pglite:<dir>" or a postgres:// URL) until no delivery is
// pending or in flight, then exits 0. The test kills it with SIGKILL mid-dispatch and starts it again.
import { openDatabase } from "../db";
import { retryPolicy } from "../../lib/alerts";
import { Dispatcher } from "./dispatcher";

const target = process.env.RW_CRASH_DATABASE ?? "";
const appSecret = process.env.RW_CRASH_APP_SECRET ?? "";
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
});
dispatcher.start();
process.stdout.write("ready\n");
for (;;) {
  await new Promise((r) => setTimeout(r, 200));
  const open = await database.prisma.outboxDelivery.count({ where: { status: { in: ["pending", "delivering"] } } });
  if (open === 0) break;
}
await dispatcher.stop();
await database.close();
process.stdout.write(`drained ${JSON.stringify(dispatcher.health())}\n`);
process.exit(0);
