import type { PrismaClient } from "../../../generated/prisma/client";
import type { MarketParams } from "../../../lib/risk/types";

export type MarketSummary = {
  id: string;
  name: string;
  tier: string;
  version: number | null;
  params: MarketParams | null;
  activatedAt: Date | null;
};

/** Markets with their active parameter set. */
export async function listMarkets(db: PrismaClient): Promise<MarketSummary[]> {
  const markets = await db.market.findMany({
    orderBy: { createdAt: "asc" },
    include: { parameterSets: { where: { active: true }, take: 1 } },
  });
  return markets.map((market) => {
    const active = market.parameterSets[0];
    return {
      id: market.id,
      name: market.name,
      tier: market.tier,
      version: active?.version ?? null,
      params: (active?.params as unknown as MarketParams | undefined) ?? null,
      activatedAt: active?.createdAt ?? null,
    };
  });
}

export async function parameterHistory(db: PrismaClient, marketId: string) {
  return db.parameterSet.findMany({ where: { marketId }, orderBy: { version: "desc" } });
}
