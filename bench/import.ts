// Snapshot import benchmark (`npm run bench:import`): 1,000,000 positions in 400,000 accounts over
// 50 markets (bench/risk/generate.ts's seeded book) written as a positions CSV with decimal
// strings, then imported into a fresh PostgreSQL database by the same code path as the API and
// `riskwarden import` (server/services/positions/import-snapshot.ts), and loaded back into the
// risk engine's in-memory book.
//
//   BENCH_DATABASE_URL  PostgreSQL server (default postgres://postgres@127.0.0.1:5432/postgres); a
//                       database rw_bench_<random> is created there and dropped afterwards.
//   BENCH_POSITIONS     positions (default 1,000,000; accounts = 40 %)
//   BENCH_FORMAT        csv (default) or book (BOOK.json with decimal strings)
//   BENCH_PGLITE=1      also import BENCH_PGLITE_POSITIONS (default 100,000) into a fresh PGlite.
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import pg from "pg";
import { generateBook } from "./risk/generate";
import { importBookJson, importPositionsCsv } from "../lib/risk";
import { openDatabase, type Database } from "../server/db";
import { snapshotColumns, writeSnapshot } from "../server/services/positions/import-snapshot";
import { loadSnapshot } from "../server/services/positions/snapshots";
import { RiskBook } from "../server/services/risk/risk-book";

const serverUrl = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const positionCount = Number(process.env.BENCH_POSITIONS ?? 1_000_000);

function decimalText(value: number, significant: number): string {
  // Venue-like decimal strings (no exponent): round to `significant` digits, print plainly.
  const rounded = Number(value.toPrecision(significant));
  const text = String(rounded);
  return text.includes("e") ? rounded.toFixed(12).replace(/0+$/, "").replace(/\.$/, "") : text;
}

const format = process.env.BENCH_FORMAT === "book" ? "book" : "csv";

function contentFor(positions: number): { text: string; accounts: number; markets: string[] } {
  const accounts = Math.round(positions * 0.4);
  const book = generateBook({ positions, accounts, markets: 50, seed: 20261125 });
  const lines = ["account,mode,collateral,market,size,entryPrice,margin,mark"];
  const markText = book.marketNames.map((_, m) => decimalText(book.marks[m], 8));
  if (format === "book") {
    const bookAccounts = [];
    for (let a = 0; a < accounts; a++) {
      const isolated = book.accountIsolated[a] === 1;
      const positionsOfAccount = [];
      for (let p = book.accountPositionStart[a]; p < book.accountPositionStart[a + 1]; p++) {
        const position: Record<string, string> = { market: book.marketNames[book.positionMarket[p]], size: decimalText(book.positionSize[p], 10), entryPrice: decimalText(book.positionEntryPrice[p], 10) };
        if (isolated) position.margin = decimalText(book.positionMargin[p], 12);
        positionsOfAccount.push(position);
      }
      bookAccounts.push(isolated ? { id: book.accountIds[a], mode: "isolated", positions: positionsOfAccount } : { id: book.accountIds[a], mode: "cross", collateral: decimalText(book.accountCollateral[a], 12), positions: positionsOfAccount });
    }
    const marks = Object.fromEntries(book.marketNames.map((name, m) => [name, markText[m]]));
    return { text: JSON.stringify({ marks, accounts: bookAccounts, insuranceFund: "2500000" }), accounts, markets: book.marketNames };
  }
  for (let a = 0; a < accounts; a++) {
    const isolated = book.accountIsolated[a] === 1;
    const collateral = isolated ? "" : decimalText(book.accountCollateral[a], 12);
    for (let p = book.accountPositionStart[a]; p < book.accountPositionStart[a + 1]; p++) {
      const m = book.positionMarket[p];
      lines.push(
        `${book.accountIds[a]},${isolated ? "isolated" : "cross"},${collateral},${book.marketNames[m]},${decimalText(book.positionSize[p], 10)},${decimalText(book.positionEntryPrice[p], 10)},${isolated ? decimalText(book.positionMargin[p], 12) : ""},${markText[m]}`,
      );
    }
  }
  return { text: lines.join("\n"), accounts, markets: book.marketNames };
}

async function timed<T>(label: string, work: () => Promise<T> | T): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await work();
  const ms = performance.now() - started;
  console.log(`  ${label.padEnd(44)} ${ms.toFixed(0).padStart(7)} ms`);
  return { value, ms };
}

/** Generate, parse and write; everything large goes out of scope when this returns. */
async function importPhase(database: Database, positions: number) {
  const { value: generated } = await timed(`generate ${format} text (not part of the import)`, () => contentFor(positions));
  console.log(`  ${format}: ${(generated.text.length / 1e6).toFixed(1)} MB, ${generated.accounts.toLocaleString("en-US")} accounts`);
  const parse = await timed(`parse ${format} (lib/risk importer, exact decimals kept)`, () =>
    format === "book" ? importBookJson(generated.text, "bench.json") : importPositionsCsv(generated.text, "bench.csv"),
  );
  const columns = await timed("columns of canonical decimal text", () => snapshotColumns(parse.value, "bench.csv"));
  const write = await timed(`write rows (${database.kind === "postgres" ? "COPY FROM STDIN" : "unnest batches"}, one transaction)`, () =>
    writeSnapshot(database, { columns: columns.value, source: "csv", label: "bench", activate: true }),
  );
  return { snapshotId: write.value.snapshotId, markets: generated.markets, expected: columns.value.positionSizes.length, parseMs: parse.ms, columnsMs: columns.ms, writeMs: write.ms };
}

async function run(database: Database, positions: number, label: string) {
  console.log(`\n${label}: ${positions.toLocaleString("en-US")} positions, format ${format}`);
  const imported = await importPhase(database, positions);
  (globalThis as { gc?: () => void }).gc?.();
  const stored = await database.pool.query(`SELECT count(*)::int AS n, sum(size)::text AS total FROM "Position" WHERE "snapshotId" = $1`, [imported.snapshotId]);
  if (stored.rows[0].n !== imported.expected) throw new Error(`stored ${stored.rows[0].n} positions, expected ${imported.expected}`);
  const load = await timed("load active snapshot into column arrays", () => loadSnapshot(database));
  const book = new RiskBook();
  book.setSnapshot(load.value);
  const params = Object.fromEntries(imported.markets.map((market) => [market, { initialMarginFraction: 0.1, maintenanceMarginFraction: 0.05 }]));
  book.setParams(params, {});
  const build = await timed("build columnar book + margin state", () => book.marginSummary());
  // The proposal editor's case: one parameter of one market changes, the rest of the state is reused.
  const firstMarket = imported.markets[0];
  const lastMarket = imported.markets[imported.markets.length - 1];
  for (const [market, what] of [[firstMarket, "largest"], [firstMarket, "largest, again"], [lastMarket, "smallest"]]) {
    await timed(`preview: ${market} MMF 5 % → 6 % (${what} market)`, () => book.preview({ markets: { [market]: { initialMarginFraction: 0.1, maintenanceMarginFraction: 0.06 } } }));
  }
  await timed("stress: −10 % on every market (cascade)", () => book.stress(-0.1));
  const importMs = imported.parseMs + imported.columnsMs + imported.writeMs;
  console.log(`  heap used ${(process.memoryUsage().heapUsed / 1e6).toFixed(0)} MB, typed arrays of the book ${(book.status().typedArrayBytes / 1e6).toFixed(0)} MB`);
  console.log(`  → import total (parse + write): ${(importMs / 1000).toFixed(2)} s; write alone ${(imported.writeMs / 1000).toFixed(2)} s = ${Math.round(positions / (imported.writeMs / 1000)).toLocaleString("en-US")} positions/s`);
  console.log(`  → rows verified: ${stored.rows[0].n.toLocaleString("en-US")} positions, Σ size = ${stored.rows[0].total}; liquidatable accounts ${build.value.totals.liquidatable.toLocaleString("en-US")}`);
}

async function main() {
  const name = `rw_bench_${randomBytes(5).toString("hex")}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const database = await openDatabase({ kind: "postgres", url: url.toString() });
  try {
    await run(database, positionCount, `PostgreSQL (${url.host})`);
  } finally {
    await database.close();
    const cleanup = new pg.Client({ connectionString: serverUrl });
    await cleanup.connect();
    await cleanup.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await cleanup.end();
  }
  if (process.env.BENCH_PGLITE === "1") {
    const dir = await mkdtemp(path.join(os.tmpdir(), "rw-bench-pglite-"));
    const embedded = await openDatabase({ kind: "pglite", dataDir: path.join(dir, "pglite") });
    try {
      await run(embedded, Number(process.env.BENCH_PGLITE_POSITIONS ?? 100_000), "PGlite (embedded, one connection)");
    } finally {
      await embedded.close();
      await rm(dir, { recursive: true, force: true });
    }
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
