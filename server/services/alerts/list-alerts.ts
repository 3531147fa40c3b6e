// Alert queries for the Alerts page: the list with filters, and one fingerprint's history (every
// fire/resolve cycle, its events and the deliveries that carried it).
import type { Prisma, PrismaClient } from "../../../generated/prisma/client";
import { statusOf, type AlertStatusView } from "./alert-model";

export type AlertFilters = {
  status?: AlertStatusView;
  market?: string;
  check?: string;
  severity?: string;
  /** Page backwards: alerts with an id below this one. */
  beforeId?: bigint;
  limit?: number;
};

export async function listAlerts(db: PrismaClient, filters: AlertFilters = {}) {
  const where: Prisma.AlertWhereInput = {
    ...(filters.market ? { market: filters.market } : {}),
    ...(filters.check ? { check: filters.check } : {}),
    ...(filters.severity ? { severity: filters.severity } : {}),
    ...(filters.beforeId !== undefined ? { id: { lt: filters.beforeId } } : {}),
    ...(filters.status === "firing" ? { resolvedAt: null, acknowledgedAt: null } : {}),
    ...(filters.status === "acknowledged" ? { resolvedAt: null, acknowledgedAt: { not: null } } : {}),
    ...(filters.status === "resolved" ? { resolvedAt: { not: null } } : {}),
  };
  const limit = Math.min(Math.max(filters.limit ?? 100, 1), 500);
  const rows = await db.alert.findMany({ where, orderBy: { id: "desc" }, take: limit });
  return {
    alerts: rows.map((row) => ({ ...row, status: statusOf(row) })),
    nextBeforeId: rows.length === limit ? rows[rows.length - 1].id : null,
  };
}

/** Counts per status for the tabs. */
export async function alertCounts(db: PrismaClient): Promise<Record<AlertStatusView, number>> {
  const [firing, acknowledged, resolved] = await Promise.all([
    db.alert.count({ where: { resolvedAt: null, acknowledgedAt: null } }),
    db.alert.count({ where: { resolvedAt: null, acknowledgedAt: { not: null } } }),
    db.alert.count({ where: { resolvedAt: { not: null } } }),
  ]);
  return { firing, acknowledged, resolved };
}

export async function alertHistory(db: PrismaClient, input: { fingerprint: string; limit?: number }) {
  const alerts = await db.alert.findMany({
    where: { fingerprint: input.fingerprint },
    orderBy: { id: "desc" },
    take: input.limit ?? 50,
    include: { events: { orderBy: { id: "asc" } } },
  });
  const deliveries = await db.outboxDelivery.findMany({
    where: { payload: { path: ["fingerprints"], array_contains: [input.fingerprint] } },
    orderBy: { id: "desc" },
    take: 100,
    select: { id: true, messageId: true, endpointId: true, eventType: true, status: true, attempts: true, createdAt: true, deliveredAt: true, lastError: true },
  });
  return { alerts: alerts.map((a) => ({ ...a, status: statusOf(a) })), deliveries };
}
