// Versioned parameter sets: the active set (one active row per market, guaranteed by the partial
// unique index "ParameterSet_one_active_per_market") and the creation of the next version, always
// inside the caller's transaction so a proposal execution or a steward update and its new version
// commit together.
import type { GovernedMarketParams, GovernedParameterSet } from "../../../lib/governance";
import type { Prisma } from "../../../generated/prisma/client";
import type { Db, Tx } from "../../db";

export type ActiveParameterSet = {
  set: GovernedParameterSet;
  /** Version and row id of each market's active set. */
  versions: Record<string, { version: number; parameterSetId: number; createdAt: Date }>;
};

export async function loadActiveParameterSet(db: Db | Tx): Promise<ActiveParameterSet> {
  const rows = await db.parameterSet.findMany({ where: { active: true }, orderBy: { marketId: "asc" } });
  const set: GovernedParameterSet = { markets: {} };
  const versions: ActiveParameterSet["versions"] = {};
  for (const row of rows) {
    set.markets[row.marketId] = row.params as unknown as GovernedMarketParams;
    versions[row.marketId] = { version: row.version, parameterSetId: row.id, createdAt: row.createdAt };
  }
  return { set, versions };
}

export type ActivatedVersion = { market: string; version: number; parameterSetId: number };

/**
 * Makes `next.markets[m]` the active version of each market in `markets`: deactivates the old
 * active row and inserts version max+1 as active. Two writers racing on one market collide on
 * (marketId, version) or on the one-active index; the loser's transaction fails and rolls back.
 */
export async function activateNextVersions(
  tx: Tx,
  input: { next: GovernedParameterSet; markets: readonly string[]; createdBy: string; sourceProposalId?: string; note?: string },
): Promise<ActivatedVersion[]> {
  const activated: ActivatedVersion[] = [];
  for (const market of [...new Set(input.markets)].sort()) {
    const params = input.next.markets[market];
    if (!params) throw new Error(`activateNextVersions: no parameters for ${market}`);
    const latest = await tx.parameterSet.aggregate({ where: { marketId: market }, _max: { version: true } });
    const version = (latest._max.version ?? 0) + 1;
    await tx.parameterSet.updateMany({ where: { marketId: market, active: true }, data: { active: false } });
    const row = await tx.parameterSet.create({
      data: {
        marketId: market,
        version,
        params: params as unknown as Prisma.InputJsonValue,
        active: true,
        createdBy: input.createdBy,
        sourceProposalId: input.sourceProposalId ?? null,
        note: input.note ?? null,
      },
    });
    activated.push({ market, version, parameterSetId: row.id });
  }
  return activated;
}

/** Every version of one market, newest first (the market page and the params router). */
export async function listParameterSetVersions(db: Db, market: string) {
  return db.parameterSet.findMany({ where: { marketId: market }, orderBy: { version: "desc" } });
}
