// Volatility-driven recommendations: when a market's live volatility floor z·σ·√(h/8766) exceeds
// its maintenance fraction, lib/governance drafts the change (a steward update when within bounds
// and allowed now, else a proposal); the preview of its effect is attached. Live σ comes from the
// caller (the oracle subsystem's EWMA) so this stays a plain function of its inputs.
import { recommendFromVolatility } from "../../../lib/governance";
import { ewmaVolatility } from "../../../lib/risk";
import type { Db } from "../../db";
import type { GovernanceContext } from "./context";
import { safePreview } from "./create-proposal";
import { loadActiveParameterSet } from "./parameter-sets";
import { stewardLastUpdates } from "./steward-update";

export async function volatilityRecommendations(db: Db, ctx: GovernanceContext, input: { liveAnnualVolatility: Record<string, number> }) {
  const settings = await ctx.settings(db);
  const { set } = await loadActiveParameterSet(db);
  const recommendations = recommendFromVolatility(input.liveAnnualVolatility, set, settings, { nowMs: ctx.nowMs(), lastUpdatedAtMs: await stewardLastUpdates(db) });
  return Promise.all(
    recommendations.map(async (recommendation) => {
      const { proposed: _proposed, ...rest } = recommendation;
      return { ...rest, preview: recommendation.issues.length === 0 ? await safePreview(db, ctx, recommendation.changes) : null };
    }),
  );
}

/** RiskMetrics EWMA σ (annualised) of each market's reference price over the stored samples. */
export async function liveVolatilityFromSamples(db: Db, input: { sinceMs: number; maxSamples?: number }): Promise<Record<string, number>> {
  const markets = await db.market.findMany({ select: { id: true } });
  const result: Record<string, number> = {};
  for (const { id } of markets) {
    const rows = await db.priceSample.findMany({
      where: { market: id, feed: "reference", at: { gte: new Date(input.sinceMs) } },
      orderBy: { at: "desc" },
      take: input.maxSamples ?? 20_000,
      select: { at: true, price: true },
    });
    const volatility = ewmaVolatility(rows.reverse().map((row) => ({ timeMs: row.at.getTime(), price: row.price })));
    if (volatility) result[id] = volatility.annualVolatility;
  }
  return result;
}
