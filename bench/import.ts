// Snapshot import benchmark (`npm run bench:import`): 1,000,000 positions in 400,000 accounts over
// 50 markets (bench/risk/generate.ts's seeded book) written to a positions CSV file with decimal
// strings, then imported end to end the way `riskwarden import --activate` does it (read the file,
// parse and validate, write in one transaction: server/services/positions/import-snapshot.ts) into
// a fresh PostgreSQL database, and loaded back into the risk engine's in-memory book the way the
// running app does after `snapshot.activated` (loadSnapshot + RiskBook). Prints every phase.
//
//   BENCH_DATABASE_URL  PostgreSQL server (default postgres://postgres@127.0.0.1:5432/postgres); a
//                       database rw_bench_<random> is created there and dropped afterwards.
//   BENCH_POSITIONS     positions (default 1,000,000; accounts = 40 %)
//   BENCH_FORMAT        csv (default) or book (BOOK.json with decimal strings)
//   BENCH_PGLITE=1      also import BENCH_PGLITE_POSITIONS (default: BENCH_POSITIONS) into a fresh PGlite.
//   BENCH_SKIP_POSTGRES=1  PGlite only.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import pg from "pg";
import { generateBook } from "./risk/generate";
import { openDatabase, type Database } from "../server/db";
import { prepareSnapshot, writePreparedSnapshot } from "../server/services/positions/import-snapshot";
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

function line(label: string, ms: number, note = ""): void {
  console.log(`  ${label.padEnd(66)} ${ms.toFixed(0).padStart(7)} ms${note ? `  ${note}` : ""}`);
}

async function run(database: Database, file: string, expected: { positions: number; markets: string[] }, label: string) {
  console.log(`\n${label}: ${expected.positions.toLocaleString("en-US")} positions, format ${format}, load average ${os.loadavg().map((x) => x.toFixed(2)).join(" ")}`);
  const started = performance.now();
  const content = await readFile(file, "utf8");
  const readMs = performance.now() - started;
  const prepared = prepareSnapshot(format, content, path.basename(file));
  const imported = await writePreparedSnapshot(database, prepared, { label: "bench", activate: true, actor: "bench" });
  const importMs = performance.now() - started;
  const loadStarted = performance.now();
  const loaded = await loadSnapshot(database);
  const loadMs = performance.now() - loadStarted;
  const book = new RiskBook();
  const buildStarted = performance.now();
  book.setSnapshot(loaded);
  const params = Object.fromEntries(expected.markets.map((market) => [market, { initialMarginFraction: 0.1, maintenanceMarginFraction: 0.05 }]));
  book.setParams(params, {});
  const summary = book.marginSummary();
  const buildMs = performance.now() - buildStarted;
  const endToEndMs = performance.now() - started;
  const t = imported.timings;
  line("read file", readMs, `${(content.length / 1e6).toFixed(1)} MB`);
  line(`parse + validate (${format === "csv" ? "readPositionsCsv, NUMERIC(38,18) limits per cell" : "JSON.parse + importBookJson + column checks"})`, t.parseMs);
  line("BEGIN, lock, snapshot row, CREATE TABLE × 2", t.prepareTablesMs);
  line(`rows: ${database.kind === "postgres" ? "COPY … FROM STDIN (FREEZE) × 2" : "INSERT … SELECT unnest, 50k rows each"}`, t.rowsMs, `of which building the text/arrays on the client ${t.rowTextMs.toFixed(0)} ms`);
  line("ATTACH PARTITION × 2 (bulk index builds, FK + partition checks)", t.attachMs);
  line("activate + audit row + COMMIT", t.activateCommitMs);
  line("= import (read → committed)", importMs, `write ${t.writeMs.toFixed(0)} ms = ${Math.round(expected.positions / (t.writeMs / 1000)).toLocaleString("en-US")} positions/s`);
  line("load the active snapshot (COPY TO STDOUT → column arrays)", loadMs);
  line("build the columnar book + margin state", buildMs);
  line("= end to end (read → book ready)", endToEndMs);
  (globalThis as { gc?: () => void }).gc?.();
  const stored = await database.pool.query(`SELECT count(*)::int AS n, sum(size)::text AS total FROM "Position" WHERE "snapshotId" = $1`, [imported.snapshotId]);
  if (stored.rows[0].n !== expected.positions || loaded?.positionSize.length !== expected.positions) throw new Error(`stored ${stored.rows[0].n} positions, loaded ${loaded?.positionSize.length}, expected ${expected.positions}`);
  const firstMarket = expected.markets[0];
  const lastMarket = expected.markets[expected.markets.length - 1];
  const started2 = performance.now();
  book.preview({ markets: { [firstMarket]: { initialMarginFraction: 0.1, maintenanceMarginFraction: 0.06 } } });
  line(`preview: ${firstMarket} MMF 5 % → 6 % (largest market, not part of the import)`, performance.now() - started2);
  const started3 = performance.now();
  book.preview({ markets: { [lastMarket]: { initialMarginFraction: 0.1, maintenanceMarginFraction: 0.06 } } });
  line(`preview: ${lastMarket} MMF 5 % → 6 % (smallest market)`, performance.now() - started3);
  console.log(`  → rows verified: ${stored.rows[0].n.toLocaleString("en-US")} positions, Σ size = ${stored.rows[0].total}; liquidatable accounts ${summary.totals.liquidatable.toLocaleString("en-US")}`);
  const round = (x: number) => Math.round(x);
  console.log(
    JSON.stringify({
      bench: "import",
      database: database.kind,
      format,
      positions: expected.positions,
      readMs: round(readMs),
      parseMs: round(t.parseMs),
      prepareTablesMs: round(t.prepareTablesMs),
      rowsMs: round(t.rowsMs),
      rowTextMs: round(t.rowTextMs),
      attachMs: round(t.attachMs),
      activateCommitMs: round(t.activateCommitMs),
      importMs: round(importMs),
      loadMs: round(loadMs),
      buildMs: round(buildMs),
      endToEndMs: round(endToEndMs),
      loadAverage1m: +os.loadavg()[0].toFixed(2),
    }),
  );
}

async function main() {
  const dir = await mkdtemp(path.join(os.tmpdir(), "rw-bench-import-"));
  try {
    const generateStarted = performance.now();
    const generated = contentFor(positionCount);
    const file = path.join(dir, format === "csv" ? "positions.csv" : "BOOK.json");
    await writeFile(file, generated.text);
    console.log(`generated ${file}: ${(generated.text.length / 1e6).toFixed(1)} MB, ${positionCount.toLocaleString("en-US")} positions, ${generated.accounts.toLocaleString("en-US")} accounts (${Math.round(performance.now() - generateStarted)} ms, not part of the import)`);
    const markets = generated.markets;
    if (process.env.BENCH_SKIP_POSTGRES !== "1") {
      const name = `rw_bench_${randomBytes(5).toString("hex")}`;
      const admin = new pg.Client({ connectionString: serverUrl });
      await admin.connect();
      await admin.query(`CREATE DATABASE "${name}"`);
      await admin.end();
      const url = new URL(serverUrl);
      url.pathname = `/${name}`;
      const database = await openDatabase({ kind: "postgres", url: url.toString() });
      try {
        await run(database, file, { positions: positionCount, markets }, `PostgreSQL (${url.host})`);
      } finally {
        await database.close();
        const cleanup = new pg.Client({ connectionString: serverUrl });
        await cleanup.connect();
        await cleanup.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
        await cleanup.end();
      }
    }
    if (process.env.BENCH_PGLITE === "1" || process.env.BENCH_SKIP_POSTGRES === "1") {
      const embeddedPositions = Number(process.env.BENCH_PGLITE_POSITIONS ?? positionCount);
      let embeddedFile = file;
      if (embeddedPositions !== positionCount) {
        embeddedFile = path.join(dir, `embedded-${path.basename(file)}`);
        await writeFile(embeddedFile, contentFor(embeddedPositions).text);
      }
      const embedded = await openDatabase({ kind: "pglite", dataDir: path.join(dir, "pglite") });
      try {
        await run(embedded, embeddedFile, { positions: embeddedPositions, markets }, "PGlite (embedded, one connection)");
      } finally {
        await embedded.close();
      }
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
