// Bulk row statements for the alerting hot paths: every row of a batch travels as ONE jsonb
// parameter, unpacked by `jsonb_to_recordset` (PostgreSQL and PGlite alike). Measured on the webhook
// bench, Prisma's createMany spent most of the engine's CPU building per-row arguments; one text
// parameter costs the same for 1 or 500 rows.
// Timestamps are sent as ISO strings and stored as UTC in `timestamp(3)` columns, as Prisma does.
import pg from "pg";

export type ColumnType = "text" | "int" | "bigint" | "float8" | "jsonb" | "bool" | "timestamp";

export type RawRunner = {
  $executeRawUnsafe(query: string, ...values: unknown[]): Promise<number>;
  $queryRawUnsafe<T = unknown>(query: string, ...values: unknown[]): Promise<T>;
};

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

export function insertSql(table: string, columns: Record<string, ColumnType>, suffix = ""): string {
  const { from, select } = recordset(columns, 1);
  const names = Object.keys(columns);
  return `INSERT INTO ${quoted(table)} (${names.map(quoted).join(", ")}) SELECT ${names.map((n) => select[n]).join(", ")} FROM ${from} ${suffix}`;
}

/** Inserts rows in one statement; returns the number inserted. */
export async function insertRows(db: RawRunner, table: string, columns: Record<string, ColumnType>, rows: readonly Record<string, unknown>[], suffix = ""): Promise<number> {
  if (rows.length === 0) return 0;
  return db.$executeRawUnsafe(insertSql(table, columns, suffix), rowsJson(rows));
}

/**
 * A transaction on a plain `pg` connection with the same two raw methods as a Prisma client. The
 * alerting engine uses it for its batch transaction: a Prisma interactive transaction added most of
 * the commit latency in the webhook bench. Results are parsed as Prisma returns them: int8 as
 * bigint, `timestamp` (stored UTC) as Date, json/jsonb parsed.
 */
export async function withPgTransaction<T>(pool: PgPoolLike, work: (runner: RawRunner) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  const runner: RawRunner = {
    async $executeRawUnsafe(query, ...values) {
      const result = await client.query({ text: query, values, types: PRISMA_LIKE_TYPES });
      return result.rowCount ?? 0;
    },
    async $queryRawUnsafe<R>(query: string, ...values: unknown[]) {
      const result = await client.query({ text: query, values, types: PRISMA_LIKE_TYPES });
      return result.rows as R;
    },
  };
  try {
    await client.query("BEGIN");
    const value = await work(runner);
    await client.query("COMMIT");
    return value;
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

export type PgPoolLike = {
  connect(): Promise<{
    query(config: string | { text: string; values?: unknown[]; types?: unknown }): Promise<{ rows: unknown[]; rowCount: number | null }>;
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
