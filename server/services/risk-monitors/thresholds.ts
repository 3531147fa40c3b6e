// Risk monitor thresholds per market: the config file's `markets.<M>.riskMonitors` (read-only
// here, shown "from config file"), else what the UI stored (RiskMonitorSetting rows, every change
// audited in the same transaction), else the defaults of lib/alerts risk-monitors.ts.
import type { Prisma } from "../../../generated/prisma/client";
import type { RiskwardenConfig } from "../../../lib/config/riskwarden-config";
import { DEFAULT_RISK_MONITOR_THRESHOLDS, riskMonitorThresholdsSchema, type RiskMonitorThresholds } from "../../../lib/alerts/risk-monitors";
import { AppError, invalidInput } from "../../errors";
import type { Db, Tx } from "../../db";

export type ThresholdSource = "file" | "database" | "default";

export type RiskMonitorSetting = {
  market: string;
  source: ThresholdSource;
  thresholds: RiskMonitorThresholds;
  updatedAt: Date | null;
  updatedBy: string | null;
};

export type RiskMonitorSettings = {
  /** Markets with thresholds from the file or the database; any other market uses `defaults`. */
  byMarket: Map<string, RiskMonitorSetting>;
  defaults: RiskMonitorThresholds;
};

type ConfigMarkets = Pick<RiskwardenConfig, "markets"> | null;

/** The key path an operator edits for a file-managed market. */
export function configKeyPath(market: string): string {
  return `markets.${market}.riskMonitors`;
}

function fileThresholds(config: ConfigMarkets, market: string): RiskMonitorThresholds | undefined {
  return config?.markets[market]?.riskMonitors;
}

/** Stored rows are fully parsed thresholds; one that no longer parses (schema changed) falls back to the defaults, loudly. */
function storedThresholds(row: { market: string; thresholds: unknown }): RiskMonitorThresholds | null {
  const parsed = riskMonitorThresholdsSchema.safeParse(row.thresholds);
  if (parsed.success) return parsed.data;
  console.error(`[risk-monitors] stored thresholds of ${row.market} are invalid (${parsed.error.issues[0]?.path.join(".")}: ${parsed.error.issues[0]?.message}); using the defaults`);
  return null;
}

export async function loadRiskMonitorSettings(db: Db | Tx, config: ConfigMarkets): Promise<RiskMonitorSettings> {
  const byMarket = new Map<string, RiskMonitorSetting>();
  for (const row of await db.riskMonitorSetting.findMany()) {
    const thresholds = storedThresholds(row);
    if (thresholds && !fileThresholds(config, row.market)) byMarket.set(row.market, { market: row.market, source: "database", thresholds, updatedAt: row.updatedAt, updatedBy: row.updatedBy });
  }
  for (const [market, entry] of Object.entries(config?.markets ?? {})) {
    if (entry.riskMonitors) byMarket.set(market, { market, source: "file", thresholds: entry.riskMonitors, updatedAt: null, updatedBy: null });
  }
  return { byMarket, defaults: DEFAULT_RISK_MONITOR_THRESHOLDS };
}

export function settingFor(settings: RiskMonitorSettings, market: string): RiskMonitorSetting {
  return settings.byMarket.get(market) ?? { market, source: "default", thresholds: settings.defaults, updatedAt: null, updatedBy: null };
}

export async function getRiskMonitorSetting(db: Db, config: ConfigMarkets, market: string): Promise<RiskMonitorSetting & { configKeyPath: string | null }> {
  const file = fileThresholds(config, market);
  if (file) return { market, source: "file", thresholds: file, updatedAt: null, updatedBy: null, configKeyPath: configKeyPath(market) };
  const row = await db.riskMonitorSetting.findUnique({ where: { market } });
  const stored = row ? storedThresholds(row) : null;
  if (row && stored) return { market, source: "database", thresholds: stored, updatedAt: row.updatedAt, updatedBy: row.updatedBy, configKeyPath: null };
  return { market, source: "default", thresholds: DEFAULT_RISK_MONITOR_THRESHOLDS, updatedAt: null, updatedBy: null, configKeyPath: null };
}

function refuseFileManaged(config: ConfigMarkets, market: string): void {
  if (fileThresholds(config, market)) {
    throw new AppError("CONFLICT", `${market}'s risk monitor thresholds come from the config file (${configKeyPath(market)}); change them there`);
  }
}

async function requireMarket(db: Db | Tx, market: string): Promise<void> {
  if (!(await db.market.findUnique({ where: { id: market }, select: { id: true } }))) throw new AppError("NOT_FOUND", `No market ${market}`);
}

/**
 * Stores a market's thresholds (missing fields take the defaults) and audits the change
 * (`riskMonitors.update`, before and after) in one transaction. Refused for file-managed markets.
 */
export async function setRiskMonitorThresholds(db: Db, input: { config: ConfigMarkets; market: string; thresholds: unknown; actor: string }): Promise<RiskMonitorSetting> {
  refuseFileManaged(input.config, input.market);
  const parsed = riskMonitorThresholdsSchema.safeParse(input.thresholds);
  if (!parsed.success) {
    throw invalidInput(parsed.error.issues.map((issue) => ({ path: ["thresholds", ...issue.path].join("."), reason: issue.message })));
  }
  const thresholds = parsed.data;
  return db.$transaction(async (tx) => {
    await requireMarket(tx, input.market);
    const before = await tx.riskMonitorSetting.findUnique({ where: { market: input.market } });
    const updatedAt = new Date();
    const value = thresholds as unknown as Prisma.InputJsonValue;
    await tx.riskMonitorSetting.upsert({
      where: { market: input.market },
      create: { market: input.market, thresholds: value, updatedBy: input.actor, updatedAt },
      update: { thresholds: value, updatedBy: input.actor, updatedAt },
    });
    await tx.auditLog.create({
      data: {
        actor: input.actor,
        action: "riskMonitors.update",
        target: input.market,
        details: { before: (before?.thresholds ?? null) as Prisma.InputJsonValue, beforeSource: before ? "database" : "default", after: value } as Prisma.InputJsonValue,
      },
    });
    return { market: input.market, source: "database" as const, thresholds, updatedAt, updatedBy: input.actor };
  });
}

/** Back to the defaults (the stored row is deleted), audited as `riskMonitors.reset`. */
export async function resetRiskMonitorThresholds(db: Db, input: { config: ConfigMarkets; market: string; actor: string }): Promise<RiskMonitorSetting> {
  refuseFileManaged(input.config, input.market);
  return db.$transaction(async (tx) => {
    await requireMarket(tx, input.market);
    const before = await tx.riskMonitorSetting.findUnique({ where: { market: input.market } });
    if (before) {
      await tx.riskMonitorSetting.delete({ where: { market: input.market } });
      await tx.auditLog.create({
        data: { actor: input.actor, action: "riskMonitors.reset", target: input.market, details: { before: before.thresholds as Prisma.InputJsonValue } as Prisma.InputJsonValue },
      });
    }
    return { market: input.market, source: "default" as const, thresholds: DEFAULT_RISK_MONITOR_THRESHOLDS, updatedAt: null, updatedBy: null };
  });
}
