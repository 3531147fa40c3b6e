// Bulk row statements for the alerting hot paths: every row of a batch travels as ONE jsonb
// parameter, unpacked by `jsonb_to_recordset` (PostgreSQL and PGlite alike). Measured on the webhook
// bench, Prisma's createMany spent most of the engine's CPU building per-row arguments; one text
// parameter costs the same for 1 or 500 rows.
// Timestamps are sent as ISO strings and stored as UTC in `timestamp(3)` columns, as Prisma does.
import { createHash } from "node:crypto";
import pg from "pg";
import type { PrismaClient } from "../../../generated/prisma/client";

export type ColumnType = "text" | "int" | "bigint" | "float8" | "jsonb" | "bool" | "timestamp";

function quoted(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** `jsonb_to_recordset($n::jsonb) AS alias(col type, …)` and the select expression of each column. */
export function recordset(columns: Record<string, ColumnType>, parameter: number, alias = "x") {
  const definition = Object.entries(columns)
    .map(([name, type]) => `${quoted(name)} ${type === "timestamp" ? "timestamptz" : type}`)
    .join(", ");
  const select = Object.fromEntries(
    Object.entries(columns).map(([name, type]) => [name, type === "timestamp" ? `(${alias}.${quoted(name)} AT TIME ZONE 'UTC')` : `${alias}.${quoted(name)}`]),
  );
  return { from: `jsonb_to_recordset($${parameter}::jsonb) AS ${alias}(${definition})`, select };
}

/** JSON text of the rows: Dates as ISO strings, bigints as decimal strings (jsonb has no bigint). */
export function rowsJson(rows: readonly Record<string, unknown>[]): string {
  return JSON.stringify(rows, (_key, value) => (typeof value === "bigint" ? value.toString() : value));
}

export function insertSql(table: string, columns: Record<string, ColumnType>, suffix = "", parameter = 1): string {
  const { from, select } = recordset(columns, parameter);
  const names = Object.keys(columns);
  return `INSERT INTO ${quoted(table)} (${names.map(quoted).join(", ")}) SELECT ${names.map((n) => select[n]).join(", ")} FROM ${from} ${suffix}`;
}

/** One SQL statement and its `$n` parameters. */
export type Statement = { text: string; values?: readonly unknown[] };

/**
 * A transaction whose statements travel in as few round trips as possible. `run` sends its
 * statements together and returns each statement's rows; `commit: true` ends the transaction in the
 * same round trip (nothing may run after it). The transaction begins with the first `run`.
 */
export type StatementTransaction = {
  run(statements: readonly Statement[], options?: { commit?: boolean }): Promise<unknown[][]>;
};

/**
 * Runs `work` in one transaction. On a plain `pg` pool (Database.pool) each `run` is ONE round trip:
 * the statements go as one simple-protocol query (PostgreSQL docs, "Multiple Statements in a Simple
 * Query"), with BEGIN in front of the first and COMMIT behind the last, parameters inlined as
 * dollar-quoted literals (`inlineParameters`). On the webhook bench each round trip cost a `writev`
 * syscall and a wake-up of the server process, which under CPU contention made the commit, not the
 * database work, the bulk of alert-to-delivery latency. Without a pool the statements run one by one
 * in a Prisma interactive transaction (same statements, same results).
 */
export async function inTransaction<T>(db: { pool?: PgPoolLike | null; prisma: PrismaClient }, work: (tx: StatementTransaction) => Promise<T>): Promise<T> {
  if (!db.pool) {
    return db.prisma.$transaction(
      (prismaTx) => {
        let committed = false;
        return work({
          async run(statements, options) {
            if (committed) throw new Error("statement after commit");
            const results: unknown[][] = [];
            for (const s of statements) results.push(await prismaTx.$queryRawUnsafe<unknown[]>(s.text, ...(s.values ?? [])));
            committed = options?.commit ?? false;
            return results;
          },
        });
      },
      { maxWait: 60_000, timeout: 60_000 },
    );
  }
  const client = await db.pool.connect();
  let state = "idle" as "idle" | "open" | "committed";
  const tx: StatementTransaction = {
    async run(statements, options) {
      if (state === "committed") throw new Error("statement after commit");
      if (state === "idle" && options?.commit && statements.length === 1) {
        // A lone statement is a transaction by itself: send it as a named prepared statement, so the
        // server parses and plans the engine's and the dispatcher's long CTEs once per connection
        // rather than per batch. Their row sources are jsonb_to_recordset parameters, whose row
        // estimate does not depend on the values, so the generic plan is the custom one.
        state = "committed";
        const [statement] = statements;
        const name = preparedName(statement.text);
        const result = await client.query({ ...(name ? { name } : {}), text: statement.text, values: [...(statement.values ?? [])], types: PRISMA_LIKE_TYPES });
        return [result.rows];
      }
      const texts = statements.map(inlineParameters);
      const leading = state === "idle" ? 1 : 0;
      if (leading) texts.unshift("BEGIN");
      if (options?.commit) texts.push("COMMIT");
      if (texts.length === 0) return [];
      state = "open";
      const result = (await client.query({ text: texts.join(";\n"), types: PRISMA_LIKE_TYPES })) as unknown as PgResult | PgResult[];
      if (options?.commit) state = "committed";
      const results = Array.isArray(result) ? result : [result];
      return results.slice(leading, leading + statements.length).map((r) => r.rows);
    },
  };
  try {
    const value = await work(tx);
    if (state === "open") await client.query("COMMIT");
    return value;
  } catch (error) {
    if (state === "open") await client.query("ROLLBACK").catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

/**
 * One statement outside any explicit transaction (atomic by itself), with results parsed as Prisma
 * does. Planned for its actual parameters every time (not prepared): the dispatcher's claim needs
 * that — prepared, its claims took 64 ms during a 36k-row backlog drain against 8–17 ms planned
 * per call.
 */
export async function queryPool<R>(pool: PgPoolLike, statement: Statement): Promise<R[]> {
  const client = await pool.connect();
  try {
    const result = await client.query({ text: statement.text, values: [...(statement.values ?? [])], types: PRISMA_LIKE_TYPES });
    return result.rows as R[];
  } finally {
    client.release();
  }
}

type PgResult = { rows: unknown[] };

const preparedNames = new Map<string, string>();
/** The hot paths have a handful of fixed texts; a caller building texts on the fly gets no names. */
const MAX_PREPARED = 64;

/** A stable name per statement text (pg prepares a name once per connection), or null past the cap. */
function preparedName(text: string): string | null {
  let name = preparedNames.get(text);
  if (!name) {
    if (preparedNames.size >= MAX_PREPARED) return null;
    name = `rw_${createHash("sha1").update(text).digest("hex").slice(0, 24)}`;
    preparedNames.set(text, name);
  }
  return name;
}

/**
 * The statement with each `$n` replaced by a literal, for the simple query protocol, which has no
 * parameters. Strings (jsonb text, ISO timestamps) become dollar-quoted literals (PostgreSQL docs,
 * "Dollar-Quoted String Constants": no escape processing inside), with a tag that does not occur in
 * the value, so no value can end the literal early. Casts in the SQL (`$1::jsonb`) stay as written.
 */
export function inlineParameters(statement: Statement): string {
  const values = statement.values ?? [];
  if (values.length === 0) return statement.text;
  return statement.text.replace(/\$(\d+)/g, (_match, digits: string) => {
    const index = Number(digits) - 1;
    if (index < 0 || index >= values.length) throw new Error(`statement uses $${digits} but has ${values.length} parameters`);
    return sqlLiteral(values[index]);
  });
}

function sqlLiteral(value: unknown): string {
  if (value === null || value === undefined) return "NULL";
  if (typeof value === "boolean") return value ? "TRUE" : "FALSE";
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new Error(`cannot inline the number ${value} as SQL`);
    return String(value);
  }
  const text = value instanceof Date ? value.toISOString() : typeof value === "string" ? value : null;
  if (text === null) throw new Error(`cannot inline a ${typeof value} parameter as SQL`);
  // A NUL would end the query string on the wire; PostgreSQL text cannot hold one anyway.
  if (text.includes("\u0000")) throw new Error("a text parameter contains a NUL character");
  for (let n = 0; ; n++) {
    const tag = n === 0 ? "$rw$" : `$rw${n}$`;
    // The first occurrence of the closing tag must be the one we append (a value ending in "$rw"
    // would otherwise close early).
    if ((text + tag).indexOf(tag) === text.length) return `${tag}${text}${tag}`;
  }
}

export type PgPoolLike = {
  connect(): Promise<{
    query(config: string | { name?: string; text: string; values?: unknown[]; types?: unknown }): Promise<{ rows: unknown[]; rowCount: number | null }>;
    release(): void;
  }>;
};

const INT8_OID = 20;
const TIMESTAMP_OID = 1114;
const TIMESTAMPTZ_OID = 1184;
const JSON_OID = 114;
const JSONB_OID = 3802;
const PRISMA_LIKE_TYPES = {
  getTypeParser(oid: number) {
    switch (oid) {
      case INT8_OID:
        return (value: string) => BigInt(value);
      case TIMESTAMP_OID:
        return (value: string) => new Date(`${value.replace(" ", "T")}Z`);
      case TIMESTAMPTZ_OID:
        return (value: string) => new Date(value);
      case JSON_OID:
      case JSONB_OID:
        return (value: string) => JSON.parse(value) as unknown;
      default:
        return pg.types.getTypeParser(oid); // float8 → number, bool → boolean, text → string

    }
  },
};
