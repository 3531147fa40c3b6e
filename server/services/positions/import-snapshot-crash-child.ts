// Child process for import-snapshot-crash.integration.test.ts: imports a generated positions CSV
// (RW_CRASH_POSITIONS rows) into RW_CRASH_DATABASE ("pglite:<dir>" or a postgres:// URL) with
// `--activate` semantics, printing "writing" before the write transaction starts and "committed"
// after it. The test kills it with SIGKILL in between.
import { openDatabase } from "../../db";
import { prepareSnapshot, writePreparedSnapshot } from "./import-snapshot";

const target = process.env.RW_CRASH_DATABASE ?? "";
const positions = Number(process.env.RW_CRASH_POSITIONS ?? 200_000);
const rows = ["account,mode,collateral,market,size,entryPrice,margin,mark"];
for (let i = 0; i < positions; i++) rows.push(`crash-${i % 50_000},cross,1000.5,${i % 2 ? "ETH-USD" : "BTC-USD"},${(i % 97) - 48}.125,${i % 2 ? "3000" : "60000"},,${i % 2 ? "3000" : "60000"}`);
const prepared = prepareSnapshot("csv", rows.join("\n"), "crash.csv");
const database = await openDatabase(target.startsWith("pglite:") ? { kind: "pglite", dataDir: target.slice("pglite:".length) } : { kind: "postgres", url: target });
process.stdout.write("writing\n");
const result = await writePreparedSnapshot(database, prepared, { label: "crash", activate: true, actor: "crash-test" });
process.stdout.write(`committed ${result.snapshotId}\n`);
await database.close();
process.exit(0);
