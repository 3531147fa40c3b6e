// Integration-test databases: every `*.integration.test.ts` runs against the embedded PGlite and,
// when TEST_DATABASE_URL points at a PostgreSQL server, against a fresh database created there.
//   describe.each(testDatabaseKinds())("thing (%s)", (kind) => { … const db = await openTestDatabase(kind) … })
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import pg from "pg";
import { openDatabase, type Database } from "../db";

export type TestDatabaseKind = "pglite" | "postgres";

export function testDatabaseKinds(): TestDatabaseKind[] {
  return process.env.TEST_DATABASE_URL ? ["pglite", "postgres"] : ["pglite"];
}

export type TestDatabase = Database & { dispose(): Promise<void>; target: { kind: "pglite"; dataDir: string } | { kind: "postgres"; url: string } };

function withDatabaseName(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}

/** A migrated, empty database of the given kind; `dispose()` closes and deletes it. */
export async function openTestDatabase(kind: TestDatabaseKind): Promise<TestDatabase> {
  if (kind === "pglite") {
    const dir = await mkdtemp(path.join(os.tmpdir(), "riskwarden-test-"));
    const target = { kind: "pglite" as const, dataDir: path.join(dir, "pglite") };
    const database = await openDatabase(target);
    return Object.assign(database, {
      target,
      async dispose() {
        await database.close();
        await rm(dir, { recursive: true, force: true });
      },
    });
  }
  const serverUrl = process.env.TEST_DATABASE_URL;
  if (!serverUrl) throw new Error("TEST_DATABASE_URL is not set");
  const name = `rw_test_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const target = { kind: "postgres" as const, url: withDatabaseName(serverUrl, name) };
  const database = await openDatabase(target);
  return Object.assign(database, {
    target,
    async dispose() {
      await database.close();
      const cleanup = new pg.Client({ connectionString: serverUrl });
      await cleanup.connect();
      await cleanup.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await cleanup.end();
    },
  });
}
