// Database factory: the embedded PGlite (default) or PostgreSQL, through one Prisma schema, one set of
// migrations and one driver (@prisma/adapter-pg). PGlite is served on 127.0.0.1 by pglite-socket so
// the app speaks the PostgreSQL wire protocol to both (DESIGN.md, "Embedded default").
import { mkdir } from "node:fs/promises";
import path from "node:path";
import pg from "pg";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "../generated/prisma/client";
import type { DatabaseTarget } from "./env";
import { applyMigrations, readMigrations, type MigrationReport, type SqlRunner } from "./db/migrate";

export type Db = PrismaClient;
/** An interactive transaction client, as services receive it. */
export type Tx = Parameters<Parameters<PrismaClient["$transaction"]>[0]>[0];

export type Database = {
  kind: "pglite" | "postgres";
  prisma: PrismaClient;
  /** Raw SQL on the same pool (bulk COPY/INSERT, health). For PGlite this is the one connection. */
  pool: pg.Pool;
  sql: SqlRunner;
  migrations: MigrationReport;
  /** Where PGlite is served, for the Prisma CLI while the app runs (`prisma migrate status`). */
  connectionString: string;
  close(): Promise<void>;
};

export const migrationsDirectory = path.join(process.cwd(), "prisma", "migrations");

// NUMERIC arrives as a string (exact), int8 as a string unless small: keep pg's defaults for NUMERIC so
// decimals never pass through a float on the way out of the database.

function poolRunner(pool: pg.Pool): SqlRunner {
  return {
    async query(sql, params) {
      const result = await pool.query(sql, params as unknown[] | undefined);
      return result.rows;
    },
    async exec(sql) {
      await pool.query(sql);
    },
  };
}

async function openPglite(dataDir: string) {
  const { PGlite } = await import("@electric-sql/pglite");
  const { PGLiteSocketServer } = await import("@electric-sql/pglite-socket");
  // PGlite does not create parent directories of its data dir (DESIGN.md).
  await mkdir(path.dirname(path.resolve(dataDir)), { recursive: true });
  const pglite = await PGlite.create(path.resolve(dataDir));
  // The pool below uses one connection at a time; the server admits a few so that a replacement
  // connection (pg-pool discards a client after some errors) is not refused while the old socket
  // is still being torn down ("Too many connections" → "Connection terminated unexpectedly").
  const server = new PGLiteSocketServer({ db: pglite, port: 0, host: "127.0.0.1", maxConnections: 4, debug: process.env.RISKWARDEN_PGLITE_DEBUG === "1" });
  await server.start();
  const connectionString = `postgresql://postgres@${server.getServerConn()}/postgres?sslmode=disable`;
  return { pglite, server, connectionString };
}

export async function openDatabase(target: DatabaseTarget, options: { migrate?: boolean } = {}): Promise<Database> {
  let connectionString: string;
  let closeEmbedded = async () => {};
  let poolSize: number;
  if (target.kind === "pglite") {
    const embedded = await openPglite(target.dataDir);
    connectionString = embedded.connectionString;
    // PGlite is a single session: one connection, so transactions of different callers never interleave.
    poolSize = 1;
    closeEmbedded = async () => {
      await embedded.server.stop();
      await embedded.pglite.close();
    };
  } else {
    connectionString = target.url;
    poolSize = 10;
  }
  const pool = new pg.Pool({ connectionString, max: poolSize, idleTimeoutMillis: 0 });
  // An idle client error (e.g. the server restarted) must not crash the process; the pool reconnects.
  pool.on("error", (error) => console.error(`[db] idle connection error: ${error.message}`));
  const sql = poolRunner(pool);
  let migrations: MigrationReport = { applied: [], alreadyApplied: 0 };
  if (options.migrate !== false) {
    migrations = await applyMigrations(sql, await readMigrations(migrationsDirectory));
  }
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  return {
    kind: target.kind,
    prisma,
    pool,
    sql,
    migrations,
    connectionString,
    async close() {
      await prisma.$disconnect();
      await pool.end().catch(() => {});
      await closeEmbedded();
    },
  };
}
