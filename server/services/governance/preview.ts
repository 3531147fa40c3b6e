// Impact preview of proposed changes on the active positions snapshot, through lib/risk.
//
// Adapter (`createPreviewer`) until the risk subsystem (server/services/risk, `risk.preview`, with
// the snapshot held in memory) lands: it loads the active PositionSnapshot once per snapshot id,
// keeps its columnar book and the current margin state, and recomputes only the proposed side on
// each call (lib/risk `updateMarginState` recomputes just the markets whose curve changed).
// What transitions store is `StoredPreview` {snapshotId, marks, summary}: enough for a voter to see
// what the committee saw, small enough to keep on every transition.
import {
  buildColumnarBook,
  createMarginState,
  previewImpact,
  updateMarginState,
  releaseMarginState,
  type Book,
  type ColumnarBook,
  type MarginState,
  type ParamsSet,
  type PreviewResult,
} from "../../../lib/risk";
import { applyChanges, type GovernedParameterSet, type ParamChange } from "../../../lib/governance";
import type { Db } from "../../db";
import { loadActiveParameterSet } from "./parameter-sets";

export type StoredPreview = {
  snapshotId: number;
  marks: Record<string, number>;
  summary: PreviewResult["summary"];
  /** Active parameter-set version per touched market the preview was computed against. */
  against: Record<string, number>;
  computedAtMs: number;
};

export type PreviewWithDetail = { stored: StoredPreview; result: PreviewResult };

/** lib/risk's ParamsSet has no funding clamp (it does not affect margin): strip governance-only fields. */
export function toEngineParams(set: GovernedParameterSet): ParamsSet {
  const markets: ParamsSet["markets"] = {};
  for (const [market, params] of Object.entries(set.markets)) {
    const { fundingClamp: _fundingClamp, ...engine } = params;
    markets[market] = engine as ParamsSet["markets"][string];
  }
  return { markets };
}

/** The active positions snapshot as a lib/risk Book (decimals as doubles, see lib/risk/types.ts). */
export async function loadActiveBook(db: Db): Promise<{ snapshotId: number; book: Book } | null> {
  const snapshot = await db.positionSnapshot.findFirst({ where: { active: true } });
  if (!snapshot) return null;
  const [accounts, positions] = await Promise.all([
    db.account.findMany({ where: { snapshotId: snapshot.id }, orderBy: { accountId: "asc" } }),
    db.position.findMany({ where: { snapshotId: snapshot.id }, orderBy: { id: "asc" } }),
  ]);
  const byAccount = new Map<string, Book["accounts"][number]>();
  for (const account of accounts) {
    byAccount.set(account.accountId, { id: account.accountId, mode: account.mode === "isolated" ? "isolated" : "cross", collateral: Number(account.collateral.toString()), positions: [] });
  }
  for (const position of positions) {
    const account = byAccount.get(position.accountId);
    if (!account) continue;
    account.positions.push({
      market: position.market,
      size: Number(position.size.toString()),
      entryPrice: Number(position.entryPrice.toString()),
      ...(position.margin !== null ? { margin: Number(position.margin.toString()) } : {}),
    });
  }
  const marks = Object.fromEntries(Object.entries(snapshot.marks as Record<string, string | number>).map(([market, price]) => [market, Number(price)]));
  return { snapshotId: snapshot.id, book: { marks, accounts: [...byAccount.values()], insuranceFund: Number(snapshot.insuranceFund.toString()) } };
}

type Cached = { snapshotId: number; book: ColumnarBook; marks: Record<string, number>; currentKey: string; current: MarginState };

/**
 * A previewer with its own cache (one per process: the runtime keeps one). Returns null when no
 * positions snapshot is active.
 */
export function createPreviewer(options: { accountLimit?: number; topAffected?: number } = {}) {
  let cached: Cached | null = null;
  return async function preview(db: Db, changes: readonly ParamChange[]): Promise<PreviewWithDetail | null> {
    const active = await db.positionSnapshot.findFirst({ where: { active: true }, select: { id: true } });
    if (!active) return null;
    const { set, versions } = await loadActiveParameterSet(db);
    // Markets in the book without parameters cannot be margined: preview only what is governed.
    const currentParams = toEngineParams(set);
    const currentKey = JSON.stringify(currentParams);
    if (!cached || cached.snapshotId !== active.id) {
      const loaded = await loadActiveBook(db);
      if (!loaded) return null;
      const governed = Object.keys(set.markets);
      const book: Book = {
        ...loaded.book,
        marks: Object.fromEntries(Object.entries(loaded.book.marks).filter(([market]) => governed.includes(market))),
        accounts: loaded.book.accounts.map((account) => ({ ...account, positions: account.positions.filter((p) => governed.includes(p.market)) })),
      };
      const columnar = buildColumnarBook(book);
      cached = { snapshotId: loaded.snapshotId, book: columnar, marks: book.marks, currentKey, current: createMarginState(columnar, currentParams) };
    } else if (cached.currentKey !== currentKey) {
      cached = { ...cached, currentKey, current: createMarginState(cached.book, currentParams) };
    }
    const proposed = updateMarginState(cached.current, toEngineParams(applyChanges(set, changes)));
    const result = previewImpact(cached.book, cached.current, proposed, { accountLimit: options.accountLimit ?? 50, topAffected: options.topAffected ?? 20 });
    releaseMarginState(proposed); // the result holds numbers only; the next draft reuses the arrays
    const touched = [...new Set(changes.map((change) => change.market))];
    return {
      stored: {
        snapshotId: cached.snapshotId,
        marks: cached.marks,
        summary: result.summary,
        against: Object.fromEntries(touched.map((market) => [market, versions[market]?.version ?? 0])),
        computedAtMs: Date.now(),
      },
      result,
    };
  };
}
