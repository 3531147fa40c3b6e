// The process's alerting state: one lib/alerts Notifier, restored from the database, whose every
// change commits in ONE transaction with the alert rows and the outbox rows it produced
// (transactional outbox), plus the Notifier state itself (NotifierGroup rows), so a crash neither
// re-pages nor loses a resolve.
//
// Serialisation: the Notifier is in memory, so its changes and their transaction must not interleave.
// Operations queue up and run one batch at a time, each batch in one transaction (group commit:
// under load many alerts share one commit; PGlite has one connection anyway). If a transaction
// fails, the in-memory Notifier is rebuilt from the database, which still holds the last commit.
//
// Round trips (each one a syscall and a wake-up of the database process, which under CPU contention
// were most of the commit latency on the webhook bench):
// - usually ONE statement per batch: the engine is the only writer of Alert rows and its Notifier
//   holds every open alert, so it knows which firings open an alert and which resolves/acks close
//   or mark one before asking the database. It applies them to the Notifier, and one statement
//   writes the alert changes, their events, the outbox rows and the changed notifier groups, and
//   checks that the database changed exactly the predicted alerts. If not (someone else wrote Alert
//   rows), the statement fails, nothing is written, and the batch is redone the long way from a
//   Notifier rebuilt from the database;
// - the long way, also for batches holding one fingerprint twice: the alert writes first (their
//   results decide what the Notifier sees), then the rest with COMMIT — two round trips on a pool.
// A dispatcher in this process can take the new outbox rows straight from the commit (`handOffTo`):
// they are inserted already claimed (`delivering`, locked as a claim would lock them) and sent
// without a claim query. A crash before they are sent leaves them to the lock expiry like any
// claimed row: at-least-once either way.
import { Notifier, type GroupChanges, type NotifierSnapshot, type RouteConfig, type Silence } from "../../../lib/alerts";
import type { Alert } from "../../../lib/alerts/types";
import type { PrismaClient } from "../../../generated/prisma/client";
import type { Tx } from "../../db";
import { alertFromRow, labelsFor, NO_PART, statusOf, storedLabels, type AlertEventInput, type AlertRowLike, type AlertStatusView } from "./alert-model";
import { CLAIMED_ENDPOINT_COLUMNS, outboxRowsFor, type ClaimedDelivery, type DeliveryHandOff, type EndpointForOutbox } from "../webhooks/outbox";
import { inTransaction, insertSql, recordset, rowsJson, type PgPoolLike, type Statement, type StatementTransaction } from "./sql-rows";

export type AlertChange = { fingerprint: string; status: AlertStatusView; at: number };

export type AlertingEngineOptions = {
  /** Public base URL for links in payloads. */
  appBaseUrl: string;
  nowMs?: () => number;
  /**
   * Called after each commit (outside the transaction): publish on the bus, wake the dispatcher.
   * `handedOff` of the `outboxRows` went to the dispatcher directly (handOffTo); only the rest wait
   * for its claim.
   */
  onCommitted?: (summary: { alertChanges: AlertChange[]; outboxRows: number; handedOff: number; nextWakeAtMs: number | null }) => void;
  /**
   * The pool under `db` (Database.pool): batch transactions then run on a plain pg connection, each
   * step in one round trip, instead of a Prisma interactive transaction (same statements).
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
/** Events of predicted changes: the alert is named by fingerprint, its id comes from the same statement. */
const PREDICTED_EVENT_COLUMNS = { fingerprint: "text", kind: "text", actor: "text", at: "timestamp", value: "float8", severity: "text" } as const;
const GROUP_COLUMNS = { key: "text", snapshot: "jsonb", updatedAt: "timestamp" } as const;
/** Outbox rows as outbox.ts builds them, plus whether to insert the row claimed for the hand-off. */
const OUTBOX_COLUMNS = { messageId: "text", endpointId: "text", eventType: "text", payload: "jsonb", nextAttemptAt: "timestamp", createdAt: "timestamp", handOff: "bool" } as const;
const RESOLVE_COLUMNS = { fingerprint: "text", at: "timestamp" } as const;
const ACK_COLUMNS = { fingerprint: "text", actor: "text" } as const;
const A_ALERT_COLUMNS = ALERT_COLUMNS.replace(/"(\w+)"/g, 'a."$1"');

/** Message of the error the one-statement path raises when the database disagrees with the prediction. */
const DIVERGED = "alert state diverged from the database";

/**
 * Outbox rows and notifier state as data-modifying CTEs `o`, `g`, `d`, with their parameters at the
 * given positions. Outbox rows marked `handOff` whose endpoint is enabled and not paused (the claim's
 * own conditions) are inserted `delivering` with the claim's lock. The LEFT JOIN keeps a row for a
 * vanished endpoint, so its foreign key still fails the transaction.
 */
function outboxAndGroupsCtes(p: { outbox: number; groups: number; removed: number; now: number; lockedUntil: number }): string {
  const outbox = recordset(OUTBOX_COLUMNS, p.outbox);
  const claim = `COALESCE(x."handOff" AND w."enabled" AND (w."pausedUntil" IS NULL OR w."pausedUntil" <= $${p.now}::timestamptz AT TIME ZONE 'UTC'), false)`;
  const groups = insertSql("NotifierGroup", GROUP_COLUMNS, `ON CONFLICT ("key") DO UPDATE SET "snapshot" = EXCLUDED."snapshot", "updatedAt" = EXCLUDED."updatedAt"`, p.groups);
  return `o AS (
    INSERT INTO "OutboxDelivery" ("messageId", "endpointId", "eventType", "payload", "nextAttemptAt", "createdAt", "status", "lockedUntil")
    SELECT x."messageId", x."endpointId", x."eventType", x."payload", ${outbox.select.nextAttemptAt}, ${outbox.select.createdAt},
           CASE WHEN ${claim} THEN 'delivering' ELSE 'pending' END,
           CASE WHEN ${claim} THEN $${p.lockedUntil}::timestamptz AT TIME ZONE 'UTC' END
      FROM ${outbox.from} LEFT JOIN "WebhookEndpoint" w ON w."id" = x."endpointId"
    ON CONFLICT ("messageId") DO NOTHING
    RETURNING "id", "messageId", "endpointId", "attempts", "status"),
  g AS (${groups}),
  d AS (DELETE FROM "NotifierGroup" WHERE "key" IN (SELECT jsonb_array_elements_text($${p.removed}::jsonb)))`;
}

/** The rows inserted claimed, with their endpoint, as the dispatcher's claim returns them. */
const CLAIMED_SELECT = `SELECT o."id", o."messageId", o."endpointId", o."attempts", ${CLAIMED_ENDPOINT_COLUMNS("w")}
  FROM o JOIN "WebhookEndpoint" w ON w."id" = o."endpointId" WHERE o."status" = 'delivering'`;

/** The long way's second step: events (with alert ids from the first), outbox, notifier state. */
const WRITE_SQL = `WITH e AS (${insertSql("AlertEvent", ALERT_EVENT_COLUMNS)}),
  ${outboxAndGroupsCtes({ outbox: 2, groups: 3, removed: 4, now: 5, lockedUntil: 6 })}
${CLAIMED_SELECT}`;

/**
 * The one-statement batch: alert inserts/resolves/acks, their events, outbox, notifier state, and
 * the check that exactly the predicted fingerprints changed ($11, $12 of them). The check's CASE
 * casts an explanatory text to int when it fails, which aborts the statement with that text.
 * Returns one row per handed-off outbox row (at least one row), each with the changed alerts' ids.
 */
const PREDICTED_SQL = (() => {
  const resolves = recordset(RESOLVE_COLUMNS, 2);
  const acks = recordset(ACK_COLUMNS, 3);
  const events = recordset(PREDICTED_EVENT_COLUMNS, 5);
  return `WITH ins AS (${insertSql("Alert", ALERT_INSERT_COLUMNS, `ON CONFLICT DO NOTHING RETURNING "id", "fingerprint"`)}),
  res AS (UPDATE "Alert" AS a SET "resolvedAt" = ${resolves.select.at} FROM ${resolves.from}
           WHERE a."fingerprint" = x."fingerprint" AND a."resolvedAt" IS NULL RETURNING a."id", a."fingerprint"),
  ack AS (UPDATE "Alert" AS a SET "acknowledgedAt" = $4::timestamptz AT TIME ZONE 'UTC', "acknowledgedBy" = x."actor" FROM ${acks.from}
           WHERE a."fingerprint" = x."fingerprint" AND a."resolvedAt" IS NULL AND a."acknowledgedAt" IS NULL RETURNING a."id", a."fingerprint"),
  changed AS (SELECT * FROM ins UNION ALL SELECT * FROM res UNION ALL SELECT * FROM ack),
  e AS (INSERT INTO "AlertEvent" ("alertId", "kind", "actor", "at", "value", "severity")
        SELECT c."id", x."kind", x."actor", ${events.select.at}, x."value", x."severity" FROM ${events.from} JOIN changed c ON c."fingerprint" = x."fingerprint"),
  ${outboxAndGroupsCtes({ outbox: 6, groups: 7, removed: 8, now: 9, lockedUntil: 10 })},
  verdict AS (SELECT (SELECT count(*) FROM changed) AS n,
                     (SELECT count(*) FROM changed WHERE "fingerprint" IN (SELECT jsonb_array_elements_text($11::jsonb))) AS m)
SELECT CASE WHEN v.n = $12::bigint AND v.m = $12::bigint THEN 1
            ELSE ('${DIVERGED}: expected ' || $12::bigint || ' alert changes, the database made ' || v.n || ', ' || v.m || ' of them predicted')::int END AS "verified",
       (SELECT json_agg(json_build_object('id', c."id"::text, 'fingerprint', c."fingerprint")) FROM changed c) AS "changedAlerts",
       claimed.*
  FROM verdict v LEFT JOIN (${CLAIMED_SELECT}) AS claimed ON true`;
})();

function groupRowKey(group: { endpointId: string; groupKey: string }): string {
  return JSON.stringify([group.endpointId, group.groupKey]);
}

function noChange(): RecordResult {
  return { changed: false, alertId: null, status: null };
}

/** An op's fingerprint, or null for flush/reload. */
function fingerprintOf(op: Op): string | null {
  return op.type === "ack" ? op.fingerprint : op.type === "event" ? op.event.fingerprint : null;
}

type EventRow = { kind: string; actor?: string | null; at: Date; value: number; severity: string };

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
  private handOff: DeliveryHandOff | null = null;
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
  }

  /**
   * New outbox rows go straight to this dispatcher (in this process) as far as it has room, instead
   * of waiting for its claim query; null stops that (the dispatcher is stopping).
   */
  handOffTo(target: DeliveryHandOff | null): void {
    this.handOff = target;
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
      if (next === null || next > now) return ops.map(noChange);
    }
    const fingerprints = ops.map(fingerprintOf).filter((f): f is string => f !== null);
    if (new Set(fingerprints).size === fingerprints.length) {
      try {
        return await this.commitPredicted(ops, now);
      } catch (error) {
        const diverged = error instanceof Error ? new RegExp(`${DIVERGED}[^"]*`).exec(error.message) : null;
        if (!diverged) throw error;
        console.warn(`[alerting] ${diverged[0]}; rebuilding the notifier from the database`);
        await this.restoreFromDatabase();
      }
    }
    return this.commitInTwoSteps(ops, now);
  }

  /** One statement: the alert changes are predicted from the Notifier and checked by the database. */
  private async commitPredicted(ops: Op[], now: number): Promise<RecordResult[]> {
    const inserts: Record<string, unknown>[] = [];
    const resolves: { fingerprint: string; at: Date }[] = [];
    const acks: { fingerprint: string; actor: string }[] = [];
    const events: (EventRow & { fingerprint: string })[] = [];
    const predicted: { index: number; alert: Alert; status: AlertStatusView }[] = [];
    ops.forEach((op, index) => {
      if (op.type === "event") {
        const e = op.event;
        const open = this.notifier.firingAlert(e.fingerprint);
        if (e.kind === "firing") {
          // Sent even when open: the partial unique index decides, and the check catches a surprise.
          const row = { fingerprint: e.fingerprint, check: e.check, market: e.market ?? NO_PART, feed: e.feed, severity: e.severity, value: e.value, threshold: e.threshold, labels: storedLabels(e), firedAt: new Date(e.at) };
          inserts.push(row);
          if (open) return;
          predicted.push({ index, alert: alertFromRow({ ...row, resolvedAt: null, acknowledgedAt: null, acknowledgedBy: null }), status: "firing" });
          events.push({ fingerprint: e.fingerprint, kind: "firing", at: new Date(e.at), value: e.value, severity: e.severity });
        } else {
          resolves.push({ fingerprint: e.fingerprint, at: new Date(e.at) });
          if (!open) return;
          predicted.push({ index, alert: { ...open, status: "resolved", resolvedAtMs: e.at }, status: "resolved" });
          events.push({ fingerprint: e.fingerprint, kind: "resolved", at: new Date(e.at), value: e.value, severity: open.labels.severity ?? e.severity });
        }
      } else if (op.type === "ack") {
        const open = this.notifier.firingAlert(op.fingerprint);
        acks.push({ fingerprint: op.fingerprint, actor: op.actor });
        if (!open || open.acknowledgedAtMs !== null) return;
        predicted.push({ index, alert: { ...open, acknowledgedAtMs: now, acknowledgedBy: op.actor }, status: "acknowledged" });
        events.push({ fingerprint: op.fingerprint, kind: "acknowledged", actor: op.actor, at: new Date(now), value: open.value ?? 0, severity: open.labels.severity ?? "warning" });
      }
    });
    for (const p of predicted) this.notifier.ingest(p.alert);
    const writes = this.notifierWrites(now);
    if (inserts.length + resolves.length + acks.length === 0 && writes.empty) {
      this.afterCommit([], writes, []);
      return ops.map(noChange);
    }
    const result = await inTransaction({ pool: this.options.pool, prisma: this.db }, async (tx) => {
      const [rows] = await tx.run(
        [
          {
            text: PREDICTED_SQL,
            values: [
              rowsJson(inserts),
              rowsJson(resolves),
              rowsJson(acks),
              new Date(now).toISOString(),
              rowsJson(events),
              ...writes.values,
              JSON.stringify(predicted.map((p) => p.alert.fingerprint)),
              predicted.length,
            ],
          },
        ],
        { commit: true },
      );
      return rows as ({ changedAlerts: { id: string; fingerprint: string }[] | null } & Partial<Omit<ClaimedDelivery, "payload">>)[];
    });
    const ids = new Map((result[0]?.changedAlerts ?? []).map((c) => [c.fingerprint, BigInt(c.id)]));
    const results = ops.map(noChange);
    for (const p of predicted) results[p.index] = { changed: true, alertId: ids.get(p.alert.fingerprint) ?? null, status: p.status };
    const claimed = result.filter((r): r is typeof r & Omit<ClaimedDelivery, "payload"> => r.id !== null && r.id !== undefined);
    this.afterCommit(
      predicted.map((p) => ({ fingerprint: p.alert.fingerprint, status: p.status, at: now })),
      writes,
      claimed,
    );
    return results;
  }

  /** The long way: alert writes first (their results decide what the Notifier sees), then the rest. */
  private async commitInTwoSteps(ops: Op[], now: number): Promise<RecordResult[]> {
    const results: RecordResult[] = [];
    const alertChanges: AlertChange[] = [];
    const events: (EventRow & { alertId: bigint })[] = [];
    let writes: ReturnType<AlertingEngine["notifierWrites"]> | null = null;
    const claimed = await inTransaction({ pool: this.options.pool, prisma: this.db }, async (tx) => {
      const applied = await this.applyOps(tx, ops, now, events);
      for (const row of applied) {
        if (!row) {
          results.push(noChange());
          continue;
        }
        const status = statusOf(row);
        results.push({ changed: true, alertId: row.id, status });
        alertChanges.push({ fingerprint: row.fingerprint, status, at: now });
        this.notifier.ingest(alertFromRow(row));
      }
      writes = this.notifierWrites(now);
      if (events.length === 0 && writes.empty) {
        await tx.run([], { commit: true });
        return [];
      }
      const [rows] = await tx.run([{ text: WRITE_SQL, values: [rowsJson(events), ...writes.values] }], { commit: true });
      return rows as Omit<ClaimedDelivery, "payload">[];
    });
    if (writes) this.afterCommit(alertChanges, writes, claimed);
    return results;
  }

  /**
   * What the Notifier decided after the batch's changes: due notifications as outbox rows (the first
   * `handOffRoom` marked for the hand-off) and the changed groups, as the write CTEs' parameters.
   */
  private notifierWrites(now: number) {
    const flush = this.notifier.flushDue();
    const { rows, skipped } = outboxRowsFor(flush.notifications, this.endpoints, this.options.appBaseUrl, new Date(now));
    for (const n of skipped) console.warn(`[alerting] route ${n.routeId} names unknown webhook endpoint ${n.endpointId}; notification dropped`);
    const groups: GroupChanges = this.notifier.takeGroupChanges();
    const handOff = this.handOff;
    const handOffRoom = handOff && rows.length > 0 ? handOff.capacity() : 0;
    return {
      rows,
      handOff,
      empty: rows.length === 0 && groups.changed.length === 0 && groups.removed.length === 0,
      /** outbox, groups, removed, now, lockedUntil — in the CTEs' parameter order. */
      values: [
        rowsJson(rows.map((row, i) => ({ ...row, handOff: i < handOffRoom }))),
        rowsJson(groups.changed.map((group) => ({ key: groupRowKey(group), snapshot: group, updatedAt: new Date(now) }))),
        JSON.stringify(groups.removed.map(groupRowKey)),
        new Date(now).toISOString(),
        handOffRoom > 0 && handOff ? new Date(handOff.lockedUntilMs()).toISOString() : null,
      ],
    };
  }

  /** After the commit: the rows exist, so a dispatcher that sends them can record the outcome. */
  private afterCommit(alertChanges: AlertChange[], writes: ReturnType<AlertingEngine["notifierWrites"]>, claimed: Omit<ClaimedDelivery, "payload">[]): void {
    const payloads = new Map(writes.rows.map((row) => [row.messageId, row.payload]));
    const handedOff: ClaimedDelivery[] = claimed.map((c) => ({ ...c, payload: payloads.get(c.messageId) }));
    if (writes.handOff && writes.rows.length > 0) writes.handOff.accept(handedOff, writes.rows.length - handedOff.length);
    this.options.onCommitted?.({ alertChanges, outboxRows: writes.rows.length, handedOff: handedOff.length, nextWakeAtMs: this.notifier.nextWakeAtMs() });
  }

  /**
   * Applies a batch's alert operations with a few bulk statements per segment (a segment holds each
   * fingerprint at most once, so its statements are independent), then returns the changed row of
   * every op in op order (null = no-op). One statement per op would make the round trips, not the
   * database, the limit.
   */
  private async applyOps(tx: StatementTransaction, ops: Op[], now: number, events: (EventRow & { alertId: bigint })[]): Promise<(AlertRow | null)[]> {
    const rows: (AlertRow | null)[] = new Array(ops.length).fill(null);
    let segment: number[] = [];
    let seen = new Set<string>();
    const run = async () => {
      if (segment.length > 0) await this.applySegment(tx, ops, segment, now, events, rows);
      segment = [];
      seen = new Set();
    };
    for (let i = 0; i < ops.length; i++) {
      const fingerprint = fingerprintOf(ops[i]);
      if (fingerprint === null) continue;
      if (seen.has(fingerprint)) await run();
      seen.add(fingerprint);
      segment.push(i);
    }
    await run();
    return rows;
  }

  private async applySegment(tx: StatementTransaction, ops: Op[], indexes: number[], now: number, events: (EventRow & { alertId: bigint })[], rows: (AlertRow | null)[]) {
    const firing: { index: number; e: AlertEventInput }[] = [];
    const resolved: { index: number; e: AlertEventInput }[] = [];
    const acks: { index: number; fingerprint: string; actor: string }[] = [];
    for (const index of indexes) {
      const op = ops[index];
      if (op.type === "ack") acks.push({ index, fingerprint: op.fingerprint, actor: op.actor });
      else if (op.type === "event") (op.event.kind === "firing" ? firing : resolved).push({ index, e: op.event });
    }
    // A segment holds each fingerprint once, so its statements are independent: one round trip.
    const statements: Statement[] = [];
    if (firing.length > 0) {
      // The partial unique index "Alert_one_open_per_fingerprint" makes a second open alert a no-op.
      statements.push({
        text: insertSql("Alert", ALERT_INSERT_COLUMNS, `ON CONFLICT DO NOTHING RETURNING ${ALERT_COLUMNS}`),
        values: [
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
        ],
      });
    }
    if (resolved.length > 0) {
      const { from } = recordset(RESOLVE_COLUMNS, 1);
      statements.push({
        text: `UPDATE "Alert" AS a SET "resolvedAt" = x."at" AT TIME ZONE 'UTC' FROM ${from}
          WHERE a."fingerprint" = x."fingerprint" AND a."resolvedAt" IS NULL RETURNING ${A_ALERT_COLUMNS}`,
        values: [rowsJson(resolved.map(({ e }) => ({ fingerprint: e.fingerprint, at: new Date(e.at) })))],
      });
    }
    if (acks.length > 0) {
      const { from } = recordset(ACK_COLUMNS, 1);
      statements.push({
        text: `UPDATE "Alert" AS a SET "acknowledgedAt" = $2::timestamptz AT TIME ZONE 'UTC', "acknowledgedBy" = x."actor" FROM ${from}
          WHERE a."fingerprint" = x."fingerprint" AND a."resolvedAt" IS NULL AND a."acknowledgedAt" IS NULL
          RETURNING ${A_ALERT_COLUMNS}`,
        values: [rowsJson(acks.map(({ fingerprint, actor }) => ({ fingerprint, actor }))), new Date(now).toISOString()],
      });
    }
    if (statements.length === 0) return;
    const results = (await tx.run(statements)) as AlertRow[][];
    let next = 0;
    if (firing.length > 0) {
      const byFingerprint = new Map(results[next++].map((r) => [r.fingerprint, r]));
      for (const { index, e } of firing) {
        const row = byFingerprint.get(e.fingerprint) ?? null;
        rows[index] = row;
        if (row) events.push({ alertId: row.id, kind: "firing", at: new Date(e.at), value: e.value, severity: e.severity });
      }
    }
    if (resolved.length > 0) {
      const byFingerprint = new Map(results[next++].map((r) => [r.fingerprint, r]));
      for (const { index, e } of resolved) {
        const row = byFingerprint.get(e.fingerprint) ?? null;
        rows[index] = row;
        if (row) events.push({ alertId: row.id, kind: "resolved", at: new Date(e.at), value: e.value, severity: row.severity });
      }
    }
    if (acks.length > 0) {
      const byFingerprint = new Map(results[next++].map((r) => [r.fingerprint, r]));
      for (const { index, fingerprint, actor } of acks) {
        const row = byFingerprint.get(fingerprint) ?? null;
        rows[index] = row;
        if (row) events.push({ alertId: row.id, kind: "acknowledged", actor, at: new Date(now), value: row.value, severity: row.severity });
      }
    }
  }
}

export { labelsFor };
export type { Alert };
