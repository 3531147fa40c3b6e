// The process's alerting state: one lib/alerts Notifier, restored from the database, whose every
// change commits in ONE transaction with the alert rows and the outbox rows it produced
// (transactional outbox), plus the Notifier state itself (NotifierGroup rows), so a crash neither
// re-pages nor loses a resolve.
//
// Serialisation: the Notifier is in memory, so its changes and their transaction must not interleave.
// Operations queue up and run one batch at a time, each batch in one transaction (group commit:
// under load many alerts share one commit; PGlite has one connection anyway). If a transaction
// fails, the in-memory Notifier is rebuilt from the database, which still holds the last commit.
import { Notifier, type NotifierSnapshot, type RouteConfig, type Silence } from "../../../lib/alerts";
import type { Alert } from "../../../lib/alerts/types";
import type { Prisma, PrismaClient } from "../../../generated/prisma/client";
import type { Tx } from "../../db";
import { alertFromRow, labelsFor, NO_PART, statusOf, storedLabels, type AlertEventInput, type AlertRowLike, type AlertStatusView } from "./alert-model";
import { outboxRowsFor, type EndpointForOutbox } from "../webhooks/outbox";

export type AlertChange = { fingerprint: string; status: AlertStatusView; at: number };

export type AlertingEngineOptions = {
  /** Public base URL for links in payloads. */
  appBaseUrl: string;
  nowMs?: () => number;
  /** Called after each commit (outside the transaction): publish on the bus, wake the dispatcher. */
  onCommitted?: (summary: { alertChanges: AlertChange[]; outboxRows: number; nextWakeAtMs: number | null }) => void;
  /** Most operations per transaction (group commit). */
  maxBatch?: number;
};

export type RecordResult = {
  /** false: a duplicate firing (the alert was already open) or a resolve/ack of no open alert. */
  changed: boolean;
  alertId: bigint | null;
  status: AlertStatusView | null;
};

type Op =
  | { type: "event"; event: AlertEventInput }
  | { type: "ack"; fingerprint: string; actor: string }
  | { type: "flush" }
  | { type: "reload" };

type Queued = { op: Op; resolve: (result: RecordResult) => void; reject: (error: unknown) => void };

const ALERT_COLUMNS = `"id", "fingerprint", "check", "market", "feed", "severity", "value", "threshold", "labels", "firedAt", "resolvedAt", "acknowledgedAt", "acknowledgedBy"`;
type AlertRow = AlertRowLike & { id: bigint };

function groupRowKey(group: NotifierSnapshot["groups"][number]): string {
  return JSON.stringify([group.endpointId, group.groupKey]);
}

/** Routes, silences and endpoints as the database holds them (file-managed and UI-managed alike). */
export async function loadAlertingConfig(db: PrismaClient | Tx, nowMs: number) {
  const [routes, silences, endpoints] = await Promise.all([
    db.alertRoute.findMany({ orderBy: [{ position: "asc" }, { createdAt: "asc" }] }),
    db.silence.findMany({ where: { endsAt: { gt: new Date(nowMs) } } }),
    db.webhookEndpoint.findMany({ select: { id: true, format: true, url: true } }),
  ]);
  const routeConfigs: RouteConfig[] = routes.map((r) => ({
    id: r.id,
    match: (r.match ?? {}) as Record<string, string | string[]>,
    webhooks: r.webhookIds as string[],
    ...(r.groupBy ? { groupBy: r.groupBy as string[] } : {}),
    groupWaitMs: r.groupWaitMs,
    groupIntervalMs: r.groupIntervalMs,
    repeatIntervalMs: r.repeatIntervalMs,
  }));
  const silenceConfigs: Silence[] = silences.map((s) => ({
    id: s.id,
    matchers: s.matchers as unknown as Silence["matchers"],
    startsAtMs: s.startsAt.getTime(),
    endsAtMs: s.endsAt.getTime(),
    createdBy: s.author,
    comment: s.comment,
  }));
  return { routes: routeConfigs, silences: silenceConfigs, endpoints: new Map<string, EndpointForOutbox>(endpoints.map((e) => [e.id, e])) };
}

export class AlertingEngine {
  private notifier!: Notifier;
  private endpoints = new Map<string, EndpointForOutbox>();
  /** Group rows as last committed, by key, as JSON text (only changed groups are written). */
  private persistedGroups = new Map<string, string>();
  private queue: Queued[] = [];
  private running = false;
  private readonly nowMs: () => number;

  private constructor(
    private readonly db: PrismaClient,
    private readonly options: AlertingEngineOptions,
  ) {
    this.nowMs = options.nowMs ?? Date.now;
  }

  /** Loads routes, silences, endpoints and the persisted Notifier state. */
  static async open(db: PrismaClient, options: AlertingEngineOptions): Promise<AlertingEngine> {
    const engine = new AlertingEngine(db, options);
    await engine.restoreFromDatabase();
    return engine;
  }

  private async restoreFromDatabase(): Promise<void> {
    const config = await loadAlertingConfig(this.db, this.nowMs());
    const [groups, open] = await Promise.all([
      this.db.notifierGroup.findMany(),
      this.db.alert.findMany({ where: { resolvedAt: null } }),
    ]);
    const snapshot: NotifierSnapshot = {
      version: 1,
      firing: open.map(alertFromRow),
      groups: groups.map((g) => g.snapshot as unknown as NotifierSnapshot["groups"][number]),
      pendingEvents: [],
    };
    this.notifier = Notifier.restore({ routes: config.routes, silences: config.silences }, { nowMs: this.nowMs }, snapshot);
    this.endpoints = config.endpoints;
    this.persistedGroups = new Map(groups.map((g) => [g.key, JSON.stringify(g.snapshot)]));
  }

  /**
   * Re-reads routes, silences and endpoints (after a UI or config-file change). Groups keep their
   * state; a removed route's groups stay until they delivered their resolves (lib/alerts).
   */
  async reload(): Promise<void> {
    await this.enqueue({ type: "reload" });
  }

  /** Records a firing or resolved alert; resolves after the commit. */
  record(event: AlertEventInput): Promise<RecordResult> {
    return this.enqueue({ type: "event", event });
  }

  acknowledge(fingerprint: string, actor: string): Promise<RecordResult> {
    return this.enqueue({ type: "ack", fingerprint, actor });
  }

  /** Writes the notifications whose group-wait/interval timers are due (the notifier worker calls this). */
  flushDue(): Promise<RecordResult> {
    return this.enqueue({ type: "flush" });
  }

  nextWakeAtMs(): number | null {
    return this.notifier.nextWakeAtMs();
  }

  /** Read-only view of the aggregation groups (debugging, UI). */
  groupsView() {
    return this.notifier.groupsView();
  }

  /** Resolves when every operation queued before it has committed. */
  async idle(): Promise<void> {
    await this.enqueue({ type: "flush" });
  }

  private enqueue(op: Op): Promise<RecordResult> {
    return new Promise((resolve, reject) => {
      this.queue.push({ op, resolve, reject });
      void this.drain();
    });
  }

  private async drain(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, this.options.maxBatch ?? 500);
        try {
          const results = await this.runBatch(batch.map((q) => q.op));
          batch.forEach((q, i) => q.resolve(results[i]));
        } catch (error) {
          // The database holds the last committed state; rebuild the Notifier from it.
          await this.restoreFromDatabase().catch((restoreError) => console.error("[alerting] cannot restore notifier state:", restoreError));
          for (const q of batch) q.reject(error);
        }
      }
    } finally {
      this.running = false;
    }
  }

  private async runBatch(ops: Op[]): Promise<RecordResult[]> {
    if (ops.some((op) => op.type === "reload")) {
      const config = await loadAlertingConfig(this.db, this.nowMs());
      this.notifier.configure({ routes: config.routes, silences: config.silences });
      this.endpoints = config.endpoints;
    }
    const now = this.nowMs();
    if (ops.every((op) => op.type === "flush" || op.type === "reload")) {
      const next = this.notifier.nextWakeAtMs();
      if (next === null || next > now) return ops.map(() => ({ changed: false, alertId: null, status: null }));
    }
    const results: RecordResult[] = [];
    const alertChanges: AlertChange[] = [];
    const events: Prisma.AlertEventCreateManyInput[] = [];
    let outboxRows = 0;
    let groupRows = new Map<string, string>();
    await this.db.$transaction(
      async (tx) => {
        for (const op of ops) {
          const row = await this.applyOp(tx, op, now, events);
          if (!row) {
            results.push({ changed: false, alertId: null, status: null });
            continue;
          }
          const status = statusOf(row);
          results.push({ changed: true, alertId: row.id, status });
          alertChanges.push({ fingerprint: row.fingerprint, status, at: now });
          this.notifier.ingest(alertFromRow(row));
        }
        const flush = this.notifier.flushDue();
        const { rows, skipped } = outboxRowsFor(flush.notifications, this.endpoints, this.options.appBaseUrl, new Date(now));
        for (const n of skipped) console.warn(`[alerting] route ${n.routeId} names unknown webhook endpoint ${n.endpointId}; notification dropped`);
        if (events.length > 0) await tx.alertEvent.createMany({ data: events });
        if (rows.length > 0) await tx.outboxDelivery.createMany({ data: rows, skipDuplicates: true });
        outboxRows = rows.length;
        groupRows = await this.persistGroups(tx, now);
      },
      { maxWait: 60_000, timeout: 60_000 },
    );
    this.persistedGroups = groupRows;
    this.options.onCommitted?.({ alertChanges, outboxRows, nextWakeAtMs: this.notifier.nextWakeAtMs() });
    return results;
  }

  private async applyOp(tx: Tx, op: Op, now: number, events: Prisma.AlertEventCreateManyInput[]): Promise<AlertRow | null> {
    if (op.type === "flush" || op.type === "reload") return null;
    if (op.type === "ack") {
      const rows = await tx.$queryRawUnsafe<AlertRow[]>(
        `UPDATE "Alert" SET "acknowledgedAt" = $2::timestamptz AT TIME ZONE 'UTC', "acknowledgedBy" = $3
         WHERE "fingerprint" = $1 AND "resolvedAt" IS NULL AND "acknowledgedAt" IS NULL RETURNING ${ALERT_COLUMNS}`,
        op.fingerprint,
        new Date(now).toISOString(),
        op.actor,
      );
      const row = rows[0];
      if (row) events.push({ alertId: row.id, kind: "acknowledged", actor: op.actor, at: new Date(now), value: row.value, severity: row.severity });
      return row ?? null;
    }
    const e = op.event;
    const at = new Date(e.at).toISOString();
    if (e.kind === "firing") {
      // The partial unique index "Alert_one_open_per_fingerprint" makes a second open alert a no-op.
      const rows = await tx.$queryRawUnsafe<AlertRow[]>(
        `INSERT INTO "Alert" ("fingerprint", "check", "market", "feed", "severity", "value", "threshold", "labels", "firedAt")
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9::timestamptz AT TIME ZONE 'UTC')
         ON CONFLICT DO NOTHING RETURNING ${ALERT_COLUMNS}`,
        e.fingerprint,
        e.check,
        e.market ?? NO_PART,
        e.feed,
        e.severity,
        e.value,
        e.threshold,
        JSON.stringify(storedLabels(e)),
        at,
      );
      const row = rows[0];
      if (row) events.push({ alertId: row.id, kind: "firing", at: new Date(e.at), value: e.value, severity: e.severity });
      return row ?? null;
    }
    const rows = await tx.$queryRawUnsafe<AlertRow[]>(
      `UPDATE "Alert" SET "resolvedAt" = $2::timestamptz AT TIME ZONE 'UTC' WHERE "fingerprint" = $1 AND "resolvedAt" IS NULL RETURNING ${ALERT_COLUMNS}`,
      e.fingerprint,
      at,
    );
    const row = rows[0];
    if (row) events.push({ alertId: row.id, kind: "resolved", at: new Date(e.at), value: e.value, severity: row.severity });
    return row ?? null;
  }

  /** Writes the groups that changed since the last commit; returns the new committed map. */
  private async persistGroups(tx: Tx, now: number): Promise<Map<string, string>> {
    const snapshot = this.notifier.snapshot();
    const next = new Map<string, string>();
    const changed: { key: string; snapshot: Prisma.InputJsonValue }[] = [];
    for (const group of snapshot.groups) {
      const key = groupRowKey(group);
      const text = JSON.stringify(group);
      next.set(key, text);
      if (this.persistedGroups.get(key) !== text) changed.push({ key, snapshot: group as unknown as Prisma.InputJsonValue });
    }
    const removed = [...this.persistedGroups.keys()].filter((key) => !next.has(key));
    const stale = [...removed, ...changed.map((c) => c.key)];
    if (stale.length > 0) await tx.notifierGroup.deleteMany({ where: { key: { in: stale } } });
    if (changed.length > 0) await tx.notifierGroup.createMany({ data: changed.map((c) => ({ ...c, updatedAt: new Date(now) })) });
    return next;
  }
}

export { labelsFor };
export type { Alert };
