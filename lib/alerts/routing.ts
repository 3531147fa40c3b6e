// Routing and the notification state machine.
//
// Routes (shared contracts/config-and-replay.md): tried in order, EVERY matching route sends to
// each of its webhooks; `match` lists label values that must all match (a list = any of them);
// `match: {}` matches everything.
//
// Aggregation groups follow Alertmanager's dispatcher (prometheus/alertmanager dispatch/dispatch.go,
// `aggrGroup`) and its dedup stage (notify/notify.go, `DedupStage.needsUpdate`):
// - one group per (route, endpoint, values of the route's groupBy labels);
// - a new group flushes first after `groupWaitMs` (newAggrGroup: `time.NewTimer(GroupWait)`),
//   immediately if it has not flushed yet and an inserted alert started more than groupWait ago
//   (aggrGroup.insert);
// - after every flush the next one is `groupIntervalMs` later (run: `ag.next.Reset(GroupInterval)`),
//   whether or not anything was sent;
// - at a flush, a notification is sent when: nothing was sent before and something fires; a firing
//   alert was not in the previous notification's firing set; an alert the endpoint was told is
//   firing has resolved; or, nothing having changed, the previous notification is older than
//   `repeatIntervalMs` (`entry.Timestamp.Before(now.Add(-repeat))`: strictly older, so with flushes
//   every groupInterval the repeat goes out at the first flush AFTER repeatInterval has elapsed,
//   exactly as Alertmanager does);
// - resolved alerts leave the group after the flush; an empty group is deleted, so the next alert
//   with that key waits groupWait again.
//
// Riskwarden differences, chosen for the on-call complaints in the issue:
// - resolve invariant: per (route, endpoint, group) we keep the set of fingerprints the endpoint
//   was told are firing and not yet told resolved. A resolved alert is sent to an endpoint only if
//   it is in that set, and always is (silences, inhibition and mute windows hide FIRING alerts
//   only; Alertmanager's mute stage drops resolves of silenced alerts, and its send_resolved=false
//   loses them altogether);
// - acknowledgement: a repeat is skipped when every firing alert in it is acknowledged; new firing
//   alerts and resolves still go out;
// - mute windows suppress firing notifications of a route while active; resolves of alerts the
//   endpoint was told about are still sent (telling on-call that something is over is never noise);
// - informational events (governance) are sent at the next wake-up to every matching endpoint,
//   once, not grouped, repeated or resolved; silences and mute windows apply to them.
//
// The emitted notification is treated as sent (the caller writes it to the outbox in the same step,
// and the outbox retries until delivery or dead-letter), so state advances on emission.

import { compileMatcher, matchesAll, matchersFromMatchMap, parseMatcher, type CompiledMatcher, type LabelMatcher } from "./matchers";
import { compileMuteWindow, type CompiledMuteWindow, type MuteWindow } from "./mute-windows";
import {
  buildInhibitionIndex,
  compileInhibitRule,
  compileSilence,
  DEFAULT_INHIBIT_RULES,
  silencedBy,
  type CompiledInhibitRule,
  type CompiledSilence,
  type InhibitionIndex,
  type InhibitRule,
  type Silence,
} from "./silences";
import { stableHash } from "./hash";
import type { Alert, AlertLabels, InfoEvent, Notification, NotificationReason } from "./types";

/** Alertmanager's defaults (https://prometheus.io/docs/alerting/latest/configuration/#route). */
export const DEFAULT_GROUP_WAIT_MS = 30_000;
export const DEFAULT_GROUP_INTERVAL_MS = 300_000;
export const DEFAULT_REPEAT_INTERVAL_MS = 4 * 3_600_000;
/** `groupBy: ["..."]` groups by every label, i.e. one group per distinct alert label set. */
export const GROUP_BY_ALL = "...";

export interface RouteConfig {
  /** Stable id for group keys and the UI; defaults to `route-<index>`. */
  id?: string;
  match?: Record<string, string | string[]>;
  /** Additional Alertmanager-style matchers (`market=~"BTC-.*"`), all must match. */
  matchers?: (string | LabelMatcher)[];
  webhooks: string[];
  /** Labels whose values split alerts into groups; default none = one group per route and webhook (Alertmanager). */
  groupBy?: string[];
  groupWaitMs?: number;
  groupIntervalMs?: number;
  repeatIntervalMs?: number;
  /** Names of mute windows during which this route sends no firing notifications. */
  muteWindows?: string[];
}

export interface CompiledRoute {
  id: string;
  index: number;
  matchers: CompiledMatcher[];
  webhooks: string[];
  groupBy: string[];
  groupWaitMs: number;
  groupIntervalMs: number;
  repeatIntervalMs: number;
  muteWindows: string[];
}

export function compileRoute(route: RouteConfig, index: number): CompiledRoute {
  const id = route.id ?? `route-${index}`;
  const matchers = [
    ...matchersFromMatchMap(route.match ?? {}),
    ...(route.matchers ?? []).map((m) => (typeof m === "string" ? parseMatcher(m) : m)),
  ].map(compileMatcher);
  const groupWaitMs = route.groupWaitMs ?? DEFAULT_GROUP_WAIT_MS;
  const groupIntervalMs = route.groupIntervalMs ?? DEFAULT_GROUP_INTERVAL_MS;
  const repeatIntervalMs = route.repeatIntervalMs ?? DEFAULT_REPEAT_INTERVAL_MS;
  for (const [name, v] of Object.entries({ groupWaitMs, groupIntervalMs, repeatIntervalMs })) {
    if (!Number.isFinite(v) || v < 0) throw new Error(`route ${id}: ${name} must be a non-negative number of ms, got ${v}`);
  }
  if (groupIntervalMs <= 0) throw new Error(`route ${id}: groupIntervalMs must be positive`);
  return {
    id,
    index,
    matchers,
    webhooks: [...route.webhooks],
    groupBy: route.groupBy ?? [],
    groupWaitMs,
    groupIntervalMs,
    repeatIntervalMs,
    muteWindows: route.muteWindows ?? [],
  };
}

export function routeMatches(route: CompiledRoute, labels: AlertLabels): boolean {
  return matchesAll(route.matchers, labels);
}

/** Every matching route, in config order (no first-match stop: every matching route sends). */
export function matchingRoutes(routes: readonly CompiledRoute[], labels: AlertLabels): CompiledRoute[] {
  return routes.filter((r) => routeMatches(r, labels));
}

export function groupLabelsFor(groupBy: readonly string[], labels: AlertLabels): Record<string, string> {
  const out: Record<string, string> = {};
  const names = groupBy.includes(GROUP_BY_ALL) ? Object.keys(labels) : groupBy;
  for (const name of [...names].sort()) {
    const v = labels[name];
    if (v !== undefined && v !== "") out[name] = v;
  }
  return out;
}

/** `routeId:{a="x",b="y"}`, the shape of Alertmanager's `aggrGroup.GroupKey()`. */
export function groupKeyFor(routeId: string, groupLabels: Record<string, string>): string {
  const inner = Object.keys(groupLabels)
    .sort()
    .map((k) => `${k}=${JSON.stringify(groupLabels[k])}`)
    .join(",");
  return `${routeId}:{${inner}}`;
}

export function notificationId(parts: { routeId: string; endpointId: string; groupKey: string; atMs: number; reason: string; seq?: number }): string {
  return `ntf_${stableHash(`${parts.routeId}\u0000${parts.endpointId}\u0000${parts.groupKey}\u0000${parts.atMs}\u0000${parts.reason}\u0000${parts.seq ?? 0}`)}`;
}

export interface Clock {
  nowMs(): number;
}

export interface NotifierConfig {
  routes: RouteConfig[];
  /** Defaults to DEFAULT_INHIBIT_RULES; pass [] to disable inhibition. */
  inhibitRules?: InhibitRule[];
  silences?: Silence[];
  muteWindows?: MuteWindow[];
}

/** Why a firing alert is hidden from a notification, for the UI. */
export interface MuteState {
  silencedBy: string[];
  inhibitedBy: string | null;
}

/** Read-only view of one aggregation group (UI/debugging). */
export interface AggregationGroupView {
  key: string;
  routeId: string;
  endpointId: string;
  groupKey: string;
  groupLabels: Record<string, string>;
  alertFingerprints: string[];
  toldFiring: string[];
  lastNotifiedAtMs: number | null;
  nextFlushAtMs: number;
}

interface AggregationGroup {
  key: string;
  route: CompiledRoute;
  endpointId: string;
  groupKey: string;
  groupLabels: Record<string, string>;
  alerts: Map<string, Alert>;
  nextFlushAtMs: number;
  hasFlushed: boolean;
  /** Firing set of the last notification (Alertmanager nflog entry `FiringAlerts`). */
  lastFiring: Set<string>;
  lastNotifiedAtMs: number | null;
  /** Told firing, not yet told resolved: the resolve invariant's ledger. */
  toldFiring: Set<string>;
}

interface PendingEvent {
  route: CompiledRoute;
  endpointId: string;
  event: InfoEvent;
}

export interface FlushResult {
  notifications: Notification[];
  /** When to call `flushDue` next (epoch ms), or null when nothing is pending. */
  nextWakeAtMs: number | null;
}

/**
 * JSON-serialisable notifier state. The dispatcher persists it (after each flush, in the same
 * transaction as the outbox rows) so a restart neither re-pages nor forgets which endpoints are owed
 * a resolve.
 */
export interface NotifierSnapshot {
  version: 1;
  firing: Alert[];
  groups: GroupSnapshot[];
  pendingEvents: { routeId: string; endpointId: string; event: InfoEvent }[];
}

/** One aggregation group's persisted state (NotifierSnapshot.groups). */
export interface GroupSnapshot {
  routeId: string;
  endpointId: string;
  groupKey: string;
  groupLabels: Record<string, string>;
  alerts: Alert[];
  nextFlushAtMs: number;
  hasFlushed: boolean;
  lastFiring: string[];
  lastNotifiedAtMs: number | null;
  toldFiring: string[];
}

/** Groups changed or deleted since the previous `takeGroupChanges()` (incremental persistence). */
export interface GroupChanges {
  changed: GroupSnapshot[];
  removed: { endpointId: string; groupKey: string }[];
}

function groupSnapshot(g: AggregationGroup): GroupSnapshot {
  return {
    routeId: g.route.id,
    endpointId: g.endpointId,
    groupKey: g.groupKey,
    groupLabels: { ...g.groupLabels },
    alerts: JSON.parse(JSON.stringify([...g.alerts.values()])) as Alert[],
    nextFlushAtMs: g.nextFlushAtMs,
    hasFlushed: g.hasFlushed,
    lastFiring: [...g.lastFiring],
    lastNotifiedAtMs: g.lastNotifiedAtMs,
    toldFiring: [...g.toldFiring],
  };
}

/** Stand-in for a route removed from config while its groups still owe resolves. */
function detachedRoute(id: string, endpointId: string, previous?: CompiledRoute): CompiledRoute {
  return {
    id,
    index: Number.MAX_SAFE_INTEGER,
    matchers: [],
    webhooks: [endpointId],
    groupBy: previous?.groupBy ?? [],
    groupWaitMs: previous?.groupWaitMs ?? DEFAULT_GROUP_WAIT_MS,
    groupIntervalMs: previous?.groupIntervalMs ?? DEFAULT_GROUP_INTERVAL_MS,
    repeatIntervalMs: previous?.repeatIntervalMs ?? DEFAULT_REPEAT_INTERVAL_MS,
    muteWindows: [],
  };
}

export class Notifier {
  private routes: CompiledRoute[] = [];
  private inhibitRules: CompiledInhibitRule[] = [];
  private silences: CompiledSilence[] = [];
  private muteWindows = new Map<string, CompiledMuteWindow>();
  private readonly groups = new Map<string, AggregationGroup>();
  /** Every firing alert, for inhibition (sources need not be routed anywhere). */
  private readonly firing = new Map<string, Alert>();
  /** fingerprint -> keys of the groups holding it. */
  private readonly groupKeysByFingerprint = new Map<string, Set<string>>();
  private pendingEvents: PendingEvent[] = [];
  /** Keys of groups created or changed, and of groups deleted, since the last takeGroupChanges(). */
  private readonly changedGroupKeys = new Set<string>();
  private readonly removedGroups = new Map<string, { endpointId: string; groupKey: string }>();

  constructor(config: NotifierConfig, private readonly clock: Clock) {
    this.configure(config);
  }

  /**
   * Replaces routes, rules, silences and windows atomically (a bad config throws and changes
   * nothing). Existing groups keep their state and pick up their route's new timings by route id;
   * groups of a removed route stay until they have delivered their resolves.
   */
  configure(config: NotifierConfig): void {
    const routes = config.routes.map(compileRoute);
    const ids = new Set<string>();
    for (const r of routes) {
      if (ids.has(r.id)) throw new Error(`duplicate route id ${r.id}`);
      ids.add(r.id);
    }
    const inhibitRules = (config.inhibitRules ?? DEFAULT_INHIBIT_RULES).map(compileInhibitRule);
    const silences = (config.silences ?? []).map(compileSilence);
    const muteWindows = new Map((config.muteWindows ?? []).map((w) => [w.name, compileMuteWindow(w)]));
    for (const r of routes) {
      for (const name of r.muteWindows) {
        if (!muteWindows.has(name)) throw new Error(`route ${r.id}: unknown mute window ${JSON.stringify(name)}`);
      }
    }
    this.routes = routes;
    this.inhibitRules = inhibitRules;
    this.silences = silences;
    this.muteWindows = muteWindows;
    const byId = new Map(routes.map((r) => [r.id, r]));
    for (const g of this.groups.values()) g.route = byId.get(g.route.id) ?? detachedRoute(g.route.id, g.endpointId, g.route);
  }

  setSilences(silences: Silence[]): void {
    this.silences = silences.map(compileSilence);
  }

  /**
   * Records the current state of an alert (new, updated, resolved or acknowledged). Labels are
   * expected to be fixed for a fingerprint; if they change, groups already holding the alert keep
   * receiving its updates (so its resolve still reaches them) and newly matching routes are added.
   */
  ingest(alert: Alert): void {
    const now = this.clock.nowMs();
    const snapshot: Alert = { ...alert, labels: { ...alert.labels } };
    if (snapshot.status === "firing") this.firing.set(snapshot.fingerprint, snapshot);
    else this.firing.delete(snapshot.fingerprint);

    // Groups already holding this alert (a told-firing alert stays in its group until its resolve
    // is flushed, so this covers every endpoint owed a resolve).
    const touched = new Set<string>();
    for (const key of this.groupKeysByFingerprint.get(snapshot.fingerprint) ?? []) {
      const group = this.groups.get(key);
      if (!group) continue;
      this.insert(group, snapshot, now);
      touched.add(key);
    }
    if (snapshot.status !== "firing") return; // a resolve never opens a group: nobody was told
    for (const route of matchingRoutes(this.routes, snapshot.labels)) {
      const groupLabels = groupLabelsFor(route.groupBy, snapshot.labels);
      const groupKey = groupKeyFor(route.id, groupLabels);
      for (const endpointId of route.webhooks) {
        const key = `${endpointId}\u0000${groupKey}`;
        if (touched.has(key)) continue;
        let group = this.groups.get(key);
        if (!group) {
          group = {
            key,
            route,
            endpointId,
            groupKey,
            groupLabels,
            alerts: new Map(),
            nextFlushAtMs: now + route.groupWaitMs,
            hasFlushed: false,
            lastFiring: new Set(),
            lastNotifiedAtMs: null,
            toldFiring: new Set(),
          };
          this.groups.set(key, group);
          this.removedGroups.delete(key);
        }
        this.insert(group, snapshot, now);
      }
    }
  }

  private insert(group: AggregationGroup, alert: Alert, now: number): void {
    this.changedGroupKeys.add(group.key);
    group.alerts.set(alert.fingerprint, alert);
    let keys = this.groupKeysByFingerprint.get(alert.fingerprint);
    if (!keys) this.groupKeysByFingerprint.set(alert.fingerprint, (keys = new Set()));
    keys.add(group.key);
    // dispatch.go aggrGroup.insert: "Immediately trigger a flush if the wait duration for this
    // alert is already over" (`alert.StartsAt.Add(GroupWait).Before(now)`, strictly).
    if (!group.hasFlushed && alert.firedAtMs + group.route.groupWaitMs < now) {
      group.nextFlushAtMs = Math.min(group.nextFlushAtMs, now);
    }
  }

  /** The alert as last ingested, if it is firing (acknowledged or not); a copy. */
  firingAlert(fingerprint: string): Alert | undefined {
    const alert = this.firing.get(fingerprint);
    return alert ? { ...alert, labels: { ...alert.labels } } : undefined;
  }

  /** Acknowledges a firing alert from the UI: no more repeats for it while it keeps firing. */
  acknowledge(fingerprint: string, acknowledgedBy?: string): boolean {
    const alert = this.firing.get(fingerprint);
    if (!alert) return false;
    this.ingest({ ...alert, acknowledgedAtMs: this.clock.nowMs(), acknowledgedBy: acknowledgedBy ?? null });
    return true;
  }

  /** Queues an informational event for every matching, unsilenced, unmuted route endpoint. */
  ingestEvent(event: InfoEvent): void {
    const now = this.clock.nowMs();
    const labels: AlertLabels = { severity: "info", ...event.labels, eventType: event.eventType };
    if (silencedBy(this.silences, labels, now).length > 0) return;
    for (const route of matchingRoutes(this.routes, labels)) {
      if (this.routeMuted(route, now)) continue;
      for (const endpointId of route.webhooks) this.pendingEvents.push({ route, endpointId, event: { ...event, labels } });
    }
  }

  muteStateOf(alert: Pick<Alert, "fingerprint" | "labels">, atMs = this.clock.nowMs(), index?: InhibitionIndex): MuteState {
    return {
      silencedBy: silencedBy(this.silences, alert.labels, atMs),
      inhibitedBy: (index ?? buildInhibitionIndex(this.inhibitRules, this.firing.values())).inhibitedBy(alert),
    };
  }

  private routeMuted(route: CompiledRoute, atMs: number): boolean {
    return route.muteWindows.some((name) => this.muteWindows.get(name)?.isActive(atMs) ?? false);
  }

  /** Flushes every group whose timer is due at the clock's now and returns what to send. */
  flushDue(): FlushResult {
    const now = this.clock.nowMs();
    const notifications: Notification[] = [];
    for (const pending of this.pendingEvents) {
      const groupKey = `${pending.route.id}:event:${pending.event.id}`;
      notifications.push({
        id: notificationId({ routeId: pending.route.id, endpointId: pending.endpointId, groupKey, atMs: now, reason: "event" }),
        endpointId: pending.endpointId,
        routeId: pending.route.id,
        groupKey,
        groupLabels: { eventType: pending.event.eventType },
        reason: "event",
        atMs: now,
        alerts: [],
        event: pending.event,
      });
    }
    this.pendingEvents = [];

    // Deterministic order: by route order, then group key, then endpoint.
    const due = [...this.groups.values()]
      .filter((g) => g.nextFlushAtMs <= now)
      .sort((a, b) => a.route.index - b.route.index || a.groupKey.localeCompare(b.groupKey) || a.endpointId.localeCompare(b.endpointId));
    // The firing set does not change during a flush: index the inhibition sources once.
    const inhibition = due.length > 0 ? buildInhibitionIndex(this.inhibitRules, this.firing.values()) : null;
    for (const group of due) {
      const n = this.flushGroup(group, now, inhibition!);
      if (n) notifications.push(n);
    }
    return { notifications, nextWakeAtMs: this.nextWakeAtMs() };
  }

  nextWakeAtMs(): number | null {
    if (this.pendingEvents.length > 0) return this.clock.nowMs();
    let next: number | null = null;
    for (const g of this.groups.values()) if (next === null || g.nextFlushAtMs < next) next = g.nextFlushAtMs;
    return next;
  }

  private flushGroup(group: AggregationGroup, now: number, inhibition: InhibitionIndex): Notification | null {
    const route = group.route;
    this.changedGroupKeys.add(group.key);
    // A late caller gets one flush, then the regular cadence from now (as a Go timer reset at fire time).
    group.nextFlushAtMs = now + route.groupIntervalMs;
    group.hasFlushed = true;

    const muted = this.routeMuted(route, now);
    const firing: Alert[] = [];
    const resolved: Alert[] = [];
    for (const alert of group.alerts.values()) {
      if (alert.status === "resolved") {
        if (group.toldFiring.has(alert.fingerprint)) resolved.push(alert);
        continue;
      }
      if (muted) continue;
      const mute = this.muteStateOf(alert, now, inhibition);
      if (mute.silencedBy.length === 0 && mute.inhibitedBy === null) firing.push(alert);
    }

    let reason: NotificationReason | null = null;
    if (group.lastNotifiedAtMs === null) {
      // needsUpdate: no entry -> notify only if something fires.
      if (firing.length > 0) reason = "initial";
    } else if (firing.some((a) => !group.lastFiring.has(a.fingerprint))) {
      reason = "new-firing";
    } else if (resolved.length > 0) {
      reason = "resolved";
    } else if (
      firing.length > 0 &&
      group.lastNotifiedAtMs < now - route.repeatIntervalMs &&
      !firing.every((a) => a.acknowledgedAtMs !== null)
    ) {
      reason = "repeat";
    }

    let notification: Notification | null = null;
    if (reason) {
      const byFingerprint = (a: Alert, b: Alert) => a.fingerprint.localeCompare(b.fingerprint);
      notification = {
        id: notificationId({ routeId: route.id, endpointId: group.endpointId, groupKey: group.groupKey, atMs: now, reason }),
        endpointId: group.endpointId,
        routeId: route.id,
        groupKey: group.groupKey,
        groupLabels: { ...group.groupLabels },
        reason,
        atMs: now,
        alerts: [...firing.sort(byFingerprint), ...resolved.sort(byFingerprint)].map((a) => ({ ...a, labels: { ...a.labels } })),
      };
      for (const a of firing) group.toldFiring.add(a.fingerprint);
      for (const a of resolved) group.toldFiring.delete(a.fingerprint);
      if (muted) {
        // Only resolves went out; the receiver still believes the rest of lastFiring is firing.
        for (const a of resolved) group.lastFiring.delete(a.fingerprint);
      } else {
        group.lastFiring = new Set(firing.map((a) => a.fingerprint));
        group.lastNotifiedAtMs = now;
      }
      if (group.lastNotifiedAtMs === null) group.lastNotifiedAtMs = now;
    }

    // Resolved alerts leave the group once flushed (told ones were just sent; untold ones were
    // never seen by this endpoint, e.g. a flap inside groupWait).
    for (const [fp, a] of group.alerts) {
      if (a.status !== "resolved") continue;
      group.alerts.delete(fp);
      const keys = this.groupKeysByFingerprint.get(fp);
      keys?.delete(group.key);
      if (keys?.size === 0) this.groupKeysByFingerprint.delete(fp);
    }
    if (group.alerts.size === 0 && group.toldFiring.size === 0) {
      this.groups.delete(group.key);
      this.changedGroupKeys.delete(group.key);
      this.removedGroups.set(group.key, { endpointId: group.endpointId, groupKey: group.groupKey });
    }
    return notification;
  }

  /**
   * The groups changed or deleted since the previous call (or since construction/restore), for
   * persisting only those: a full `snapshot()` per state change costs O(every live group and firing
   * alert), which dominated the alerting engine's CPU per commit. Changed groups come as in
   * `snapshot().groups`; a group deleted and re-created in between counts as changed.
   */
  takeGroupChanges(): GroupChanges {
    const changed: GroupSnapshot[] = [];
    for (const key of this.changedGroupKeys) {
      const group = this.groups.get(key);
      if (group) changed.push(groupSnapshot(group));
    }
    const removed = [...this.removedGroups.values()];
    this.changedGroupKeys.clear();
    this.removedGroups.clear();
    return { changed, removed };
  }

  snapshot(): NotifierSnapshot {
    const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;
    return {
      version: 1,
      firing: clone([...this.firing.values()]),
      groups: [...this.groups.values()].map(groupSnapshot),
      pendingEvents: this.pendingEvents.map((p) => ({ routeId: p.route.id, endpointId: p.endpointId, event: clone(p.event) })),
    };
  }

  /** Rebuilds a notifier from a snapshot under a (possibly changed) config. */
  static restore(config: NotifierConfig, clock: Clock, snapshot: NotifierSnapshot): Notifier {
    if (snapshot.version !== 1) throw new Error(`unsupported notifier snapshot version ${String(snapshot.version)}`);
    const n = new Notifier(config, clock);
    const byId = new Map(n.routes.map((r) => [r.id, r]));
    for (const a of snapshot.firing) n.firing.set(a.fingerprint, a);
    for (const g of snapshot.groups) {
      const key = `${g.endpointId}\u0000${g.groupKey}`;
      n.groups.set(key, {
        key,
        route: byId.get(g.routeId) ?? detachedRoute(g.routeId, g.endpointId),
        endpointId: g.endpointId,
        groupKey: g.groupKey,
        groupLabels: { ...g.groupLabels },
        alerts: new Map(g.alerts.map((a) => [a.fingerprint, a])),
        nextFlushAtMs: g.nextFlushAtMs,
        hasFlushed: g.hasFlushed,
        lastFiring: new Set(g.lastFiring),
        lastNotifiedAtMs: g.lastNotifiedAtMs,
        toldFiring: new Set(g.toldFiring),
      });
      for (const a of g.alerts) {
        let keys = n.groupKeysByFingerprint.get(a.fingerprint);
        if (!keys) n.groupKeysByFingerprint.set(a.fingerprint, (keys = new Set()));
        keys.add(key);
      }
    }
    for (const p of snapshot.pendingEvents) {
      const route = byId.get(p.routeId);
      if (route) n.pendingEvents.push({ route, endpointId: p.endpointId, event: p.event });
    }
    return n;
  }

  groupsView(): AggregationGroupView[] {
    return [...this.groups.values()].map((g) => ({
      key: g.key,
      routeId: g.route.id,
      endpointId: g.endpointId,
      groupKey: g.groupKey,
      groupLabels: { ...g.groupLabels },
      alertFingerprints: [...g.alerts.keys()].sort(),
      toldFiring: [...g.toldFiring].sort(),
      lastNotifiedAtMs: g.lastNotifiedAtMs,
      nextFlushAtMs: g.nextFlushAtMs,
    }));
  }
}
