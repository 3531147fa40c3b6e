// `riskwarden import` as a black box: the real bin, a real database, exit codes and the stderr line.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import pg from "pg";
import { openDatabase } from "../db";
import { testDatabaseKinds } from "../testing/databases";

const root = path.resolve(import.meta.dirname, "..", "..");

function riskwarden(args: string[], databaseUrl: string) {
  const result = spawnSync(process.execPath, [path.join(root, "bin", "riskwarden.mjs"), ...args], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: databaseUrl },
    encoding: "utf8",
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe.each(testDatabaseKinds())("riskwarden import (%s)", (kind) => {
  let dir: string;
  let databaseUrl: string;
  let dropDatabase = async () => {};
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "riskwarden-import-"));
    if (kind === "pglite") databaseUrl = `pglite:${path.join(dir, "pglite")}`;
    else {
      const name = `rw_cli_${randomBytes(6).toString("hex")}`;
      const admin = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
      await admin.connect();
      await admin.query(`CREATE DATABASE "${name}"`);
      await admin.end();
      const url = new URL(process.env.TEST_DATABASE_URL!);
      url.pathname = `/${name}`;
      databaseUrl = url.toString();
      dropDatabase = async () => {
        const cleanup = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
        await cleanup.connect();
        await cleanup.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
        await cleanup.end();
      };
    }
  });
  afterAll(async () => {
    await dropDatabase();
    await rm(dir, { recursive: true, force: true });
  });

  it("imports a CSV with exact decimals and activates it", async () => {
    const file = path.join(dir, "positions.csv");
    await writeFile(file, "account,mode,collateral,market,size,entryPrice,margin,mark\na1,cross,1000.000000000000000001,ETH-USD,-1.5,3000,,3000.5\na1,cross,,SOL-USD,10.123456789012345678,175,,175\na2,isolated,,ETH-USD,-3,3000,1000,3000.5\n");
    const run = riskwarden(["import", "--format", "csv", "--file", file, "--label", "desk export", "--activate", "--json"], databaseUrl);
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    const output = JSON.parse(run.stdout);
    expect(output).toMatchObject({ accountCount: 2, positionCount: 3, active: true, label: "desk export", markets: ["ETH-USD", "SOL-USD"] });

    const database = await openDatabase(kind === "pglite" ? { kind, dataDir: databaseUrl.slice("pglite:".length) } : { kind, url: databaseUrl });
    try {
      const rows = await database.pool.query(`SELECT a.collateral::text, p.size::text FROM "Account" a JOIN "Position" p USING ("snapshotId", "accountId") WHERE p.market = 'SOL-USD'`);
      expect(rows.rows).toEqual([{ collateral: "1000.000000000000000001", size: "10.123456789012345678" }]);
      const active = await database.prisma.positionSnapshot.findFirstOrThrow({ where: { active: true } });
      expect(active.id).toBe(output.snapshotId);
    } finally {
      await database.close();
    }
  });

  it("refuses bad input with exit 2 and one line naming file, JSON path and expectation", async () => {
    const file = path.join(dir, "book.json");
    await writeFile(file, JSON.stringify({ marks: { "ETH-USD": 3000 }, accounts: [{ id: "a", collateral: 1, positions: [{ market: "ETH-USD", size: "abc", entryPrice: 1 }] }] }));
    const bad = riskwarden(["import", "--format", "book", "--file", file], databaseUrl);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toBe(`${file}: accounts[0].positions[0].size: expected a finite number, got "abc"\n`);

    const dydx = path.join(dir, "dydx.json");
    await writeFile(dydx, JSON.stringify({ perpetualMarkets: { markets: { "BTC-USD": { oraclePrice: "x", initialMarginFraction: "0.05", maintenanceMarginFraction: "0.03" } } }, subaccounts: [] }));
    const badDydx = riskwarden(["import", "--format", "dydx", "--file", dydx], databaseUrl);
    expect(badDydx.status).toBe(2);
    expect(badDydx.stderr).toBe(`${dydx}: perpetualMarkets.markets["BTC-USD"].oraclePrice: expected a decimal number (string), got "x"\n`);

    const missing = riskwarden(["import", "--format", "csv", "--file", path.join(dir, "nope.csv")], databaseUrl);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toBe(`${path.join(dir, "nope.csv")}: $: expected a readable file, got ENOENT\n`);

    const format = riskwarden(["import", "--format", "xlsx", "--file", file], databaseUrl);
    expect(format.status).toBe(2);
    expect(format.stderr).toBe('riskwarden import: --format: expected one of book, csv, dydx, hyperliquid, got "xlsx"\n');
  });
});
