// All-or-nothing across a crash: an importing process is killed with SIGKILL (kill -9) in the middle
// of its write transaction. Afterwards the database must hold no trace of the new snapshot (no row,
// no partition table) and the previous snapshot must still be the active one; the next import works.
import { spawn } from "node:child_process";
import { rm } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { openDatabase, type Database } from "../../db";
import { openTestDatabase, testDatabaseKinds } from "../../testing/databases";
import { importSnapshot } from "./import-snapshot";
import { loadSnapshot } from "./snapshots";

async function waitFor(condition: () => Promise<boolean> | boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function snapshotState(database: Database) {
  const snapshots = await database.pool.query<{ id: number; active: boolean }>(`SELECT id, active FROM "PositionSnapshot" ORDER BY id`);
  const tables = await database.pool.query<{ relname: string }>(`SELECT relname FROM pg_class WHERE relname LIKE 'Position_s%' OR relname LIKE 'Account_s%' ORDER BY relname`);
  return { snapshots: snapshots.rows, tables: tables.rows.map((row) => row.relname).filter((name) => !name.includes("_pkey") && !name.includes("_idx")) };
}

describe.each(testDatabaseKinds())("snapshot import killed with SIGKILL mid-write (%s)", (kind) => {
  it("leaves the previous snapshot active and nothing of the new one", { timeout: 180_000 }, async () => {
    const database = await openTestDatabase(kind);
    const previous = await importSnapshot(database, { format: "csv", content: "account,market,size,entryPrice,mark\nkeep,ETH-USD,1.5,3000,3000\n", activate: true });
    const before = await snapshotState(database);
    const targetText = database.target.kind === "pglite" ? `pglite:${database.target.dataDir}` : database.target.url;
    // PGlite is one process's directory: hand it over to the child.
    if (database.target.kind === "pglite") await database.close();

    const child = spawn(process.execPath, ["--import", "tsx", path.join(import.meta.dirname, "import-snapshot-crash-child.ts")], {
      cwd: process.cwd(),
      env: { ...process.env, RW_CRASH_DATABASE: targetText, RW_CRASH_POSITIONS: kind === "postgres" ? "400000" : "200000" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const output: string[] = [];
    child.stdout.on("data", (data: Buffer) => output.push(data.toString()));
    child.stderr.on("data", (data: Buffer) => output.push(data.toString()));
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    await waitFor(() => output.join("").includes("writing"), "the child to start writing");
    if (database.target.kind === "postgres") {
      // Kill while the positions COPY is running on the server.
      await waitFor(async () => (await database.pool.query(`SELECT 1 FROM pg_stat_activity WHERE query LIKE 'COPY "Position_s%' AND state = 'active'`)).rowCount! > 0, "the positions COPY");
    } else {
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
    expect(output.join(""), "killed before the commit").not.toContain("committed");
    child.kill("SIGKILL");
    expect(await exited).toBeNull();

    const after = database.target.kind === "pglite" ? await openDatabase(database.target) : database;
    if (database.target.kind === "postgres") {
      // The server rolls back once it notices the client is gone.
      await waitFor(async () => (await after.pool.query(`SELECT 1 FROM pg_stat_activity WHERE query LIKE 'COPY "Position_s%'`)).rowCount === 0, "the killed session to end");
    }
    expect(await snapshotState(after)).toEqual(before);
    expect((await loadSnapshot(after))?.snapshotId).toBe(previous.snapshotId);
    // The advisory lock died with the session: the next import goes through.
    const next = await importSnapshot(after, { format: "csv", content: "account,market,size,entryPrice,mark\nnext,ETH-USD,2,3000,3000\n", activate: true });
    expect((await loadSnapshot(after))?.snapshotId).toBe(next.snapshotId);

    if (database.target.kind === "pglite") {
      await after.close();
      await rm(path.dirname(database.target.dataDir), { recursive: true, force: true });
    } else {
      await database.dispose();
    }
  });
});
