import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestDatabase, testDatabaseKinds, type TestDatabase } from "./testing/databases";
import { pendingMigrations, readMigrations } from "./db/migrate";
import { migrationsDirectory, openDatabase } from "./db";

describe.each(testDatabaseKinds())("database (%s)", (kind) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await openTestDatabase(kind);
  });
  afterAll(async () => {
    await db?.dispose();
  });

  it("applies every migration and records it as prisma migrate does", async () => {
    const migrations = await readMigrations(migrationsDirectory);
    expect(migrations.length).toBeGreaterThan(0);
    expect(db.migrations.applied).toEqual(migrations.map((m) => m.name));
    expect(await pendingMigrations(db.sql, migrations)).toEqual([]);
    const rows = await db.sql.query<{ checksum: string }>(`SELECT checksum FROM "_prisma_migrations" ORDER BY migration_name`);
    expect(rows.map((r) => r.checksum)).toEqual(migrations.map((m) => m.checksum));
  });

  it("enforces one active parameter set per market and one open alert per fingerprint", async () => {
    await db.prisma.market.create({ data: { id: "ETH-USD", name: "Ether" } });
    await db.prisma.parameterSet.create({ data: { marketId: "ETH-USD", version: 1, params: {}, active: true, createdBy: "test" } });
    await expect(
      db.prisma.parameterSet.create({ data: { marketId: "ETH-USD", version: 2, params: {}, active: true, createdBy: "test" } }),
    ).rejects.toThrow();
    const alert = { fingerprint: "deviation:ETH-USD:a", check: "deviation", market: "ETH-USD", feed: "a", severity: "warning", value: 0.02, threshold: 0.01, firedAt: new Date() };
    await db.prisma.alert.create({ data: alert });
    await expect(db.prisma.alert.create({ data: alert })).rejects.toThrow();
    await db.prisma.alert.updateMany({ where: { fingerprint: alert.fingerprint }, data: { resolvedAt: new Date() } });
    await expect(db.prisma.alert.create({ data: alert })).resolves.toBeTruthy();
  });

  it("keeps NUMERIC values exact", async () => {
    const snapshot = await db.prisma.positionSnapshot.create({ data: { source: "test", marks: {} } });
    await db.prisma.account.create({ data: { snapshotId: snapshot.id, accountId: "a", mode: "cross", collateral: "123456789.123456789012345678" } });
    const account = await db.prisma.account.findFirstOrThrow({ where: { snapshotId: snapshot.id } });
    expect(account.collateral.toFixed(18)).toBe("123456789.123456789012345678");
  });

  it("is idempotent: reopening applies nothing new", async () => {
    if (db.target.kind !== "postgres") return; // PGlite is single-process: reopened in the crash test
    const again = await openDatabase(db.target);
    expect(again.migrations.applied).toEqual([]);
    await again.close();
  });
});
