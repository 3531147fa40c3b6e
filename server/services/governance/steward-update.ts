// The fast lane: committee risk-steward updates without a token vote, validated as Aave's
// RiskSteward does (lib/governance `validateStewardUpdate`: bounds, minimum delay per
// market·parameter, restricted markets, pause switch, full invariants). Applied as the next
// parameter-set version in one transaction with its StewardUpdate rows and the audit entry.
import { stewardDebounceKey, validateStewardUpdate, type ParamChange } from "../../../lib/governance";
import type { Prisma } from "../../../generated/prisma/client";
import { AppError } from "../../errors";
import type { Db, Tx } from "../../db";
import type { GovernanceContext } from "./context";
import { activateNextVersions, loadActiveParameterSet } from "./parameter-sets";

/** Debounce clocks: the last steward update time of each market·parameter. */
export async function stewardLastUpdates(db: Db | Tx): Promise<Record<string, number>> {
  const rows = await db.stewardUpdate.groupBy({ by: ["marketId", "parameter"], _max: { at: true } });
  return Object.fromEntries(rows.filter((row) => row._max.at).map((row) => [stewardDebounceKey(row.marketId, row.parameter), row._max.at!.getTime()]));
}

export async function applyStewardUpdate(db: Db, ctx: GovernanceContext, input: { actor: string; changes: readonly { market: string; path: string; to?: unknown; from?: unknown }[]; note?: string }) {
  const nowMs = ctx.nowMs();
  const settings = await ctx.settings(db);
  const { set } = await loadActiveParameterSet(db);
  const lastUpdatedAtMs = await stewardLastUpdates(db);
  const checked = validateStewardUpdate({ changes: input.changes as ParamChange[], active: set, settings, lastUpdatedAtMs, nowMs });
  if (!checked.ok) {
    const first = checked.issues[0];
    throw new AppError("BAD_REQUEST", `${first.code}${first.path ? ` ${first.path}` : ""}: ${first.reason}`, {
      issues: checked.issues.map((issue) => ({ path: issue.path ?? "changes", reason: `${issue.code}: ${issue.reason}` })),
    });
  }
  const markets = [...new Set(checked.changes.map((change) => change.market))];
  const activated = await db
    .$transaction(async (tx) => {
      // Re-check inside the transaction: another update may have landed since the validation read.
      const current = await loadActiveParameterSet(tx);
      const recheck = validateStewardUpdate({ changes: checked.changes, active: current.set, settings, lastUpdatedAtMs: await stewardLastUpdates(tx), nowMs });
      if (!recheck.ok) throw new AppError("CONFLICT", `the parameters changed meanwhile: ${recheck.issues[0].reason}`);
      const versions = await activateNextVersions(tx, { next: recheck.next, markets, createdBy: input.actor, note: input.note ? `steward: ${input.note}` : "steward update" });
      const versionByMarket = new Map(versions.map((version) => [version.market, version]));
      await tx.stewardUpdate.createMany({
        data: recheck.changes.map((change) => ({
          marketId: change.market,
          parameter: change.path,
          fromValue: (change.from ?? null) as Prisma.InputJsonValue,
          toValue: (change.to ?? null) as Prisma.InputJsonValue,
          actor: input.actor,
          parameterSetId: versionByMarket.get(change.market)!.parameterSetId,
          at: new Date(nowMs),
        })),
      });
      await ctx.enqueueOutboxEvent(tx, {
        type: "steward.updated",
        id: `steward.updated:${versions.map((v) => v.parameterSetId).join(",")}`,
        summary: `Steward update: ${recheck.changes.map((c) => `${c.market} ${c.path} ${String(c.from)} → ${String(c.to)}`).join("; ")}`,
        labels: { markets: markets.join(",") },
        data: { actor: input.actor, changes: recheck.changes, versions, note: input.note ?? null },
      });
      await tx.auditLog.create({
        data: { actor: input.actor, action: "steward.update", target: markets.join(","), details: { changes: recheck.changes, versions, note: input.note ?? null } as unknown as Prisma.InputJsonValue },
      });
      return versions;
    })
    .catch((error: unknown) => {
      // Two updates racing on one market collide on (marketId, version) or the one-active index.
      if ((error as { code?: string }).code === "P2002") throw new AppError("CONFLICT", "another update to this market landed first; reload and retry");
      throw error;
    });
  for (const version of activated) ctx.publishParamsActivated({ ...version, at: nowMs });
  return { changes: checked.changes, activated };
}

/** Bounds, restrictions, pause and, per bounded market·parameter, when the next update is allowed. */
export async function stewardBounds(db: Db, ctx: GovernanceContext) {
  const settings = await ctx.settings(db);
  const { set } = await loadActiveParameterSet(db);
  const last = await stewardLastUpdates(db);
  const parameters = Object.entries(settings.steward.bounds).flatMap(([path, bound]) =>
    Object.keys(set.markets).map((market) => {
      const lastUpdatedAtMs = last[stewardDebounceKey(market, path)] ?? null;
      return { market, path, bound, lastUpdatedAtMs, nextAllowedAtMs: lastUpdatedAtMs === null ? null : lastUpdatedAtMs + bound.minDelayMs, restricted: settings.steward.restrictedMarkets.includes(market) };
    }),
  );
  return { paused: settings.steward.paused, restrictedMarkets: settings.steward.restrictedMarkets, bounds: settings.steward.bounds, parameters, nowMs: ctx.nowMs() };
}

export async function listStewardUpdates(db: Db, input: { market?: string; limit?: number }) {
  return db.stewardUpdate.findMany({ where: input.market ? { marketId: input.market } : {}, orderBy: { at: "desc" }, take: Math.min(input.limit ?? 100, 500) });
}
