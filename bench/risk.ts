// `npm run bench:risk` — the risk engine against DuckDB and PostgreSQL on the same preview.
//
// Generates a seeded book (default 1,000,000 positions / 400,000 accounts / 50 markets, see
// bench/risk/generate.ts), then times the same preview — current vs proposed parameters, summary
// plus a 21-point uniform shock grid (−50 %…+50 % step 5 %) — three ways:
//   engine:   lib/risk (columnar book, per-unit coefficients), from parameters to totals;
//   duckdb:   @duckdb/node-api in memory, bench/risk/sql.ts;
//   postgres: 127.0.0.1:5432 (user postgres), own database riskwarden_bench_<pid>, rows loaded with
//             COPY, dropped at the end.
// Checks that all three agree (counts exactly, sums within 1e-9 relative) and prints one JSON line
// on stdout; details go to stderr. Medians of ≥5 runs after warm-up.
// Options: --positions N --accounts N --markets N --seed N --runs N --skip-postgres --skip-duckdb
import { mkdtempSync, rmSync, writeFileSync, chmodSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { buildColumnarFromArrays, columnarByteLength, type ColumnarBook } from "../lib/risk/columnar";
import { createMarginState, releaseMarginState, updateMarginState, type MarginState } from "../lib/risk/state";
import { riskThreadStats } from "../lib/risk/parallel";
import { previewImpact, previewTotals, shockRange } from "../lib/risk/preview";
import { runCascade } from "../lib/risk/stress";
import { benchParams, generateBook } from "./risk/generate";
import { createTablesSql, parameterRows, previewSqlDirect, previewSqlOptimised, toPreviewRows, type SqlPreviewRow } from "./risk/sql";

function option(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? Number(process.argv[index + 1]) : fallback;
}
const flag = (name: string) => process.argv.includes(`--${name}`);
const log = (...parts: unknown[]) => process.stderr.write(`${parts.map(String).join(" ")}\n`);

const spec = { positions: option("positions", 1_000_000), accounts: option("accounts", 400_000), markets: option("markets", 50), seed: option("seed", 20251125) };
const runs = Math.max(5, option("runs", 7));
const shocks = shockRange(-0.5, 0.5, 0.05);
const zeroShockId = shocks.indexOf(0);
// --sql direct: the straightforward position × shock form; default: the hand-optimised form.
const sqlForm = process.argv.includes("direct") ? "direct" : "optimised";
const previewSql = (zero: number) => (sqlForm === "direct" ? previewSqlDirect(zero) : previewSqlOptimised(zero));
const postgresRuns = Math.max(5, option("postgres-runs", 5));

function median(values: number[]): number {
  const sorted = values.slice().sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

async function timeRuns<T>(label: string, warmups: number, count: number, work: () => T | Promise<T>, collect: "between runs" | "before the series" = "between runs"): Promise<{ ms: number; all: number[]; result: T }> {
  let result!: T;
  const gc = (globalThis as { gc?: () => void }).gc;
  if (collect === "before the series") gc?.();
  for (let i = 0; i < warmups; i++) result = await work();
  const all: number[] = [];
  for (let i = 0; i < count; i++) {
    // Collect the previous runs' garbage outside the timing (as mitata and benchmark.js do), so a
    // run is not charged for a collection its predecessors caused; its own allocations still count.
    if (collect === "between runs") gc?.();
    const start = performance.now();
    result = await work();
    all.push(performance.now() - start);
    if (all[all.length - 1] > 2000) log(`  ${label}: run ${i + 1}/${count} ${all[all.length - 1].toFixed(0)} ms`);
  }
  const ms = median(all);
  log(`${label}: median ${ms.toFixed(2)} ms over ${count} runs [${all.map((x) => x.toFixed(1)).join(", ")}]`);
  return { ms, all, result };
}

/** Engine answer in the SQL row shape. */
function engineRows(totals: ReturnType<typeof previewTotals>): SqlPreviewRow[] {
  const rows: SqlPreviewRow[] = [];
  (["current", "proposed"] as const).forEach((key, setId) => {
    const grid = totals.grid[key];
    shocks.forEach((_, shockId) => rows.push({ setId, shockId, liquidatable: grid.liquidatable[shockId], shortfall: grid.shortfall[shockId], notionalAtRisk: grid.notionalAtRisk[shockId] }));
  });
  rows.push({ setId: -1, shockId: zeroShockId, liquidatable: totals.newlyLiquidatable, shortfall: totals.noLongerLiquidatable, notionalAtRisk: 0 });
  return rows;
}

function compare(label: string, expected: SqlPreviewRow[], actual: SqlPreviewRow[]): string[] {
  const problems: string[] = [];
  const key = (row: SqlPreviewRow) => `${row.setId}/${row.shockId}`;
  const byKey = new Map(actual.map((row) => [key(row), row]));
  if (actual.length !== expected.length) problems.push(`${label}: ${actual.length} rows, expected ${expected.length}`);
  const relative = (a: number, b: number) => (a === b ? 0 : Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b)));
  for (const row of expected) {
    const other = byKey.get(key(row));
    if (!other) {
      problems.push(`${label}: missing row ${key(row)}`);
      continue;
    }
    if (other.liquidatable !== row.liquidatable) problems.push(`${label} ${key(row)}: count ${other.liquidatable} vs engine ${row.liquidatable}`);
    if (row.setId === -1) {
      if (other.shortfall !== row.shortfall) problems.push(`${label} ${key(row)}: no-longer count ${other.shortfall} vs engine ${row.shortfall}`);
      continue;
    }
    if (relative(other.shortfall, row.shortfall) > 1e-9) problems.push(`${label} ${key(row)}: shortfall ${other.shortfall} vs engine ${row.shortfall}`);
    if (relative(other.notionalAtRisk, row.notionalAtRisk) > 1e-9) problems.push(`${label} ${key(row)}: notional ${other.notionalAtRisk} vs engine ${row.notionalAtRisk}`);
  }
  return problems;
}

/** CSV files of the book, readable by the PostgreSQL server process (server-side COPY). */
function writeCsv(book: ColumnarBook, paramRows: { tiers: string[]; volFloor: string[] }): { dir: string; files: Record<string, string> } {
  const dir = mkdtempSync(path.join(tmpdir(), "riskwarden-bench-"));
  chmodSync(dir, 0o755);
  const files: Record<string, string> = {};
  const write = (name: string, header: string, lines: string[]) => {
    const file = path.join(dir, `${name}.csv`);
    writeFileSync(file, `${header}\n${lines.join("\n")}\n`);
    chmodSync(file, 0o644);
    files[name] = file;
  };
  const accounts: string[] = new Array(book.accountIds.length);
  for (let a = 0; a < book.accountIds.length; a++) accounts[a] = `${a},${book.accountIsolated[a]},${book.accountCollateral[a]}`;
  write("accounts", "account_id,isolated,collateral", accounts);
  const positions: string[] = new Array(book.positionMarket.length);
  for (let a = 0; a < book.accountIds.length; a++) {
    for (let p = book.accountPositionStart[a]; p < book.accountPositionStart[a + 1]; p++) {
      // String(double) is the shortest text that parses back to the same double.
      positions[p] = `${p},${a},${book.positionMarket[p]},${book.positionSize[p]},${book.positionEntryPrice[p]},${book.positionMargin[p]}`;
    }
  }
  write("positions", "position_id,account_id,market,size,entry,margin", positions);
  write("marks", "market,mark", Array.from(book.marks, (mark, m) => `${m},${mark}`));
  write("tiers", "set_id,market,tier_no,notional_floor,mmf", paramRows.tiers);
  write("vol_floor", "set_id,market,z,annual_vol,horizon_hours", paramRows.volFloor);
  write("shocks", "shock_id,f", shocks.map((f, k) => `${k},${f}`));
  return { dir, files };
}

async function runDuckDb(files: Record<string, string>): Promise<{ ms: number; rows: SqlPreviewRow[]; all: number[] }> {
  const { DuckDBInstance } = await import("@duckdb/node-api");
  const instance = await DuckDBInstance.create(":memory:", { threads: "2" });
  const connection = await instance.connect();
  for (const statement of createTablesSql) await connection.run(statement);
  for (const [table, file] of Object.entries(files)) await connection.run(`COPY ${table} FROM '${file}' (FORMAT csv, HEADER true)`);
  const sql = previewSql(zeroShockId);
  const timed = await timeRuns("duckdb preview", 1, runs, async () => toPreviewRows((await connection.runAndReadAll(sql)).getRows() as unknown[][]));
  connection.closeSync();
  return { ms: timed.ms, rows: timed.result, all: timed.all };
}

async function runPostgres(files: Record<string, string>): Promise<{ ms: number; rows: SqlPreviewRow[]; all: number[] }> {
  const { default: pg } = await import("pg");
  const database = `riskwarden_bench_${process.pid}`;
  const admin = new pg.Client({ host: "127.0.0.1", port: 5432, user: "postgres", database: "postgres" });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${database}`);
  const client = new pg.Client({ host: "127.0.0.1", port: 5432, user: "postgres", database });
  try {
    await client.connect();
    for (const statement of createTablesSql) await client.query(statement);
    for (const [table, file] of Object.entries(files)) await client.query(`COPY ${table} FROM '${file}' WITH (FORMAT csv, HEADER true)`);
    await client.query("ANALYZE");
    // Give the planner the memory the query needs (hash aggregates over ~25M groups) and both cores.
    await client.query("SET work_mem = '4GB'");
    await client.query("SET max_parallel_workers_per_gather = 2");
    const sql = previewSql(zeroShockId);
    const timed = await timeRuns("postgres preview", 1, postgresRuns, async () => toPreviewRows((await client.query({ text: sql, rowMode: "array" })).rows));
    return { ms: timed.ms, rows: timed.result, all: timed.all };
  } finally {
    await client.end().catch(() => undefined);
    await admin.query(`DROP DATABASE IF EXISTS ${database}`);
    await admin.end();
  }
}

async function main(): Promise<void> {
  log(`machine: ${process.platform} ${process.arch}, node ${process.version}, ${new Date().toISOString()}`);
  log(`book: ${spec.positions} positions, ${spec.accounts} accounts, ${spec.markets} markets, seed ${spec.seed}`);
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const memoryBefore = process.memoryUsage();
  const input = generateBook(spec);
  const book = buildColumnarFromArrays(input);
  gc?.();
  const memoryAfter = process.memoryUsage();
  const bookTypedArrayBytes = columnarByteLength(book);
  const bookHeapBytes = memoryAfter.heapUsed + memoryAfter.arrayBuffers - (memoryBefore.heapUsed + memoryBefore.arrayBuffers);
  log(`book memory: typed arrays ${(bookTypedArrayBytes / 1e6).toFixed(1)} MB, heap+arrayBuffers delta ${(bookHeapBytes / 1e6).toFixed(1)} MB (gc ${gc ? "forced" : "not exposed"}), units ${book.unitAccount.length}`);
  const { current, proposed, oneEdit } = benchParams(book.marketNames);

  // Engine, from parameter sets to totals (both states built each run, on two threads when the
  // worker is up: lib/risk/parallel.ts). The states go back to the engine's array pool at the end of
  // the run, as the server does with a draft's state once its preview is out, so a run leaves almost
  // no garbage and the series collects once before it (a forced full collection between runs
  // added 5–25 ms of noise: 56–77 ms medians against 51–65, BENCHMARKS.md).
  const engine = await timeRuns("engine preview (both sets from scratch)", 2, runs, () => {
    const currentState = createMarginState(book, current);
    const proposedState = createMarginState(book, proposed);
    const totals = previewTotals(currentState, proposedState, shocks);
    releaseMarginState(currentState);
    releaseMarginState(proposedState);
    return totals;
  }, "before the series");
  const threads = riskThreadStats();
  log(`engine threads: ${threads.parallelPasses} passes on two threads, ${threads.singlePasses} on one (worker ${threads.workerAvailable ? "up" : "unavailable"})`);
  // The server keeps the current set's state: a draft preview then only builds the proposal's.
  const currentState = createMarginState(book, current);
  previewTotals(currentState, currentState, shocks);
  const warm = await timeRuns("engine preview (current state cached)", 2, runs, () => previewTotals(currentState, updateMarginState(currentState, proposed), shocks));
  let proposedState: MarginState = updateMarginState(currentState, proposed);
  previewTotals(currentState, proposedState, shocks);
  const full = await timeRuns("engine full preview (accounts, histogram, markets, liquidation-price shifts, top, grid)", 1, runs, () =>
    previewImpact(book, currentState, proposedState, { shocks, accountLimit: 100 }),
  );
  const edit = await timeRuns("engine re-preview after a one-parameter edit (update + totals)", 1, runs, () => {
    const edited = updateMarginState(proposedState, oneEdit);
    return previewTotals(currentState, edited, shocks);
  });
  const editFull = await timeRuns("engine full re-preview after a one-parameter edit", 1, runs, () => previewImpact(book, currentState, updateMarginState(proposedState, oneEdit), { shocks, accountLimit: 100 }));
  proposedState = updateMarginState(currentState, proposed);
  // The cascade allocates little (~15 MB of short-lived numbers a run, minor collections only), and
  // a forced full collection between its runs costs it ~25 %: V8 then re-optimises its queue
  // functions on every run (--trace-opt: LookAgainQueues.insert optimised 25 times in 9 runs with
  // gc() between them, twice without). A server never forces one, so this series collects once,
  // before it. Three warm-up cascades: V8 settles its ~20 functions' optimised code over the first
  // few (--trace-opt), and the first timed runs were still 10–25 % slower with one.
  const cascade = await timeRuns("cascade stress −10 % uniform", 3, runs, () => runCascade(book, current, -0.1, { accountListLimit: 0 }), "before the series");
  log(`cascade: ${cascade.result.waves.length} waves, ${cascade.result.liquidatedAccounts} accounts, notional ${cascade.result.liquidatedNotional.toExponential(4)}, bad debt ${cascade.result.badDebt.toExponential(4)}, ADL ${cascade.result.autoDeleverageNeeded.toExponential(4)}`);
  log(`preview: newly ${engine.result.newlyLiquidatable}, no longer ${engine.result.noLongerLiquidatable}, liquidatable ${engine.result.liquidatable.current} -> ${engine.result.liquidatable.proposed}`);

  const expected = engineRows(engine.result);
  const { dir, files } = writeCsv(book, parameterRows(book.marketNames, [current, proposed]));
  const problems: string[] = [];
  let duckdbMs: number | null = null;
  let postgresMs: number | null = null;
  try {
    if (!flag("skip-duckdb")) {
      const duck = await runDuckDb(files);
      duckdbMs = duck.ms;
      problems.push(...compare("duckdb", expected, duck.rows));
    }
    if (!flag("skip-postgres")) {
      const postgres = await runPostgres(files);
      postgresMs = postgres.ms;
      problems.push(...compare("postgres", expected, postgres.rows));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  for (const problem of problems.slice(0, 20)) log(`DISAGREE ${problem}`);
  const round = (x: number | null) => (x === null ? null : Math.round(x * 100) / 100);
  const line = {
    positions: spec.positions,
    accounts: spec.accounts,
    markets: spec.markets,
    shocks: shocks.length,
    sql: sqlForm,
    engineMs: round(engine.ms),
    engineThreads: threads.parallelPasses > 0 ? 2 : 1,
    engineWarmMs: round(warm.ms),
    engineFullPreviewMs: round(full.ms),
    reviewAfterEditMs: round(edit.ms),
    reviewAfterEditFullMs: round(editFull.ms),
    cascadeMs: round(cascade.ms),
    duckdbMs: round(duckdbMs),
    postgresMs: round(postgresMs),
    duckdbOverEngine: duckdbMs === null ? null : round(duckdbMs / engine.ms),
    postgresOverEngine: postgresMs === null ? null : round(postgresMs / engine.ms),
    bookMemoryMB: round(bookHeapBytes / 1e6),
    agree: problems.length === 0,
  };
  process.stdout.write(`${JSON.stringify(line)}\n`);
  if (problems.length > 0) process.exitCode = 1;
}

await main();
