// Positions snapshots: list, activate, and load one into column arrays for the in-memory book.
import { AppError } from "../../errors";
import type { Database, Db } from "../../db";
import type { EventBus } from "../../bus";
import { COPY_NULL, copyTextValue, copyToStdout } from "./copy-to";

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
 * Loads the active snapshot (or `snapshotId`): the snapshot row, then accounts and positions by
 * `COPY (…) TO STDOUT` (copy-to.ts), parsed straight into the column arrays. Amounts arrive as
 * NUMERIC text and become doubles by Number(), which rounds the exact decimal correctly, as
 * PostgreSQL's NUMERIC → float8 cast does: the same doubles. The exact decimals stay in the table.
 * Positions come in id order (import order) and are grouped per account here, which is cheaper
 * than sorting a million rows by account id in the database.
 */
export async function loadSnapshot(database: Pick<Database, "pool">, options: { snapshotId?: number } = {}): Promise<LoadedSnapshot | null> {
  const client = await database.pool.connect();
  try {
    const head = await client.query<{ id: number; label: string | null; source: string; createdAt: Date; marks: Record<string, string | number>; insuranceFund: number }>(
      options.snapshotId === undefined
        ? `SELECT id, label, source, "createdAt", marks, "insuranceFund"::float8 AS "insuranceFund" FROM "PositionSnapshot" WHERE active LIMIT 1`
        : `SELECT id, label, source, "createdAt", marks, "insuranceFund"::float8 AS "insuranceFund" FROM "PositionSnapshot" WHERE id = $1`,
      options.snapshotId === undefined ? [] : [options.snapshotId],
    );
    const snapshot = head.rows[0];
    if (!snapshot) return null;
    const snapshotId = Number(snapshot.id); // an integer from the database, safe to inline in COPY (which takes no parameters)
    const accountText = await copyToStdout(client, `COPY (SELECT "accountId", mode, collateral FROM "Account" WHERE "snapshotId" = ${snapshotId} ORDER BY "accountId" COLLATE "C") TO STDOUT`);
    const positionText = await copyToStdout(client, `COPY (SELECT "accountId", market, size, "entryPrice", margin FROM "Position" WHERE "snapshotId" = ${snapshotId} ORDER BY id) TO STDOUT`);
    return {
      snapshotId,
      label: snapshot.label,
      source: snapshot.source,
      createdAt: snapshot.createdAt,
      marks: Object.fromEntries(Object.entries(snapshot.marks ?? {}).map(([market, price]) => [market, Number(price)])),
      insuranceFund: Number(snapshot.insuranceFund),
      ...snapshotColumnsFromCopy(snapshotId, accountText, positionText),
    };
  } finally {
    client.release();
  }
}

/** Rows of COPY text output: lines ending in "\n", fields separated by tabs. */
function countLines(text: string): number {
  let count = 0;
  for (let at = text.indexOf("\n"); at !== -1; at = text.indexOf("\n", at + 1)) count++;
  return count;
}

type SnapshotArrays = Omit<LoadedSnapshot, "snapshotId" | "label" | "source" | "createdAt" | "marks" | "insuranceFund">;

/** Accounts (sorted by id) and positions (import order) of COPY text → CSR column arrays. */
function snapshotColumnsFromCopy(snapshotId: number, accountText: string, positionText: string): SnapshotArrays {
  const accountCount = countLines(accountText);
  const positionCount = countLines(positionText);
  const loaded: SnapshotArrays = {
    accountIds: new Array(accountCount),
    accountIsolated: new Uint8Array(accountCount),
    accountCollateral: new Float64Array(accountCount),
    accountPositionStart: new Int32Array(accountCount + 1),
    positionMarket: new Array(positionCount),
    positionSize: new Float64Array(positionCount),
    positionEntryPrice: new Float64Array(positionCount),
    positionMargin: new Float64Array(positionCount),
  };
  const accountIndex = new Map<string, number>();
  let at = 0;
  for (let a = 0; a < accountCount; a++) {
    const tab1 = accountText.indexOf("\t", at);
    const tab2 = accountText.indexOf("\t", tab1 + 1);
    const end = accountText.indexOf("\n", tab2 + 1);
    const id = copyTextValue(accountText.slice(at, tab1));
    const isolated = accountText.startsWith("isolated", tab1 + 1);
    loaded.accountIds[a] = id;
    loaded.accountIsolated[a] = isolated ? 1 : 0;
    loaded.accountCollateral[a] = isolated ? 0 : Number(accountText.slice(tab2 + 1, end));
    accountIndex.set(id, a);
    at = end + 1;
  }
  // Positions in import order → grouped per account (counting sort keeps the order within one).
  const positionAccount = new Int32Array(positionCount);
  const rowStart = new Int32Array(positionCount);
  const perAccount = loaded.accountPositionStart;
  at = 0;
  for (let p = 0; p < positionCount; p++) {
    const tab = positionText.indexOf("\t", at);
    const id = copyTextValue(positionText.slice(at, tab));
    const a = accountIndex.get(id);
    if (a === undefined) throw new Error(`snapshot ${snapshotId}: position of account ${JSON.stringify(id)}, which the snapshot does not have`);
    positionAccount[p] = a;
    rowStart[p] = tab + 1;
    perAccount[a + 1]++;
    at = positionText.indexOf("\n", tab + 1) + 1;
  }
  for (let a = 0; a < accountCount; a++) perAccount[a + 1] += perAccount[a];
  const next = perAccount.slice(0, accountCount);
  const markets = new Map<string, string>();
  for (let p = 0; p < positionCount; p++) {
    const target = next[positionAccount[p]]++;
    const start = rowStart[p];
    const tab1 = positionText.indexOf("\t", start);
    const tab2 = positionText.indexOf("\t", tab1 + 1);
    const tab3 = positionText.indexOf("\t", tab2 + 1);
    const end = positionText.indexOf("\n", tab3 + 1);
    const marketField = positionText.slice(start, tab1);
    let market = markets.get(marketField);
    if (market === undefined) markets.set(marketField, (market = copyTextValue(marketField)));
    loaded.positionMarket[target] = market;
    loaded.positionSize[target] = Number(positionText.slice(tab1 + 1, tab2));
    loaded.positionEntryPrice[target] = Number(positionText.slice(tab2 + 1, tab3));
    const margin = positionText.slice(tab3 + 1, end);
    loaded.positionMargin[target] = margin === COPY_NULL ? 0 : Number(margin);
  }
  return loaded;
}
