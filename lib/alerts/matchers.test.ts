import { describe, expect, it } from "vitest";
import { compileMatcher, matchersFromMatchMap, matchesAll, parseMatcher, type LabelMatcher } from "./matchers";
import { compileMuteWindow, expandWeekdays, localTimeAt } from "./mute-windows";
import { buildInhibitionIndex, compileInhibitRule, compileSilence, DEFAULT_INHIBIT_RULES, inhibitedBy, silencedBy, type InhibitRule } from "./silences";

const labels = { check: "deviation", market: "BTC-USD", feed: "binance-spot", severity: "critical" };

describe("label matchers (Alertmanager semantics)", () => {
  it.each<[LabelMatcher, boolean]>([
    [{ name: "severity", type: "=", value: "critical" }, true],
    [{ name: "severity", type: "!=", value: "critical" }, false],
    [{ name: "market", type: "=~", value: "BTC-.*" }, true],
    // anchored: a substring match is not enough
    [{ name: "market", type: "=~", value: "BTC" }, false],
    [{ name: "market", type: "!~", value: "ETH-.*|SOL-.*" }, true],
    // absent label matches as "" (Alertmanager)
    [{ name: "team", type: "=", value: "" }, true],
    [{ name: "team", type: "!=", value: "" }, false],
    [{ name: "team", type: "=~", value: "risk|" }, true],
  ])("%j -> %s", (m, expected) => {
    expect(compileMatcher(m).matches(labels)).toBe(expected);
  });

  it.each([
    ['severity="critical"', { name: "severity", type: "=", value: "critical" }],
    ["market=~BTC-.*", { name: "market", type: "=~", value: "BTC-.*" }],
    [' feed != "a b" ', { name: "feed", type: "!=", value: "a b" }],
    ['check!~"jump|frozen"', { name: "check", type: "!~", value: "jump|frozen" }],
  ])("parses %s", (text, expected) => {
    expect(parseMatcher(text)).toEqual(expected);
  });

  it("rejects bad matchers with a message naming the problem", () => {
    expect(() => parseMatcher("severity")).toThrow(/cannot parse matcher/);
    expect(() => parseMatcher('severity="x')).toThrow(/unterminated/);
    expect(() => compileMatcher({ name: "m", type: "=~", value: "(" })).toThrow(/invalid regex/);
    expect(() => compileMatcher({ name: "1x", type: "=", value: "" })).toThrow(/not a valid label name/);
  });

  it.each<[Record<string, string | string[]>, boolean]>([
    [{}, true], // empty match matches everything (contract)
    [{ severity: ["critical", "warning"] }, true],
    [{ severity: ["warning"] }, false],
    [{ severity: "critical", market: ["ETH-USD", "BTC-USD"] }, true],
    [{ severity: "critical", market: ["ETH-USD"] }, false],
    // values are literals, not regexes
    [{ market: ["BTC.USD"] }, false],
    [{ severity: [] }, false],
  ])("route match map %j -> %s", (match, expected) => {
    expect(matchesAll(matchersFromMatchMap(match).map(compileMatcher), labels)).toBe(expected);
  });
});

describe("silences", () => {
  const silence = compileSilence({
    id: "s1",
    matchers: [{ name: "market", type: "=", value: "BTC-USD" }, { name: "check", type: "=~", value: "deviation|jump" }],
    startsAtMs: 1_000,
    endsAtMs: 2_000,
    createdBy: "alice",
    comment: "Binance maintenance",
  });
  it.each([
    [999, labels, []],
    [1_000, labels, ["s1"]], // startsAt inclusive
    [1_999, labels, ["s1"]],
    [2_000, labels, []], // endsAt exclusive
    [1_500, { ...labels, check: "staleness" }, []],
  ])("at %d %j -> %j", (at, l, expected) => {
    expect(silencedBy([silence], l, at)).toEqual(expected);
  });
  it("validates", () => {
    expect(() => compileSilence({ id: "x", matchers: [], startsAtMs: 0, endsAtMs: 1, createdBy: "a", comment: "" })).toThrow(/at least one matcher/);
    expect(() =>
      compileSilence({ id: "x", matchers: [{ name: "a", type: "=", value: "b" }], startsAtMs: 5, endsAtMs: 5, createdBy: "a", comment: "" }),
    ).toThrow(/endsAt must be after/);
  });
});

describe("inhibition", () => {
  const rules = DEFAULT_INHIBIT_RULES.map(compileInhibitRule);
  const alert = (fingerprint: string, l: Record<string, string>, status: "firing" | "resolved" = "firing") => ({ fingerprint, labels: l, status });
  const stale = alert("staleness:BTC-USD:binance-spot", { check: "staleness", market: "BTC-USD", feed: "binance-spot" });
  it.each([
    ["deviation same feed+market", alert("d", { check: "deviation", market: "BTC-USD", feed: "binance-spot" }), [stale], stale.fingerprint],
    ["jump same feed+market", alert("j", { check: "jump", market: "BTC-USD", feed: "binance-spot" }), [stale], stale.fingerprint],
    ["other feed", alert("d", { check: "deviation", market: "BTC-USD", feed: "coinbase" }), [stale], null],
    ["other market", alert("d", { check: "deviation", market: "ETH-USD", feed: "binance-spot" }), [stale], null],
    ["confidence is not a target", alert("c", { check: "confidence", market: "BTC-USD", feed: "binance-spot" }), [stale], null],
    ["resolved source does not inhibit", alert("d", { check: "deviation", market: "BTC-USD", feed: "binance-spot" }), [{ ...stale, status: "resolved" as const }], null],
  ])("%s", (_n, target, sources, expected) => {
    expect(inhibitedBy(rules, target, sources)).toBe(expected);
  });

  it("the bucketed index answers exactly like the direct scan", () => {
    const checks = ["staleness", "feed-error", "deviation", "jump", "frozen", "confidence"];
    const all = Array.from({ length: 300 }, (_, i) =>
      alert(`a${i}`, { check: checks[i % 6], market: `M${i % 7}`, feed: `f${i % 5}` }, i % 11 === 0 ? "resolved" : "firing"),
    );
    const index = buildInhibitionIndex(rules, all);
    let inhibited = 0;
    for (const target of all) {
      const expected = inhibitedBy(rules, target, all);
      expect(index.inhibitedBy(target) !== null).toBe(expected !== null);
      if (expected) inhibited++;
    }
    expect(inhibited).toBeGreaterThan(10);
  });

  it("two alerts matching both sides do not inhibit each other (excludeTwoSidedMatch)", () => {
    const rule: InhibitRule = {
      sourceMatchers: [{ name: "severity", type: "=~", value: "critical|warning" }],
      targetMatchers: [{ name: "severity", type: "=~", value: "critical|warning" }],
      equal: ["market"],
    };
    const a = alert("a", { severity: "critical", market: "BTC-USD" });
    const b = alert("b", { severity: "warning", market: "BTC-USD" });
    expect(inhibitedBy([compileInhibitRule(rule)], a, [a, b])).toBeNull();
    expect(inhibitedBy([compileInhibitRule(rule)], b, [a, b])).toBeNull();
  });
});

describe("mute windows", () => {
  it.each([
    // 2026-11-23 10:15 UTC is a Monday.
    [Date.UTC(2026, 10, 23, 10, 15), "UTC", { weekday: 1, minuteOfDay: 615 }],
    // +05:30 -> 15:45 same day
    [Date.UTC(2026, 10, 23, 10, 15), "+05:30", { weekday: 1, minuteOfDay: 945 }],
    // -11:00 -> previous day (Sunday) 23:15
    [Date.UTC(2026, 10, 23, 10, 15), "-11:00", { weekday: 0, minuteOfDay: 1395 }],
    // Europe/Berlin is UTC+1 in November (CET) and UTC+2 in July (CEST): DST handled by ICU.
    [Date.UTC(2026, 10, 23, 10, 15), "Europe/Berlin", { weekday: 1, minuteOfDay: 675 }],
    [Date.UTC(2026, 6, 6, 10, 15), "Europe/Berlin", { weekday: 1, minuteOfDay: 735 }],
  ])("local time of %d in %s", (at, loc, expected) => {
    expect(localTimeAt(at, loc)).toEqual(expected);
  });

  it("expands weekday ranges, including wrap-around", () => {
    expect([...expandWeekdays(["monday:friday"])].sort()).toEqual([1, 2, 3, 4, 5]);
    expect([...expandWeekdays(["friday:monday"])].sort()).toEqual([0, 1, 5, 6]);
    expect(() => expandWeekdays(["funday"])).toThrow(/weekday "funday"/);
  });

  it.each([
    // Berlin business hours Mon-Fri 09:00-17:00.
    [Date.UTC(2026, 10, 23, 7, 59), false], // 08:59 Berlin
    [Date.UTC(2026, 10, 23, 8, 0), true], // 09:00 Berlin, start inclusive
    [Date.UTC(2026, 10, 23, 15, 59), true], // 16:59
    [Date.UTC(2026, 10, 23, 16, 0), false], // 17:00, end exclusive
    [Date.UTC(2026, 10, 28, 10, 0), false], // Saturday
    [Date.UTC(2026, 6, 6, 7, 0), true], // July: 09:00 CEST = 07:00 UTC
  ])("business-hours window at %d -> %s", (at, expected) => {
    const w = compileMuteWindow({
      name: "biz",
      timeIntervals: [{ weekdays: ["monday:friday"], times: [{ startTime: "09:00", endTime: "17:00" }], location: "Europe/Berlin" }],
    });
    expect(w.isActive(at)).toBe(expected);
  });

  it("rejects bad windows at compile time", () => {
    expect(() => compileMuteWindow({ name: "x", timeIntervals: [{ location: "Mars/Olympus" }] })).toThrow(/unknown time zone/);
    expect(() => compileMuteWindow({ name: "x", timeIntervals: [{ times: [{ startTime: "22:00", endTime: "02:00" }] }] })).toThrow(/must be after/);
    expect(() => compileMuteWindow({ name: "x", timeIntervals: [{ times: [{ startTime: "9:00", endTime: "10:00" }] }] })).toThrow(/HH:MM/);
  });
});
