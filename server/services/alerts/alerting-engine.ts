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
import { insertSql, recordset, rowsJson, withPgTransaction, type PgPoolLike, type RawRunner } from "./sql-rows";

export type AlertChange = { fingerprint: string; status: AlertStatusView; at: number };

export type AlertingEngineOptions = {
  /** Public base URL for links in payloads. */
  appBaseUrl: string;
  nowMs?: () => number;
  /** Called after each commit (outside the transaction): publish on the bus, wake the dispatcher. */
  onCommitted?: (summary: { alertChanges: AlertChange[]; outboxRows: number; nextWakeAtMs: number | null }) => void;
  /**
   * The pool under `db` (Database.pool): batch transactions then run on a plain pg connection
   * instead of a Prisma interactive transaction (lower commit latency; same statements).
   */
  pool?: PgPoolLike;
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
const ALERT_INSERT_COLUMNS = { fingerprint: "text", check: "text", market: "text", feed: "text", severity: "text", value: "float8", threshold: "float8", labels: "jsonb", firedAt: "timestamp" } as const;
const ALERT_EVENT_COLUMNS = { alertId: "bigint", kind: "text", actor: "text", at: "timestamp", value: "float8", severity: "text" } as const;
/** Outbox rows as outbox.ts builds them (status, attempts: database defaults). */
const GROUP_COLUMNS = { key: "text", snapshot: "jsonb", updatedAt: "timestamp" } as const;
export const OUTBOX_COLUMNS = { messageId: "text", endpointId: "text", eventType: "text", payload: "jsonb", nextAttemptAt: "timestamp", createdAt: "timestamp" } as const;

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
    const transaction = <T>(work: (tx: RawRunner) => Promise<T>): Promise<T> =>
      this.options.pool ? withPgTransaction(this.options.pool, work) : this.db.$transaction((tx) => work(tx), { maxWait: 60_000, timeout: 60_000 });
    await transaction(
      async (tx) => {
        const applied = await this.applyOps(tx, ops, now, events);
        for (const row of applied) {
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
        const groups = this.changedGroups(now);
        groupRows = groups.next;
        // Events, outbox rows and notifier state in ONE statement (data-modifying CTEs): one round trip.
        const events$ = insertSql("AlertEvent", ALERT_EVENT_COLUMNS);
        const outbox$ = insertSql("OutboxDelivery", OUTBOX_COLUMNS, `ON CONFLICT ("messageId") DO NOTHING`).replace("$1", "$2");
        const groups$ = insertSql("NotifierGroup", GROUP_COLUMNS, `ON CONFLICT ("key") DO UPDATE SET "snapshot" = EXCLUDED."snapshot", "updatedAt" = EXCLUDED."updatedAt"`).replace("$1", "$3");
        await tx.$executeRawUnsafe(
          `WITH e AS (${events$}), o AS (${outbox$}), g AS (${groups$}),
                d AS (DELETE FROM "NotifierGroup" WHERE "key" IN (SELECT jsonb_array_elements_text($4::jsonb)))
           SELECT 1`,
          rowsJson(events),
          rowsJson(rows),
          rowsJson(groups.changed),
          JSON.stringify(groups.removed),
        );
        outboxRows = rows.length;
      },
    );
    this.persistedGroups = groupRows;
    this.options.onCommitted?.({ alertChanges, outboxRows, nextWakeAtMs: this.notifier.nextWakeAtMs() });
    return results;
  }

  /**
   * Applies a batch's alert operations with a few bulk statements per segment (a segment holds each
   * fingerprint at most once, so its statements are independent), then returns the changed row of
   * every op in op order (null = no-op). One statement per op would make the round trips, not the
   * database, the limit.
   */
  private async applyOps(tx: RawRunner, ops: Op[], now: number, events: Prisma.AlertEventCreateManyInput[]): Promise<(AlertRow | null)[]> {
    const rows: (AlertRow | null)[] = new Array(ops.length).fill(null);
    let segment: number[] = [];
    let seen = new Set<string>();
    const run = async () => {
      if (segment.length > 0) await this.applySegment(tx, ops, segment, now, events, rows);
      segment = [];
      seen = new Set();
    };
    for (let i = 0; i < ops.length; i++) {
      const op = ops[i];
      if (op.type === "flush" || op.type === "reload") continue;
      const fingerprint = op.type === "ack" ? op.fingerprint : op.event.fingerprint;
      if (seen.has(fingerprint)) await run();
      seen.add(fingerprint);
      segment.push(i);
    }
    await run();
    return rows;
  }

  private async applySegment(tx: RawRunner, ops: Op[], indexes: number[], now: number, events: Prisma.AlertEventCreateManyInput[], rows: (AlertRow | null)[]) {
    const firing: { index: number; e: AlertEventInput }[] = [];
    const resolved: { index: number; e: AlertEventInput }[] = [];
    const acks: { index: number; fingerprint: string; actor: string }[] = [];
    for (const index of indexes) {
      const op = ops[index];
      if (op.type === "ack") acks.push({ index, fingerprint: op.fingerprint, actor: op.actor });
      else if (op.type === "event") (op.event.kind === "firing" ? firing : resolved).push({ index, e: op.event });
    }
    if (firing.length > 0) {
      // The partial unique index "Alert_one_open_per_fingerprint" makes a second open alert a no-op.
      const inserted = await tx.$queryRawUnsafe<AlertRow[]>(
        insertSql("Alert", ALERT_INSERT_COLUMNS, `ON CONFLICT DO NOTHING RETURNING ${ALERT_COLUMNS}`),
        rowsJson(
          firing.map(({ e }) => ({
            fingerprint: e.fingerprint,
            check: e.check,
            market: e.market ?? NO_PART,
            feed: e.feed,
            severity: e.severity,
            value: e.value,
            threshold: e.threshold,
            labels: storedLabels(e),
            firedAt: new Date(e.at),
          })),
        ),
      );
      const byFingerprint = new Map(inserted.map((r) => [r.fingerprint, r]));
      for (const { index, e } of firing) {
        const row = byFingerprint.get(e.fingerprint) ?? null;
        rows[index] = row;
        if (row) events.push({ alertId: row.id, kind: "firing", at: new Date(e.at), value: e.value, severity: e.severity });
      }
    }
    if (resolved.length > 0) {
      const { from } = recordset({ fingerprint: "text", at: "timestamp" }, 1);
      const updated = await tx.$queryRawUnsafe<AlertRow[]>(
        `UPDATE "Alert" AS a SET "resolvedAt" = x."at" AT TIME ZONE 'UTC' FROM ${from}
          WHERE a."fingerprint" = x."fingerprint" AND a."resolvedAt" IS NULL RETURNING ${ALERT_COLUMNS.replace(/"(\w+)"/g, 'a."$1"')}`,
        rowsJson(resolved.map(({ e }) => ({ fingerprint: e.fingerprint, at: new Date(e.at) }))),
      );
      const byFingerprint = new Map(updated.map((r) => [r.fingerprint, r]));
      for (const { index, e } of resolved) {
        const row = byFingerprint.get(e.fingerprint) ?? null;
        rows[index] = row;
        if (row) events.push({ alertId: row.id, kind: "resolved", at: new Date(e.at), value: e.value, severity: row.severity });
      }
    }
    if (acks.length > 0) {
      const { from } = recordset({ fingerprint: "text", actor: "text" }, 1);
      const updated = await tx.$queryRawUnsafe<AlertRow[]>(
        `UPDATE "Alert" AS a SET "acknowledgedAt" = $2::timestamptz AT TIME ZONE 'UTC', "acknowledgedBy" = x."actor" FROM ${from}
          WHERE a."fingerprint" = x."fingerprint" AND a."resolvedAt" IS NULL AND a."acknowledgedAt" IS NULL
          RETURNING ${ALERT_COLUMNS.replace(/"(\w+)"/g, 'a."$1"')}`,
        rowsJson(acks.map(({ fingerprint, actor }) => ({ fingerprint, actor }))),
        new Date(now).toISOString(),
      );
      const byFingerprint = new Map(updated.map((r) => [r.fingerprint, r]));
      for (const { index, fingerprint, actor } of acks) {
        const row = byFingerprint.get(fingerprint) ?? null;
        rows[index] = row;
        if (row) events.push({ alertId: row.id, kind: "acknowledged", actor, at: new Date(now), value: row.value, severity: row.severity });
      }
    }
  }

  /** Groups changed or removed since the last commit, and the map to keep once this one commits. */
  private changedGroups(now: number) {
    const snapshot = this.notifier.snapshot();
    const next = new Map<string, string>();
    const changed: { key: string; snapshot: unknown; updatedAt: Date }[] = [];
    for (const group of snapshot.groups) {
      const key = groupRowKey(group);
      const text = JSON.stringify(group);
      next.set(key, text);
      if (this.persistedGroups.get(key) !== text) changed.push({ key, snapshot: group, updatedAt: new Date(now) });
    }
    const removed = [...this.persistedGroups.keys()].filter((key) => !next.has(key));
    return { next, changed, removed };
  }
}

export { labelsFor };
export type { Alert };
