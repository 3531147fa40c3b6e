import { describe, expect, it } from "vitest";
import { oracleFingerprint } from "./fingerprint";
import { groupKeyFor, groupLabelsFor, Notifier, type NotifierConfig, type RouteConfig } from "./routing";
import type { Silence } from "./silences";
import type { Alert, InfoEvent, Notification } from "./types";

// Virtual clock + driver: actions run at their time, then every due flush; the driver jumps from
// wake-up to wake-up exactly as the dispatcher worker will.
class VirtualClock {
  constructor(public t = 0) {}
  nowMs() {
    return this.t;
  }
}

type Action =
  | { at: number; fire: string; labels?: Record<string, string>; firedAtMs?: number }
  | { at: number; resolve: string }
  | { at: number; ack: string }
  | { at: number; silences: Silence[] }
  | { at: number; event: InfoEvent };

function labelsOf(fp: string, extra: Record<string, string> = {}): Record<string, string> {
  const [check, market, feed] = fp.split(":");
  return { check, market, feed, severity: "warning", ...extra };
}

function simulate(config: NotifierConfig, actions: Action[], untilMs: number, start = 0) {
  const clock = new VirtualClock(start);
  const notifier = new Notifier(config, clock);
  const state = new Map<string, Alert>();
  const sent: Notification[] = [];
  const queue = [...actions].sort((a, b) => a.at - b.at);
  for (;;) {
    const wake = notifier.nextWakeAtMs();
    const nextAction = queue.length > 0 ? queue[0].at : Infinity;
    const t = Math.min(wake ?? Infinity, nextAction);
    if (!(t <= untilMs)) break;
    clock.t = t;
    while (queue.length > 0 && queue[0].at === t) {
      const a = queue.shift()!;
      if ("fire" in a) {
        const alert: Alert = {
          fingerprint: a.fire,
          labels: labelsOf(a.fire, a.labels),
          status: "firing",
          value: 0.05,
          threshold: 0.01,
          firedAtMs: a.firedAtMs ?? t,
          resolvedAtMs: null,
          acknowledgedAtMs: null,
          link: `https://rw.example/alerts/${a.fire}`,
        };
        state.set(a.fire, alert);
        notifier.ingest(alert);
      } else if ("resolve" in a) {
        const alert: Alert = { ...state.get(a.resolve)!, status: "resolved", resolvedAtMs: t };
        state.set(a.resolve, alert);
        notifier.ingest(alert);
      } else if ("ack" in a) {
        notifier.acknowledge(a.ack, "oncall@example");
      } else if ("silences" in a) {
        notifier.setSilences(a.silences);
      } else {
        notifier.ingestEvent(a.event);
      }
    }
    sent.push(...notifier.flushDue().notifications);
  }
  return { sent, notifier };
}

/** Compact transcript line: `t endpoint reason +firing -resolved`. */
function transcript(sent: Notification[]): string[] {
  return sent.map((n) => {
    const parts = n.alerts.map((a) => `${a.status === "firing" ? "+" : "-"}${a.fingerprint}`);
    if (n.event) parts.push(`!${n.event.eventType}`);
    return `${n.atMs} ${n.endpointId} ${n.reason} ${parts.join(" ")}`;
  });
}

const DEV = oracleFingerprint("deviation", "BTC-USD", "binance-spot");
const DEV2 = oracleFingerprint("deviation", "BTC-USD", "coinbase");
const STALE = oracleFingerprint("staleness", "BTC-USD", "binance-spot");
const ETH = oracleFingerprint("jump", "ETH-USD", "pyth-main");

// 30 s / 5 min / 20 min: flushes at 30 000 + k·300 000 ms.
const route: RouteConfig = {
  match: {},
  webhooks: ["oncall"],
  groupWaitMs: 30_000,
  groupIntervalMs: 300_000,
  repeatIntervalMs: 1_200_000,
};
const oneRoute: NotifierConfig = { routes: [route] };

const silenceBtc = (startsAtMs: number, endsAtMs: number): Silence => ({
  id: "sil-1",
  matchers: [{ name: "market", type: "=", value: "BTC-USD" }],
  startsAtMs,
  endsAtMs,
  createdBy: "alice",
  comment: "exchange maintenance",
});

describe("Notifier on a virtual clock (Alertmanager groupWait/groupInterval/repeatInterval)", () => {
  it.each<[string, NotifierConfig, Action[], number, string[]]>([
    [
      // Fire at 0 -> first flush at groupWait (30 000); resolve at 60 000 -> next flush
      // 30 000 + 300 000 = 330 000 carries the resolve.
      "fire then resolve",
      oneRoute,
      [{ at: 0, fire: DEV }, { at: 60_000, resolve: DEV }],
      2_000_000,
      ["30000 oncall initial +" + DEV, "330000 oncall resolved -" + DEV],
    ],
    [
      // Fired and resolved inside groupWait: the endpoint never hears of it (Alertmanager
      // needsUpdate: no entry and nothing firing). Re-fire at 40 000 opens a new group -> 70 000.
      "flap inside groupWait is never sent",
      oneRoute,
      [{ at: 0, fire: DEV }, { at: 10_000, resolve: DEV }, { at: 40_000, fire: DEV }],
      100_000,
      ["70000 oncall initial +" + DEV],
    ],
    [
      // Resolves and re-fires between flushes: at 330 000 it fires again and was in the last
      // firing set, so nothing is sent. Repeat: last notification 30 000, strictly older than
      // repeatInterval needed -> 30 000 + 1 200 000 = 1 230 000 is a flush tick but not strictly
      // older, so the repeat goes out at the next tick 1 530 000 (notify.go `Before(now-repeat)`).
      "flapping between flushes is suppressed, repeat on the first tick after repeatInterval",
      oneRoute,
      [
        { at: 0, fire: DEV },
        { at: 100_000, resolve: DEV },
        { at: 200_000, fire: DEV },
        { at: 250_000, resolve: DEV },
        { at: 290_000, fire: DEV },
      ],
      1_600_000,
      ["30000 oncall initial +" + DEV, "1530000 oncall repeat +" + DEV],
    ],
    [
      // Ack at 60 000 stops the repeat that would go at 1 530 000. A new alert in the same group at
      // 1 600 000 is new -> next tick 1 830 000; DEV2 is unacknowledged so repeats resume:
      // 1 830 000 + 1 200 000 = 3 030 000 (not strictly older) -> 3 330 000.
      "acknowledgement stops repeats, new alerts still notify",
      oneRoute,
      [{ at: 0, fire: DEV }, { at: 60_000, ack: DEV }, { at: 1_600_000, fire: DEV2 }],
      3_400_000,
      [
        "30000 oncall initial +" + DEV,
        `1830000 oncall new-firing +${DEV} +${DEV2}`,
        `3330000 oncall repeat +${DEV} +${DEV2}`,
      ],
    ],
    [
      // Silenced 0..600 000: flushes at 30 000 … 330 000 see nothing; the tick at 630 000 is past
      // endsAt. Resolve at 700 000 -> tick 930 000.
      "silence window delays the page until it ends",
      { ...oneRoute, silences: [silenceBtc(0, 600_000)] },
      [{ at: 0, fire: DEV }, { at: 700_000, resolve: DEV }],
      1_000_000,
      ["630000 oncall initial +" + DEV, "930000 oncall resolved -" + DEV],
    ],
    [
      "silenced for its whole life: neither firing nor resolve is sent",
      { ...oneRoute, silences: [silenceBtc(0, 10_000_000)] },
      [{ at: 0, fire: DEV }, { at: 500_000, resolve: DEV }],
      2_000_000,
      [],
    ],
    [
      // Told firing at 30 000, silenced at 100 000, resolved at 200 000: the resolve still goes out
      // at 330 000 (resolve invariant; Alertmanager's mute stage would drop it).
      "a silence never swallows the resolve of a paged alert",
      oneRoute,
      [{ at: 0, fire: DEV }, { at: 100_000, silences: [silenceBtc(100_000, 10_000_000)] }, { at: 200_000, resolve: DEV }],
      2_000_000,
      ["30000 oncall initial +" + DEV, "330000 oncall resolved -" + DEV],
    ],
    [
      // Default inhibit rule: staleness on binance-spot/BTC-USD hides deviation of the same feed
      // and market, not the coinbase one. Staleness resolves at 100 000 -> at 330 000 the deviation
      // is new to the endpoint and the staleness resolve rides along.
      "a stale feed inhibits deviation alerts of the same feed and market",
      oneRoute,
      [{ at: 0, fire: STALE }, { at: 0, fire: DEV }, { at: 0, fire: DEV2 }, { at: 100_000, resolve: STALE }],
      400_000,
      [`30000 oncall initial +${DEV2} +${STALE}`, `330000 oncall new-firing +${DEV} +${DEV2} -${STALE}`],
    ],
    [
      // The inhibiting staleness alert is not routed to this endpoint at all; it still inhibits
      // (Alertmanager evaluates inhibition over every alert, not per route).
      "an unrouted source alert still inhibits",
      { routes: [{ ...route, match: { check: "deviation" } }] },
      [{ at: 0, fire: STALE }, { at: 0, fire: DEV }, { at: 0, fire: DEV2 }],
      40_000,
      [`30000 oncall initial +${DEV2}`],
    ],
    [
      // Ack at 60 000, resolve at 100 000 (sent at 330 000, group deleted), re-fire at 400 000: a
      // new occurrence, not acknowledged, in a new group -> initial at 430 000 after groupWait;
      // repeats resume: 430 000 + 1 200 000 = 1 630 000 is a tick but not strictly older -> 1 930 000.
      "a new occurrence after a resolve is not covered by the old acknowledgement",
      oneRoute,
      [{ at: 0, fire: DEV }, { at: 60_000, ack: DEV }, { at: 100_000, resolve: DEV }, { at: 400_000, fire: DEV }],
      2_000_000,
      ["30000 oncall initial +" + DEV, "330000 oncall resolved -" + DEV, "430000 oncall initial +" + DEV, "1930000 oncall repeat +" + DEV],
    ],
    [
      // groupBy market: BTC and ETH alerts go in separate notifications, two BTC feeds in one.
      "groupBy splits notifications by label values",
      { routes: [{ ...route, groupBy: ["market"] }] },
      [{ at: 0, fire: DEV }, { at: 0, fire: DEV2 }, { at: 5_000, fire: ETH }],
      40_000,
      [`30000 oncall initial +${DEV} +${DEV2}`, `35000 oncall initial +${ETH}`],
    ],
    [
      // An alert that started 60 s before it reached a fresh group is flushed at once
      // (dispatch.go aggrGroup.insert), not after another groupWait.
      "an alert older than groupWait flushes immediately",
      oneRoute,
      [{ at: 100_000, fire: DEV, firedAtMs: 40_000 }],
      200_000,
      ["100000 oncall initial +" + DEV],
    ],
    [
      // Every matching route sends: critical goes to both, warning only to the catch-all.
      "every matching route sends, in config order",
      {
        routes: [
          { ...route, id: "critical", match: { severity: ["critical"] }, webhooks: ["pager"] },
          { ...route, id: "all", webhooks: ["slack"] },
        ],
      },
      [{ at: 0, fire: DEV, labels: { severity: "critical" } }, { at: 0, fire: ETH }],
      40_000,
      [`30000 pager initial +${DEV}`, `30000 slack initial +${DEV} +${ETH}`],
    ],
    [
      // A warning escalated to critical (same fingerprint) joins the pager route at 100 000; its
      // resolve reaches both endpoints, each of which was told it fired.
      "an escalated alert's resolve reaches every endpoint that paged it",
      {
        routes: [
          { ...route, id: "critical", match: { severity: "critical" }, webhooks: ["pager"] },
          { ...route, id: "all", webhooks: ["slack"] },
        ],
      },
      [{ at: 0, fire: DEV }, { at: 100_000, fire: DEV, labels: { severity: "critical" } }, { at: 200_000, resolve: DEV }],
      500_000,
      [`30000 slack initial +${DEV}`, `130000 pager initial +${DEV}`, `330000 slack resolved -${DEV}`, `430000 pager resolved -${DEV}`],
    ],
    [
      "governance events go out at once to routes matching the event type",
      { routes: [{ ...route, id: "gov", match: { eventType: ["proposal.executed", "proposal.canceled"] }, webhooks: ["gov-hook"] }] },
      [
        { at: 5_000, event: { id: "proposal.executed:42", eventType: "proposal.executed", labels: {}, occurredAtMs: 4_000, link: null, data: { proposalId: 42 } } },
        { at: 6_000, event: { id: "proposal.created:43", eventType: "proposal.created", labels: {}, occurredAtMs: 6_000, link: null, data: { proposalId: 43 } } },
      ],
      100_000,
      ["5000 gov-hook event !proposal.executed"],
    ],
  ])("%s", (_name, config, actions, untilMs, expected) => {
    expect(transcript(simulate(config, actions, untilMs).sent)).toEqual(expected);
  });

  it("mute window: no firing pages inside it, resolves of paged alerts still go out", () => {
    // 2026-11-23 is a Monday. Window 09:00-10:00 UTC every day.
    const day = Date.UTC(2026, 10, 23);
    const h = 3_600_000;
    const config: NotifierConfig = {
      routes: [{ ...route, repeatIntervalMs: 4 * 3_600_000, muteWindows: ["deploys"] }],
      muteWindows: [{ name: "deploys", timeIntervals: [{ times: [{ startTime: "09:00", endTime: "10:00" }] }] }],
    };
    const { sent } = simulate(
      config,
      [
        { at: day + 8 * h, fire: ETH }, // paged at 08:00:30
        { at: day + 9 * h, fire: DEV }, // inside the window
        { at: day + 9 * h + 60_000, resolve: ETH }, // resolve inside the window still goes out
      ],
      day + 10 * h + 60_000,
      day + 8 * h,
    );
    // ETH group flushes at 08:00:30 + k·5 min; the first tick after 09:01 is 09:05:30.
    // DEV (same group, groupBy none) becomes visible at the first tick at or after 10:00 = 10:00:30.
    expect(transcript(sent)).toEqual([
      `${day + 8 * h + 30_000} oncall initial +${ETH}`,
      `${day + 9 * h + 330_000} oncall resolved -${ETH}`,
      `${day + 10 * h + 30_000} oncall new-firing +${DEV}`,
    ]);
  });

  it("keeps the resolve invariant under random fire/resolve/silence/ack traffic", () => {
    // Seeded LCG (Numerical Recipes constants) so failures reproduce.
    let seed = 12345;
    const rand = () => ((seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32);
    const fps = [DEV, DEV2, STALE, ETH, oracleFingerprint("frozen", "ETH-USD", "kraken")];
    const actions: Action[] = [];
    const firing = new Set<string>();
    for (let t = 1_000; t < 20_000_000; t += Math.floor(rand() * 200_000) + 1_000) {
      const fp = fps[Math.floor(rand() * fps.length)];
      const r = rand();
      if (r < 0.05) actions.push({ at: t, silences: rand() < 0.5 ? [] : [silenceBtc(t, t + Math.floor(rand() * 3_000_000))] });
      else if (r < 0.1 && firing.has(fp)) actions.push({ at: t, ack: fp });
      else if (firing.has(fp)) {
        actions.push({ at: t, resolve: fp });
        firing.delete(fp);
      } else {
        actions.push({ at: t, fire: fp, labels: { severity: rand() < 0.5 ? "critical" : "warning" } });
        firing.add(fp);
      }
    }
    for (const fp of firing) actions.push({ at: 20_000_000, resolve: fp });
    const config: NotifierConfig = {
      routes: [
        { ...route, id: "critical", match: { severity: "critical" }, webhooks: ["pager", "slack"], groupBy: ["market"] },
        { ...route, id: "all", webhooks: ["slack"], groupBy: ["feed"] },
      ],
    };
    const { sent, notifier } = simulate(config, actions, 30_000_000);
    expect(sent.length).toBeGreaterThan(50);
    const told = new Map<string, Set<string>>(); // (endpoint, group) -> fingerprints told firing
    for (const n of sent) {
      const key = `${n.endpointId}|${n.groupKey}`;
      const set = told.get(key) ?? new Set<string>();
      told.set(key, set);
      for (const a of n.alerts) {
        if (a.status === "firing") set.add(a.fingerprint);
        else {
          // "a resolve notification is sent only to an endpoint that was sent the firing one"
          expect(set.has(a.fingerprint), `${key} resolve of ${a.fingerprint} at ${n.atMs}`).toBe(true);
          set.delete(a.fingerprint);
        }
      }
    }
    // "…and always is": after everything resolved, nobody believes anything is still firing.
    for (const [key, set] of told) expect([...set], key).toEqual([]);
    expect(notifier.groupsView()).toEqual([]);
  });
});

describe("group keys", () => {
  it.each([
    [[], { market: "BTC-USD" }, "r:{}"],
    [["market"], { market: "BTC-USD", feed: "x" }, 'r:{market="BTC-USD"}'],
    [["market", "feed"], { market: "BTC-USD", feed: "x" }, 'r:{feed="x",market="BTC-USD"}'],
    [["..."], { b: "2", a: "1" }, 'r:{a="1",b="2"}'],
    // absent label: left out, as Alertmanager drops empty group labels
    [["market", "feed"], { market: "BTC-USD" }, 'r:{market="BTC-USD"}'],
  ])("groupBy %j of %j -> %s", (groupBy, labels, expected) => {
    expect(groupKeyFor("r", groupLabelsFor(groupBy, labels))).toBe(expected);
  });
});

describe("Notifier persistence and reconfiguration", () => {
  const firingAlert = (fp: string, at: number): Alert => ({
    fingerprint: fp,
    labels: labelsOf(fp),
    status: "firing",
    value: 1,
    threshold: 0.5,
    firedAtMs: at,
    resolvedAtMs: null,
    acknowledgedAtMs: null,
    link: null,
  });

  it.each([
    ["same config", oneRoute],
    // the route is gone after the restart: its group still owes the resolve and delivers it
    ["route removed", { routes: [] }],
  ])("a restart between fire and resolve still delivers the resolve (%s)", (_name, configAfter) => {
    const clock = new VirtualClock(0);
    const before = new Notifier(oneRoute, clock);
    before.ingest(firingAlert(DEV, 0));
    clock.t = 30_000;
    expect(transcript(before.flushDue().notifications)).toEqual(["30000 oncall initial +" + DEV]);
    const saved = JSON.stringify(before.snapshot());

    const after = Notifier.restore(configAfter, clock, JSON.parse(saved));
    clock.t = 200_000;
    after.ingest({ ...firingAlert(DEV, 0), status: "resolved", resolvedAtMs: 200_000 });
    expect(after.nextWakeAtMs()).toBe(330_000);
    clock.t = 330_000;
    expect(transcript(after.flushDue().notifications)).toEqual(["330000 oncall resolved -" + DEV]);
    expect(after.groupsView()).toEqual([]);
  });

  it("a restart does not re-page alerts already sent", () => {
    const clock = new VirtualClock(0);
    const before = new Notifier(oneRoute, clock);
    before.ingest(firingAlert(DEV, 0));
    clock.t = 30_000;
    before.flushDue();
    const after = Notifier.restore(oneRoute, clock, JSON.parse(JSON.stringify(before.snapshot())));
    clock.t = 330_000;
    after.ingest(firingAlert(DEV, 0)); // the detector re-announces its state after restart
    expect(after.flushDue().notifications).toEqual([]);
  });

  it("a bad config changes nothing; a good one re-times existing groups", () => {
    const clock = new VirtualClock(0);
    const n = new Notifier(oneRoute, clock);
    n.ingest(firingAlert(DEV, 0));
    expect(() => n.configure({ routes: [{ ...route, muteWindows: ["missing"] }] })).toThrow(/unknown mute window "missing"/);
    expect(() => n.configure({ routes: [{ ...route, id: "a" }, { ...route, id: "a" }] })).toThrow(/duplicate route id a/);
    clock.t = 30_000;
    expect(n.flushDue().notifications).toHaveLength(1);
    n.configure({ routes: [{ ...route, groupIntervalMs: 60_000 }] });
    clock.t = 31_000;
    n.ingest(firingAlert(DEV2, 31_000));
    clock.t = 330_000; // the tick armed before the change stays; after it the new 60 s interval applies
    const out = n.flushDue();
    expect(transcript(out.notifications)).toEqual([`330000 oncall new-firing +${DEV} +${DEV2}`]);
    expect(out.nextWakeAtMs).toBe(390_000);
  });
});

describe("Notifier incremental persistence (takeGroupChanges)", () => {
  // A seeded random walk over fire / resolve / ack / time + flush on two routes and two endpoints,
  // taking the changes after every 1–4 steps (so a group can be deleted and re-created in between):
  // applying them to the rows persisted so far must give exactly the groups of a full snapshot (what
  // the alerting engine wrote before it persisted changes only).
  it("changes applied step by step equal a full snapshot (seeded random walk)", () => {
    let seed = 20261125;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const clock = new VirtualClock(0);
    const config: NotifierConfig = {
      routes: [
        { id: "by-market", match: {}, webhooks: ["oncall", "slack"], groupBy: ["market"], groupWaitMs: 1000, groupIntervalMs: 5000, repeatIntervalMs: 20_000 },
        { id: "each", match: { severity: "critical" }, webhooks: ["oncall"], groupBy: ["..."], groupWaitMs: 0, groupIntervalMs: 2000, repeatIntervalMs: 10_000 },
      ],
    };
    const notifier = new Notifier(config, clock);
    const fingerprints = ["BTC-USD", "ETH-USD", "SOL-USD"].flatMap((m) => ["binance-spot", "coinbase"].map((f) => oracleFingerprint("deviation", m, f)));
    const open = new Map<string, Alert>();
    const persisted = new Map<string, string>();
    const keyOf = (g: { endpointId: string; groupKey: string }) => `${g.endpointId}|${g.groupKey}`;
    let removedSeen = 0;
    for (let step = 0; step < 2000; step++) {
      const r = random();
      const fp = fingerprints[Math.floor(random() * fingerprints.length)];
      if (r < 0.35) {
        const [, market, feed] = fp.split(":");
        const alert: Alert = {
          fingerprint: fp,
          labels: { check: "deviation", market, feed, severity: random() < 0.5 ? "critical" : "warning" },
          status: "firing",
          value: 0.05,
          threshold: 0.01,
          firedAtMs: clock.t,
          resolvedAtMs: null,
          acknowledgedAtMs: null,
          link: null,
        };
        if (!open.has(fp)) {
          open.set(fp, alert);
          notifier.ingest(alert);
        }
      } else if (r < 0.6) {
        const alert = open.get(fp);
        if (alert) {
          open.delete(fp);
          notifier.ingest({ ...alert, status: "resolved", resolvedAtMs: clock.t });
        }
      } else if (r < 0.7) {
        notifier.acknowledge(fp, "oncall@example");
      } else {
        clock.t += Math.floor(random() * 4000);
        notifier.flushDue();
      }
      if (random() < 0.5) continue;
      const changes = notifier.takeGroupChanges();
      for (const g of changes.changed) persisted.set(keyOf(g), JSON.stringify(g));
      for (const g of changes.removed) persisted.delete(keyOf(g));
      removedSeen += changes.removed.length;
      const full = new Map(notifier.snapshot().groups.map((g) => [keyOf(g), JSON.stringify(g)]));
      expect(persisted, `step ${step}`).toEqual(full);
    }
    // The walk exercised group deletion, not only creation.
    expect(removedSeen).toBeGreaterThan(50);
    notifier.takeGroupChanges();
    expect(notifier.takeGroupChanges()).toEqual({ changed: [], removed: [] });
  });

  it("a restored notifier has nothing to persist until it changes", () => {
    const clock = new VirtualClock(0);
    const before = new Notifier(oneRoute, clock);
    before.ingest({ fingerprint: DEV, labels: labelsOf(DEV), status: "firing", value: 1, threshold: 0.5, firedAtMs: 0, resolvedAtMs: null, acknowledgedAtMs: null, link: null });
    const after = Notifier.restore(oneRoute, clock, JSON.parse(JSON.stringify(before.snapshot())));
    expect(after.takeGroupChanges()).toEqual({ changed: [], removed: [] });
    clock.t = 30_000;
    after.flushDue();
    expect(after.takeGroupChanges().changed.map((g) => [g.groupKey, g.hasFlushed])).toEqual([["route-0:{}", true]]);
  });
});
