// Positions snapshot import: content of one format → PositionSnapshot + Account + Position rows,
// every amount stored as the exact decimal text it arrived as (NUMERIC(38,18) columns), then
// optionally activated (one active snapshot: partial unique index "PositionSnapshot_one_active").
//
// Bulk path: on PostgreSQL `COPY … FROM STDIN` (text format, copy-from.ts); on PGlite (one
// connection through pglite-socket) column arrays bound as text[] and expanded server-side with
// `INSERT … SELECT FROM unnest($n::text[], …)`, one statement per 50,000 rows. Both in one
// transaction. Numbers travel as text, so the server parses the venue's decimal strings itself:
// nothing passes through a float on the way in.
// Measured: BENCHMARKS.md "Snapshot import" (`npm run bench:import`).
import { RiskInputError, formatDecimal, parseDecimal, type Book } from "../../../lib/risk";
import { invalidInput } from "../../errors";
import type { Database } from "../../db";
import type { EventBus } from "../../bus";
import { parseSnapshotContent, snapshotFormats, type SnapshotFormat } from "./snapshot-formats";
import { copyFromStdin, copyText } from "./copy-from";
import type pg from "pg";

/** NUMERIC(38,18): 20 integer digits, 18 fractional (prisma/schema.prisma). */
const MAX_INTEGER_DIGITS = 20;
const MAX_FRACTION_DIGITS = 18;
/** Rows per INSERT statement: a few MB of array text, well inside a PostgreSQL message. */
const ROWS_PER_STATEMENT = 50_000;
/** Rows per CopyData message on PostgreSQL (~1 MB). */
const ROWS_PER_COPY_CHUNK = 10_000;

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

export type ImportSnapshotResult = {
  snapshotId: number;
  format: SnapshotFormat;
  label: string | null;
  accountCount: number;
  positionCount: number;
  markets: string[];
  active: boolean;
  /** Time spent writing rows (parse excluded). */
  writeMs: number;
};

/** Column arrays of a snapshot, amounts as canonical decimal text. */
export type SnapshotColumns = {
  accountIds: string[];
  accountModes: string[];
  accountCollateral: string[];
  positionAccountIds: string[];
  positionMarkets: string[];
  positionSizes: string[];
  positionEntryPrices: string[];
  positionMargins: (string | null)[];
  marks: Record<string, string | number>;
  insuranceFund: string;
};

/**
 * Canonical decimal text of an amount that must fit NUMERIC(38,18) without rounding: the exact
 * string when the input had one, else the double's shortest round-trip text (what JSON numbers are).
 */
function exactDecimal(exact: string | undefined, value: number, path: string): string {
  const text = exact ?? (Number.isFinite(value) ? String(value) : "");
  let canonical: string;
  const plain = /^([+-]?)(\d+)(?:\.(\d*))?$/.exec(text);
  if (plain) {
    // Fast path for plain decimals (what venues send): strip zeros without BigInt.
    const whole = plain[2].replace(/^0+(?=\d)/, "");
    const fraction = (plain[3] ?? "").replace(/0+$/, "");
    canonical = fraction ? `${whole}.${fraction}` : whole;
    if (plain[1] === "-" && canonical !== "0") canonical = `-${canonical}`;
  } else {
    try {
      canonical = formatDecimal(parseDecimal(text));
    } catch {
      throw new RiskInputError("snapshot", path, `expected a decimal number, got ${JSON.stringify(text)}`);
    }
  }
  const point = canonical.indexOf(".");
  const fractionDigits = point < 0 ? 0 : canonical.length - point - 1;
  const integerDigits = (point < 0 ? canonical : canonical.slice(0, point)).replace(/^-?0*/, "").length;
  if (fractionDigits > MAX_FRACTION_DIGITS) throw new RiskInputError("snapshot", path, `expected at most ${MAX_FRACTION_DIGITS} decimal places (stored exactly), got ${text}`);
  if (integerDigits > MAX_INTEGER_DIGITS) throw new RiskInputError("snapshot", path, `expected at most ${MAX_INTEGER_DIGITS} integer digits, got ${text}`);
  return canonical;
}

/** A parsed Book as column arrays of exact decimal text (checks ids are unique). */
export function snapshotColumns(book: Book, source: string): SnapshotColumns {
  const columns: SnapshotColumns = {
    accountIds: [],
    accountModes: [],
    accountCollateral: [],
    positionAccountIds: [],
    positionMarkets: [],
    positionSizes: [],
    positionEntryPrices: [],
    positionMargins: [],
    marks: {},
    insuranceFund: "0",
  };
  const seen = new Set<string>();
  const fail = (error: unknown): never => {
    if (error instanceof RiskInputError) throw new RiskInputError(source, error.path, error.reason);
    throw error;
  };
  try {
    for (const [market, mark] of Object.entries(book.marks)) {
      const exact = book.exact?.marks?.[market];
      columns.marks[market] = exact !== undefined ? exactDecimal(exact, mark, `marks[${JSON.stringify(market)}]`) : mark;
    }
    columns.insuranceFund = exactDecimal(book.exact?.insuranceFund, book.insuranceFund, "insuranceFund");
    book.accounts.forEach((account, a) => {
      const path = `accounts[${a}]`;
      if (seen.has(account.id)) throw new RiskInputError(source, `${path}.id`, `expected a unique account id, got ${JSON.stringify(account.id)} twice`);
      seen.add(account.id);
      columns.accountIds.push(account.id);
      columns.accountModes.push(account.mode);
      columns.accountCollateral.push(account.mode === "cross" ? exactDecimal(account.exact?.collateral, account.collateral, `${path}.collateral`) : "0");
      account.positions.forEach((position, p) => {
        const positionPath = `${path}.positions[${p}]`;
        columns.positionAccountIds.push(account.id);
        columns.positionMarkets.push(position.market);
        columns.positionSizes.push(exactDecimal(position.exact?.size, position.size, `${positionPath}.size`));
        columns.positionEntryPrices.push(exactDecimal(position.exact?.entryPrice, position.entryPrice, `${positionPath}.entryPrice`));
        columns.positionMargins.push(account.mode === "isolated" ? exactDecimal(position.exact?.margin, position.margin ?? 0, `${positionPath}.margin`) : null);
      });
    });
  } catch (error) {
    fail(error);
  }
  return columns;
}

/** Parses content of one format; bad input becomes AppError BAD_REQUEST with the field and reason. */
export function parseSnapshotOrRefuse(format: string, content: string, source: string): Book {
  if (!(snapshotFormats as readonly string[]).includes(format)) {
    throw invalidInput([{ path: "format", reason: `expected one of ${snapshotFormats.join(", ")}, got ${JSON.stringify(format)}` }]);
  }
  try {
    const book = parseSnapshotContent(format as SnapshotFormat, content, source);
    if (book.accounts.length === 0) throw new RiskInputError(source, "accounts", "expected at least one account, got none");
    return book;
  } catch (error) {
    if (error instanceof RiskInputError) throw invalidInput([{ path: error.path, reason: error.reason }]);
    throw error;
  }
}

export async function importSnapshot(database: Pick<Database, "pool" | "kind">, input: ImportSnapshotInput): Promise<ImportSnapshotResult> {
  const source = input.source ?? `${input.format === "csv" ? "positions.csv" : `${input.format}.json`}`;
  const book = parseSnapshotOrRefuse(input.format, input.content, source);
  let columns: SnapshotColumns;
  try {
    columns = snapshotColumns(book, source);
  } catch (error) {
    if (error instanceof RiskInputError) throw invalidInput([{ path: error.path, reason: error.reason }]);
    throw error;
  }
  const written = await writeSnapshot(database, { columns, source: input.format, label: input.label ?? null, activate: input.activate ?? false, actor: input.actor });
  if (written.active) input.bus?.publish("snapshot.activated", { snapshotId: written.snapshotId, at: Date.now() });
  return {
    snapshotId: written.snapshotId,
    format: input.format,
    label: input.label ?? null,
    accountCount: columns.accountIds.length,
    positionCount: columns.positionSizes.length,
    markets: Object.keys(columns.marks),
    active: written.active,
    writeMs: written.writeMs,
  };
}

/**
 * Writes a snapshot's rows in one transaction on one pooled connection (PGlite has only one, and
 * nothing slow is awaited while it is held). Activation happens in the same transaction.
 */
export async function writeSnapshot(
  database: Pick<Database, "pool" | "kind">,
  input: { columns: SnapshotColumns; source: string; label: string | null; activate: boolean; rowsPerStatement?: number; actor?: string },
): Promise<{ snapshotId: number; active: boolean; writeMs: number }> {
  const { columns } = input;
  const chunk = input.rowsPerStatement ?? ROWS_PER_STATEMENT;
  const started = performance.now();
  const client = await database.pool.connect();
  try {
    await client.query("BEGIN");
    const { rows } = await client.query<{ id: number }>(
      `INSERT INTO "PositionSnapshot" ("source", "label", "accountCount", "positionCount", "marks", "insuranceFund", "active")
       VALUES ($1, $2, $3, $4, $5, $6::numeric, false) RETURNING id`,
      [input.source, input.label, columns.accountIds.length, columns.positionSizes.length, JSON.stringify(columns.marks), columns.insuranceFund],
    );
    const snapshotId = rows[0].id;
    if (database.kind === "postgres" && !input.rowsPerStatement) await copyRows(client, snapshotId, columns);
    else await insertRows(client, snapshotId, columns, chunk);
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
    return { snapshotId, active: input.activate, writeMs: performance.now() - started };
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

type Client = pg.PoolClient;

/** PostgreSQL: COPY FROM STDIN in text format (the fastest bulk path; numbers parsed by the server). */
async function copyRows(client: Client, snapshotId: number, columns: SnapshotColumns): Promise<void> {
  const id = String(snapshotId);
  await copyFromStdin(client, `COPY "Account" ("snapshotId", "accountId", "mode", "collateral") FROM STDIN`, function* () {
    for (let start = 0; start < columns.accountIds.length; start += ROWS_PER_COPY_CHUNK) {
      let text = "";
      const end = Math.min(columns.accountIds.length, start + ROWS_PER_COPY_CHUNK);
      for (let i = start; i < end; i++) text += `${id}\t${copyText(columns.accountIds[i])}\t${columns.accountModes[i]}\t${columns.accountCollateral[i]}\n`;
      yield text;
    }
  });
  await copyFromStdin(client, `COPY "Position" ("snapshotId", "accountId", "market", "size", "entryPrice", "margin") FROM STDIN`, function* () {
    for (let start = 0; start < columns.positionSizes.length; start += ROWS_PER_COPY_CHUNK) {
      let text = "";
      const end = Math.min(columns.positionSizes.length, start + ROWS_PER_COPY_CHUNK);
      for (let i = start; i < end; i++) {
        const margin = columns.positionMargins[i];
        text += `${id}\t${copyText(columns.positionAccountIds[i])}\t${copyText(columns.positionMarkets[i])}\t${columns.positionSizes[i]}\t${columns.positionEntryPrices[i]}\t${margin === null ? "\\N" : margin}\n`;
      }
      yield text;
    }
  });
}

/** PGlite (and the fallback): column arrays expanded by unnest, one statement per chunk. */
async function insertRows(client: Client, snapshotId: number, columns: SnapshotColumns, chunk: number): Promise<void> {
  for (let start = 0; start < columns.accountIds.length; start += chunk) {
    const end = start + chunk;
    await client.query(
      `INSERT INTO "Account" ("snapshotId", "accountId", "mode", "collateral")
       SELECT $1, t.account, t.mode, t.collateral::numeric FROM unnest($2::text[], $3::text[], $4::text[]) AS t(account, mode, collateral)`,
      [snapshotId, columns.accountIds.slice(start, end), columns.accountModes.slice(start, end), columns.accountCollateral.slice(start, end)],
    );
  }
  for (let start = 0; start < columns.positionSizes.length; start += chunk) {
    const end = start + chunk;
    await client.query(
      `INSERT INTO "Position" ("snapshotId", "accountId", "market", "size", "entryPrice", "margin")
       SELECT $1, t.account, t.market, t.size::numeric, t.entry::numeric, t.margin::numeric
       FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[]) AS t(account, market, size, entry, margin)`,
      [
        snapshotId,
        columns.positionAccountIds.slice(start, end),
        columns.positionMarkets.slice(start, end),
        columns.positionSizes.slice(start, end),
        columns.positionEntryPrices.slice(start, end),
        columns.positionMargins.slice(start, end),
      ],
    );
  }
}
