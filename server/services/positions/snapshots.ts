// Positions snapshots: list, activate, and load one into column arrays for the in-memory book.
import { AppError } from "../../errors";
import type { Database, Db } from "../../db";
import type { EventBus } from "../../bus";

export type SnapshotSummary = {
  id: number;
  createdAt: Date;
  source: string;
  label: string | null;
  accountCount: number;
  positionCount: number;
  markets: string[];
  insuranceFund: string;
  active: boolean;
};

export async function listSnapshots(db: Db, options: { limit?: number } = {}): Promise<SnapshotSummary[]> {
  const rows = await db.positionSnapshot.findMany({ orderBy: { id: "desc" }, take: options.limit ?? 50 });
  return rows.map((row) => ({
    id: row.id,
    createdAt: row.createdAt,
    source: row.source,
    label: row.label,
    accountCount: row.accountCount,
    positionCount: row.positionCount,
    markets: Object.keys((row.marks as Record<string, unknown>) ?? {}),
    insuranceFund: row.insuranceFund.toString(),
    active: row.active,
  }));
}

/** Makes one snapshot the active one (one transaction: the partial unique index allows one). */
export async function activateSnapshot(database: Pick<Database, "pool">, input: { snapshotId: number; bus?: EventBus }): Promise<void> {
  const client = await database.pool.connect();
  try {
    await client.query("BEGIN");
    const found = await client.query(`SELECT id FROM "PositionSnapshot" WHERE id = $1 FOR UPDATE`, [input.snapshotId]);
    if (found.rowCount === 0) throw new AppError("NOT_FOUND", `No positions snapshot ${input.snapshotId}`);
    await client.query(`UPDATE "PositionSnapshot" SET "active" = false WHERE "active" AND id <> $1`, [input.snapshotId]);
    await client.query(`UPDATE "PositionSnapshot" SET "active" = true WHERE id = $1`, [input.snapshotId]);
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    throw error;
  } finally {
    client.release();
  }
  input.bus?.publish("snapshot.activated", { snapshotId: input.snapshotId, at: Date.now() });
}

/** A stored snapshot as column arrays (accounts sorted by id, positions in import order within each). */
export type LoadedSnapshot = {
  snapshotId: number;
  label: string | null;
  source: string;
  createdAt: Date;
  marks: Record<string, number>;
  insuranceFund: number;
  accountIds: string[];
  accountIsolated: Uint8Array;
  accountCollateral: Float64Array;
  /** CSR over positions, length accounts + 1. */
  accountPositionStart: Int32Array;
  positionMarket: string[];
  positionSize: Float64Array;
  positionEntryPrice: Float64Array;
  positionMargin: Float64Array;
};

/**
 * Loads the active snapshot (or `snapshotId`) with two queries. NUMERIC → float8 happens in the
 * database (correctly rounded from the decimal text), which is what the engine computes with;
 * the exact decimals stay in the table.
 */
export async function loadSnapshot(database: Pick<Database, "pool">, options: { snapshotId?: number } = {}): Promise<LoadedSnapshot | null> {
  const pool = database.pool;
  const head = await pool.query<{ id: number; label: string | null; source: string; createdAt: Date; marks: Record<string, string | number>; insuranceFund: number }>(
    options.snapshotId === undefined
      ? `SELECT id, label, source, "createdAt", marks, "insuranceFund"::float8 AS "insuranceFund" FROM "PositionSnapshot" WHERE active LIMIT 1`
      : `SELECT id, label, source, "createdAt", marks, "insuranceFund"::float8 AS "insuranceFund" FROM "PositionSnapshot" WHERE id = $1`,
    options.snapshotId === undefined ? [] : [options.snapshotId],
  );
  const snapshot = head.rows[0];
  if (!snapshot) return null;
  const accounts = await pool.query({
    text: `SELECT "accountId", mode, collateral::float8 FROM "Account" WHERE "snapshotId" = $1 ORDER BY "accountId" COLLATE "C"`,
    values: [snapshot.id],
    rowMode: "array",
  });
  const positions = await pool.query({
    text: `SELECT "accountId", market, size::float8, "entryPrice"::float8, margin::float8 FROM "Position" WHERE "snapshotId" = $1 ORDER BY "accountId" COLLATE "C", id`,
    values: [snapshot.id],
    rowMode: "array",
  });
  const accountCount = accounts.rows.length;
  const positionCount = positions.rows.length;
  const loaded: LoadedSnapshot = {
    snapshotId: snapshot.id,
    label: snapshot.label,
    source: snapshot.source,
    createdAt: snapshot.createdAt,
    marks: Object.fromEntries(Object.entries(snapshot.marks ?? {}).map(([market, price]) => [market, Number(price)])),
    insuranceFund: Number(snapshot.insuranceFund),
    accountIds: new Array(accountCount),
    accountIsolated: new Uint8Array(accountCount),
    accountCollateral: new Float64Array(accountCount),
    accountPositionStart: new Int32Array(accountCount + 1),
    positionMarket: new Array(positionCount),
    positionSize: new Float64Array(positionCount),
    positionEntryPrice: new Float64Array(positionCount),
    positionMargin: new Float64Array(positionCount),
  };
  // Both result sets are ordered by account id (same collation), so one merge pass builds the CSR.
  let p = 0;
  for (let a = 0; a < accountCount; a++) {
    const [id, mode, collateral] = accounts.rows[a] as [string, string, number];
    loaded.accountIds[a] = id;
    loaded.accountIsolated[a] = mode === "isolated" ? 1 : 0;
    loaded.accountCollateral[a] = mode === "isolated" ? 0 : Number(collateral);
    loaded.accountPositionStart[a] = p;
    while (p < positionCount && (positions.rows[p] as unknown[])[0] === id) {
      const [, market, size, entryPrice, margin] = positions.rows[p] as [string, string, number, number, number | null];
      loaded.positionMarket[p] = market;
      loaded.positionSize[p] = Number(size);
      loaded.positionEntryPrice[p] = Number(entryPrice);
      loaded.positionMargin[p] = margin === null ? 0 : Number(margin);
      p++;
    }
  }
  loaded.accountPositionStart[accountCount] = p;
  if (p !== positionCount) throw new Error(`snapshot ${snapshot.id}: ${positionCount - p} positions belong to no account`);
  return loaded;
}
