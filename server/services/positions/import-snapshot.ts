// Positions snapshot import: content of one format → PositionSnapshot + Account + Position rows,
// every amount stored as the exact decimal text it arrived as (NUMERIC(38,18) columns), then
// optionally activated (one active snapshot: partial unique index "PositionSnapshot_one_active").
//
// Two steps, so the CLI can refuse a bad file before it opens the database:
// - `prepareSnapshot`: parse and validate into column arrays of decimal text. CSV is read straight
//   into columns (lib/risk `readPositionsCsv`, no object per row, limits checked per cell so
//   errors name line and column); the JSON formats go through their lib/risk Book.
// - `writeSnapshot`: one transaction. Each snapshot has its own partition of "Account" and
//   "Position" (migration 20261125140000_position_snapshot_partitions): the rows go into a new
//   plain table without indexes or foreign keys, which is then attached as the snapshot's
//   partition, so PostgreSQL builds the indexes in bulk and checks the foreign key with one join
//   instead of per row. Rows travel by `COPY … FROM STDIN (FREEZE)` on PostgreSQL (copy-from.ts;
//   FREEZE, allowed because the table was created in this transaction, writes the rows already
//   frozen, so neither hint bits nor a later anti-wraparound VACUUM rewrite a million rows' pages;
//   no effect on the import's own time was measurable) and by `INSERT … SELECT FROM
//   unnest($n::text[], …)` on PGlite, whose socket server cannot take COPY FROM STDIN. Numbers
//   travel as text, so the server parses the decimal strings itself: nothing passes through a
//   float on the way in.
// All-or-nothing: a failure or a crash anywhere before COMMIT leaves neither the snapshot row nor
// its tables, and the previous snapshot stays active; once COMMIT returns the new one is durable
// and active. synchronous_commit stays as configured (on by default): turning it off for the
// import would save only the final WAL flush (activation + COMMIT took 2–6 ms for 1M positions) while a
// server crash right after a reported success could lose the snapshot.
// Measured: BENCHMARKS.md "Snapshot import" (`npm run bench:import`).
import { RiskInputError, decimalLimitProblem, formatDecimal, parseDecimal, plainDecimalFit, readPositionsCsv, type Book, type DecimalLimits, type PositionsCsvTable } from "../../../lib/risk";
import { invalidInput } from "../../errors";
import type { Database } from "../../db";
import type { EventBus } from "../../bus";
import { parseSnapshotContent, snapshotFormats, type SnapshotFormat } from "./snapshot-formats";
import { copyFromStdin, copyText } from "./copy-from";
import type pg from "pg";

/** NUMERIC(38,18): 20 integer digits, 18 fractional (prisma/schema.prisma). */
export const numericLimits: DecimalLimits = { maxIntegerDigits: 20, maxFractionDigits: 18 };
/** Rows per INSERT statement on PGlite: a few MB of array text, well inside a PostgreSQL message. */
const ROWS_PER_STATEMENT = 50_000;
/** Rows per CopyData message on PostgreSQL (~0.5 MB). */
const ROWS_PER_COPY_CHUNK = 10_000;
/**
 * Transaction-scoped advisory lock taken by every import: attaching a partition locks the parent
 * tables, their DEFAULT partitions and (for the foreign key) "PositionSnapshot", which two imports
 * running side by side would otherwise take in opposite orders. Imports run one at a time.
 */
const IMPORT_LOCK_KEY = 0x52574931; // "RWI1"

export type ImportSnapshotInput = {
  format: SnapshotFormat;
  content: string;
  label?: string | null;
  activate?: boolean;
  /** Name used in error messages (the CLI passes the file path). */
  source?: string;
  /** Publishes `snapshot.activated` after the commit when activating. */
  bus?: EventBus;
  /** Who imported (address, or "cli"): recorded in the audit log with the snapshot. */
  actor?: string;
};

/** Milliseconds per phase of one import (BENCHMARKS.md lists them for 1M positions). */
export type ImportTimings = {
  /** Parse and validate (one pass for CSV; JSON.parse + importer + column checks for the JSON formats). */
  parseMs: number;
  /** Transaction start, advisory lock, snapshot row, the two new tables. */
  prepareTablesMs: number;
  /** Building COPY text / INSERT arrays on the client (overlaps the transfer). */
  rowTextMs: number;
  /** COPY / INSERT statements end to end (includes rowTextMs, the transfer and the server's parse). */
  rowsMs: number;
  /** ATTACH PARTITION: bulk index builds, foreign key and partition checks. */
  attachMs: number;
  /** Activation, audit row, COMMIT. */
  activateCommitMs: number;
  /** Whole write transaction. */
  writeMs: number;
};

export type ImportSnapshotResult = {
  snapshotId: number;
  format: SnapshotFormat;
  label: string | null;
  accountCount: number;
  positionCount: number;
  markets: string[];
  active: boolean;
  /** Things worth knowing that did not stop the import (e.g. markets the risk engine will leave out). */
  warnings: string[];
  /** Time spent writing rows (parse excluded). */
  writeMs: number;
  timings: ImportTimings;
};

/**
 * A snapshot as column arrays, every amount as decimal text that fits NUMERIC(38,18) exactly
 * (checked), ready to be written as it is.
 */
export type SnapshotColumns = {
  accountIds: string[];
  accountIsolated: Uint8Array;
  /** "0" for isolated accounts. */
  accountCollateral: string[];
  /** Index into the account columns. */
  positionAccount: Int32Array;
  positionMarkets: string[];
  positionSizes: string[];
  positionEntryPrices: string[];
  /** "" for cross positions (stored as NULL). */
  positionMargins: string[];
  marks: Record<string, string | number>;
  insuranceFund: string;
};

export type PreparedSnapshot = { format: SnapshotFormat; columns: SnapshotColumns; parseMs: number };

/**
 * Canonical decimal text of an amount that must fit NUMERIC(38,18) without rounding: the exact
 * string when the input had one, else the double's shortest round-trip text (what JSON numbers are).
 */
function exactDecimal(exact: string | undefined, value: number, path: string): string {
  const text = exact ?? (Number.isFinite(value) ? String(value) : "");
  let canonical: string;
  if (plainDecimalFit(text) !== null) {
    // Fast path for plain decimals (what venues send): strip zeros without BigInt.
    const negative = text.charCodeAt(0) === 45;
    const unsigned = text.charCodeAt(0) === 45 || text.charCodeAt(0) === 43 ? text.slice(1) : text;
    const point = unsigned.indexOf(".");
    const whole = (point < 0 ? unsigned : unsigned.slice(0, point)).replace(/^0+(?=\d)/, "") || "0";
    const fraction = point < 0 ? "" : unsigned.slice(point + 1).replace(/0+$/, "");
    canonical = fraction ? `${whole}.${fraction}` : whole;
    if (negative && canonical !== "0") canonical = `-${canonical}`;
  } else {
    try {
      canonical = formatDecimal(parseDecimal(text));
    } catch {
      throw new RiskInputError("snapshot", path, `expected a decimal number, got ${JSON.stringify(text)}`);
    }
  }
  const problem = decimalLimitProblem(text, numericLimits);
  if (problem) throw new RiskInputError("snapshot", path, problem);
  return canonical;
}

/** PostgreSQL text cannot hold U+0000 (a JSON string can: "\u0000"). */
function refuseNul(value: string, path: string, what: string): void {
  if (value.includes("\u0000")) throw new RiskInputError("snapshot", path, `expected ${what} without NUL characters (PostgreSQL text cannot store them), got ${JSON.stringify(value)}`);
}

/** A parsed Book as column arrays of exact decimal text (checks ids are unique and storable). */
export function snapshotColumns(book: Book, source: string): SnapshotColumns {
  const positionTotal = book.accounts.reduce((sum, account) => sum + account.positions.length, 0);
  const columns: SnapshotColumns = {
    accountIds: [],
    accountIsolated: new Uint8Array(book.accounts.length),
    accountCollateral: [],
    positionAccount: new Int32Array(positionTotal),
    positionMarkets: [],
    positionSizes: [],
    positionEntryPrices: [],
    positionMargins: [],
    marks: {},
    insuranceFund: "0",
  };
  const seen = new Set<string>();
  try {
    for (const [market, mark] of Object.entries(book.marks)) {
      const exact = book.exact?.marks?.[market];
      columns.marks[market] = exact !== undefined ? exactDecimal(exact, mark, `marks[${JSON.stringify(market)}]`) : mark;
    }
    columns.insuranceFund = exactDecimal(book.exact?.insuranceFund, book.insuranceFund, "insuranceFund");
    let p = 0;
    book.accounts.forEach((account, a) => {
      const path = `accounts[${a}]`;
      if (seen.has(account.id)) throw new RiskInputError(source, `${path}.id`, `expected a unique account id, got ${JSON.stringify(account.id)} twice`);
      seen.add(account.id);
      refuseNul(account.id, `${path}.id`, "an account id");
      columns.accountIds.push(account.id);
      columns.accountIsolated[a] = account.mode === "isolated" ? 1 : 0;
      columns.accountCollateral.push(account.mode === "cross" ? exactDecimal(account.exact?.collateral, account.collateral, `${path}.collateral`) : "0");
      account.positions.forEach((position, index) => {
        const positionPath = `${path}.positions[${index}]`;
        columns.positionAccount[p++] = a;
        refuseNul(position.market, `${positionPath}.market`, "a market");
        columns.positionMarkets.push(position.market);
        columns.positionSizes.push(exactDecimal(position.exact?.size, position.size, `${positionPath}.size`));
        columns.positionEntryPrices.push(exactDecimal(position.exact?.entryPrice, position.entryPrice, `${positionPath}.entryPrice`));
        columns.positionMargins.push(account.mode === "isolated" ? exactDecimal(position.exact?.margin, position.margin ?? 0, `${positionPath}.margin`) : "");
      });
    });
  } catch (error) {
    if (error instanceof RiskInputError) throw new RiskInputError(source, error.path, error.reason);
    throw error;
  }
  return columns;
}

/** A CSV read by lib/risk `readPositionsCsv` (amounts already checked against NUMERIC(38,18)). */
function csvColumns(table: PositionsCsvTable): SnapshotColumns {
  const marks: Record<string, string> = {};
  for (const [market, text] of Object.entries(table.exactMarks)) marks[market] = exactDecimal(text, table.marks[market], `marks[${JSON.stringify(market)}]`);
  return {
    accountIds: table.accountIds,
    accountIsolated: table.accountIsolated,
    accountCollateral: table.accountCollateralText,
    positionAccount: table.positionAccount,
    positionMarkets: table.positionMarket,
    positionSizes: table.positionSizeText,
    positionEntryPrices: table.positionEntryPriceText,
    positionMargins: table.positionMarginText,
    marks,
    insuranceFund: "0",
  };
}

/** Parses and validates content of one format; bad input becomes AppError BAD_REQUEST with the field and reason. */
export function prepareSnapshot(format: string, content: string, source: string): PreparedSnapshot {
  if (!(snapshotFormats as readonly string[]).includes(format)) {
    throw invalidInput([{ path: "format", reason: `expected one of ${snapshotFormats.join(", ")}, got ${JSON.stringify(format)}` }]);
  }
  const started = performance.now();
  // A byte order mark (spreadsheet exports) is not part of the first header name or JSON value.
  const text = content.charCodeAt(0) === 0xfeff ? content.slice(1) : content;
  try {
    if (format === "csv") {
      const nul = text.indexOf("\u0000");
      if (nul >= 0) throw new RiskInputError(source, `line ${text.slice(0, nul).split("\n").length}`, "expected text without NUL characters (PostgreSQL text cannot store them), got a NUL byte");
    }
    const columns = format === "csv" ? csvColumns(readPositionsCsv(text, source, { decimalLimits: numericLimits })) : snapshotColumns(parseSnapshotContent(format as SnapshotFormat, text, source), source);
    if (columns.accountIds.length === 0) throw new RiskInputError(source, "accounts", "expected at least one account, got none");
    return { format: format as SnapshotFormat, columns, parseMs: performance.now() - started };
  } catch (error) {
    if (error instanceof RiskInputError) throw invalidInput([{ path: error.path, reason: error.reason }]);
    throw error;
  }
}

export async function importSnapshot(database: Pick<Database, "pool" | "kind">, input: ImportSnapshotInput): Promise<ImportSnapshotResult> {
  const source = input.source ?? `${input.format === "csv" ? "positions.csv" : `${input.format}.json`}`;
  const prepared = prepareSnapshot(input.format, input.content, source);
  return writePreparedSnapshot(database, prepared, input);
}

/** Writes what `prepareSnapshot` returned; publishes `snapshot.activated` after the commit when activating. */
export async function writePreparedSnapshot(
  database: Pick<Database, "pool" | "kind">,
  prepared: PreparedSnapshot,
  input: Pick<ImportSnapshotInput, "label" | "activate" | "bus" | "actor">,
): Promise<ImportSnapshotResult> {
  const { columns } = prepared;
  const written = await writeSnapshot(database, { columns, source: prepared.format, label: input.label ?? null, activate: input.activate ?? false, actor: input.actor });
  if (written.active) input.bus?.publish("snapshot.activated", { snapshotId: written.snapshotId, at: Date.now() });
  return {
    snapshotId: written.snapshotId,
    format: prepared.format,
    label: input.label ?? null,
    accountCount: columns.accountIds.length,
    positionCount: columns.positionSizes.length,
    markets: Object.keys(columns.marks),
    active: written.active,
    warnings: await ungovernedMarketWarnings(database, columns),
    writeMs: written.timings.writeMs,
    timings: { ...written.timings, parseMs: prepared.parseMs },
  };
}

/** Markets of the snapshot without active parameters: the risk engine leaves their positions out. */
async function ungovernedMarketWarnings(database: Pick<Database, "pool">, columns: SnapshotColumns): Promise<string[]> {
  const { rows } = await database.pool.query<{ marketId: string }>(`SELECT DISTINCT "marketId" FROM "ParameterSet" WHERE active`);
  const governed = new Set(rows.map((row) => row.marketId));
  const counts = new Map<string, number>();
  for (const market of columns.positionMarkets) if (!governed.has(market)) counts.set(market, (counts.get(market) ?? 0) + 1);
  return [...counts]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([market, count]) => `${market}: no active risk parameters, so its ${count === 1 ? "1 position is" : `${count} positions are`} left out of margin, previews and stress`);
}

/**
 * Writes a snapshot's rows in one transaction on one pooled connection (PGlite has only one, and
 * nothing slow is awaited while it is held). Activation happens in the same transaction.
 */
export async function writeSnapshot(
  database: Pick<Database, "pool" | "kind">,
  input: { columns: SnapshotColumns; source: string; label: string | null; activate: boolean; actor?: string },
): Promise<{ snapshotId: number; active: boolean; timings: Omit<ImportTimings, "parseMs"> }> {
  const { columns } = input;
  const started = performance.now();
  const client = await database.pool.connect();
  try {
    await client.query("BEGIN");
    await client.query("SELECT pg_advisory_xact_lock($1)", [IMPORT_LOCK_KEY]);
    const { rows } = await client.query<{ id: number }>(
      `INSERT INTO "PositionSnapshot" ("source", "label", "accountCount", "positionCount", "marks", "insuranceFund", "active")
       VALUES ($1, $2, $3, $4, $5, $6::numeric, false) RETURNING id`,
      [input.source, input.label, columns.accountIds.length, columns.positionSizes.length, JSON.stringify(columns.marks), columns.insuranceFund],
    );
    const snapshotId = rows[0].id;
    // Named like the migration names the partitions of older snapshots; ids are integers.
    const accountTable = `"Account_s${snapshotId}"`;
    const positionTable = `"Position_s${snapshotId}"`;
    await client.query(`CREATE TABLE ${accountTable} (LIKE "Account" INCLUDING DEFAULTS)`);
    await client.query(`CREATE TABLE ${positionTable} (LIKE "Position" INCLUDING DEFAULTS)`);
    const tablesReady = performance.now();
    const rowText = database.kind === "postgres" ? await copyRows(client, snapshotId, columns, accountTable, positionTable) : await insertRows(client, snapshotId, columns, accountTable, positionTable);
    const rowsDone = performance.now();
    await client.query(`ALTER TABLE "Account" ATTACH PARTITION ${accountTable} FOR VALUES IN (${snapshotId})`);
    await client.query(`ALTER TABLE "Position" ATTACH PARTITION ${positionTable} FOR VALUES IN (${snapshotId})`);
    const attached = performance.now();
    if (input.activate) {
      await client.query(`UPDATE "PositionSnapshot" SET "active" = false WHERE "active" AND id <> $1`, [snapshotId]);
      await client.query(`UPDATE "PositionSnapshot" SET "active" = true WHERE id = $1`, [snapshotId]);
    }
    if (input.actor) {
      await client.query(`INSERT INTO "AuditLog" ("actor", "action", "target", "details") VALUES ($1, 'snapshot.import', $2, $3)`, [
        input.actor,
        `snapshot:${snapshotId}`,
        JSON.stringify({ format: input.source, label: input.label, accounts: columns.accountIds.length, positions: columns.positionSizes.length, activated: input.activate }),
      ]);
    }
    await client.query("COMMIT");
    const finished = performance.now();
    return {
      snapshotId,
      active: input.activate,
      timings: {
        prepareTablesMs: tablesReady - started,
        rowTextMs: rowText,
        rowsMs: rowsDone - tablesReady,
        attachMs: attached - rowsDone,
        activateCommitMs: finished - attached,
        writeMs: finished - started,
      },
    };
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

type Client = pg.PoolClient;

/** Account ids as COPY text fields (escaped once per account, not once per position). */
function copyAccountFields(columns: SnapshotColumns): string[] {
  return columns.accountIds.map(copyText);
}

/**
 * PostgreSQL: COPY FROM STDIN in text format into the new tables (FREEZE: created in this
 * transaction). Returns the milliseconds spent building the text.
 */
async function copyRows(client: Client, snapshotId: number, columns: SnapshotColumns, accountTable: string, positionTable: string): Promise<number> {
  const id = String(snapshotId);
  let buildMs = 0;
  const accountFields = copyAccountFields(columns);
  const accountCount = columns.accountIds.length;
  await copyFromStdin(client, `COPY ${accountTable} ("snapshotId", "accountId", "mode", "collateral") FROM STDIN WITH (FREEZE)`, function* () {
    for (let start = 0; start < accountCount; start += ROWS_PER_COPY_CHUNK) {
      const began = performance.now();
      let text = "";
      const end = Math.min(accountCount, start + ROWS_PER_COPY_CHUNK);
      for (let a = start; a < end; a++) text += `${id}\t${accountFields[a]}\t${columns.accountIsolated[a] === 1 ? "isolated" : "cross"}\t${columns.accountCollateral[a]}\n`;
      buildMs += performance.now() - began;
      yield text;
    }
  });
  const marketFields = new Map<string, string>();
  const positionCount = columns.positionSizes.length;
  await copyFromStdin(client, `COPY ${positionTable} ("snapshotId", "accountId", "market", "size", "entryPrice", "margin") FROM STDIN WITH (FREEZE)`, function* () {
    for (let start = 0; start < positionCount; start += ROWS_PER_COPY_CHUNK) {
      const began = performance.now();
      let text = "";
      const end = Math.min(positionCount, start + ROWS_PER_COPY_CHUNK);
      for (let p = start; p < end; p++) {
        const market = columns.positionMarkets[p];
        let marketField = marketFields.get(market);
        if (marketField === undefined) marketFields.set(market, (marketField = copyText(market)));
        const margin = columns.positionMargins[p];
        // Amounts are validated decimal text: nothing in them needs COPY escaping.
        text += `${id}\t${accountFields[columns.positionAccount[p]]}\t${marketField}\t${columns.positionSizes[p]}\t${columns.positionEntryPrices[p]}\t${margin === "" ? "\\N" : margin}\n`;
      }
      buildMs += performance.now() - began;
      yield text;
    }
  });
  return buildMs;
}

/** PGlite: column arrays expanded by unnest, one statement per chunk. Returns the milliseconds spent building arrays. */
async function insertRows(client: Client, snapshotId: number, columns: SnapshotColumns, accountTable: string, positionTable: string): Promise<number> {
  let buildMs = 0;
  const accountCount = columns.accountIds.length;
  for (let start = 0; start < accountCount; start += ROWS_PER_STATEMENT) {
    const began = performance.now();
    const end = Math.min(accountCount, start + ROWS_PER_STATEMENT);
    const modes: string[] = [];
    for (let a = start; a < end; a++) modes.push(columns.accountIsolated[a] === 1 ? "isolated" : "cross");
    const values = [snapshotId, columns.accountIds.slice(start, end), modes, columns.accountCollateral.slice(start, end)];
    buildMs += performance.now() - began;
    await client.query(
      `INSERT INTO ${accountTable} ("snapshotId", "accountId", "mode", "collateral")
       SELECT $1, t.account, t.mode, t.collateral::numeric FROM unnest($2::text[], $3::text[], $4::text[]) AS t(account, mode, collateral)`,
      values,
    );
  }
  const positionCount = columns.positionSizes.length;
  for (let start = 0; start < positionCount; start += ROWS_PER_STATEMENT) {
    const began = performance.now();
    const end = Math.min(positionCount, start + ROWS_PER_STATEMENT);
    const accounts: string[] = [];
    const margins: (string | null)[] = [];
    for (let p = start; p < end; p++) {
      accounts.push(columns.accountIds[columns.positionAccount[p]]);
      margins.push(columns.positionMargins[p] === "" ? null : columns.positionMargins[p]);
    }
    const values = [snapshotId, accounts, columns.positionMarkets.slice(start, end), columns.positionSizes.slice(start, end), columns.positionEntryPrices.slice(start, end), margins];
    buildMs += performance.now() - began;
    await client.query(
      `INSERT INTO ${positionTable} ("snapshotId", "accountId", "market", "size", "entryPrice", "margin")
       SELECT $1, t.account, t.market, t.size::numeric, t.entry::numeric, t.margin::numeric
       FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[]) AS t(account, market, size, entry, margin)`,
      values,
    );
  }
  return buildMs;
}
