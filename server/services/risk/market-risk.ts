// Everything the market risk page shows, in one call: the market, its parameter versions (newest
// first, with the proposal that created each), and the risk engine's views of the market.
import { AppError } from "../../errors";
import type { Db } from "../../db";
import { shockRange } from "../../../lib/risk";
import type { RiskService } from "./risk-subsystem";

/** Shocks of the market's own price for the stress chart: −30 % … +30 % in 2.5 % steps. */
export const marketStressShocks = shockRange(-0.3, 0.3, 0.025);

export async function getMarketRisk(db: Db, risk: RiskService, input: { market: string; nearest?: number }) {
  const market = await db.market.findUnique({ where: { id: input.market } });
  if (!market) throw new AppError("NOT_FOUND", `No market ${input.market}`);
  const versions = await db.parameterSet.findMany({ where: { marketId: market.id }, orderBy: { version: "desc" } });
  const proposalIds = [...new Set(versions.map((version) => version.sourceProposalId).filter((id): id is string => id !== null))];
  const proposals = proposalIds.length > 0 ? await db.proposal.findMany({ where: { id: { in: proposalIds } }, select: { id: true, number: true, title: true } }) : [];
  const proposalById = new Map(proposals.map((proposal) => [proposal.id, proposal]));
  const history = versions.map((version) => ({
    id: version.id,
    version: version.version,
    active: version.active,
    params: version.params as Record<string, unknown>,
    createdAt: version.createdAt,
    createdBy: version.createdBy,
    note: version.note,
    proposal: version.sourceProposalId ? (proposalById.get(version.sourceProposalId) ?? { id: version.sourceProposalId, number: null, title: null }) : null,
  }));

  let view = null;
  let unavailable: string | null = null;
  try {
    const summary = await risk.marginSummary();
    view = {
      snapshot: summary.snapshot,
      mark: summary.marks[market.id] ?? null,
      market: summary.markets[market.id] ?? null,
      insuranceFund: summary.insuranceFund,
      liquidationMap: await risk.liquidationMap(market.id),
      healthHistogram: await risk.healthHistogram(market.id),
      nearestLiquidation: await risk.nearestLiquidation(market.id, input.nearest ?? 20),
      stress: await risk.stressCurve(market.id, marketStressShocks),
    };
  } catch (error) {
    // No active snapshot, or no position in this market: the page still shows the parameters.
    if (error instanceof AppError && (error.code === "PRECONDITION_FAILED" || error.code === "NOT_FOUND")) unavailable = error.userMessage;
    else throw error;
  }
  return {
    market: { id: market.id, name: market.name, tier: market.tier },
    active: history.find((version) => version.active) ?? null,
    versions: history,
    risk: view,
    unavailable,
  };
}

export type MarketRisk = Awaited<ReturnType<typeof getMarketRisk>>;
