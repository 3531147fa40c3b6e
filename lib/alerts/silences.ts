// Silences and inhibition, with Alertmanager semantics.
// - Silence (https://prometheus.io/docs/alerting/latest/alertmanager/#silences): all matchers
//   match the alert's labels and startsAt <= t < endsAt.
// - Inhibition (https://prometheus.io/docs/alerting/latest/configuration/#inhibit_rule): a target
//   alert is muted while a FIRING source alert exists whose labels listed in `equal` have the same
//   values (absent = empty string, so both-absent is equal). As in Alertmanager's inhibit.go, an
//   alert never inhibits itself, and when a target also matches the source side it can only be
//   inhibited by sources that do not match the target side (`excludeTwoSidedMatch`), so two alerts
//   matching both sides cannot mute each other.
// Both only hide FIRING alerts from notifications; they never swallow the resolve of an alert the
// endpoint was told about (see routing.ts).

import { compileMatcher, labelValue, matchesAll, type CompiledMatcher, type LabelMatcher } from "./matchers";
import type { Alert, AlertLabels } from "./types";

export interface Silence {
  id: string;
  matchers: LabelMatcher[];
  startsAtMs: number;
  endsAtMs: number;
  createdBy: string;
  comment: string;
}

export interface CompiledSilence extends Silence {
  compiled: CompiledMatcher[];
}

export function compileSilence(silence: Silence): CompiledSilence {
  if (silence.matchers.length === 0) throw new Error(`silence ${silence.id}: at least one matcher is required`);
  if (!(silence.endsAtMs > silence.startsAtMs)) throw new Error(`silence ${silence.id}: endsAt must be after startsAt`);
  return { ...silence, compiled: silence.matchers.map(compileMatcher) };
}

export function silenceIsActive(silence: Silence, atMs: number): boolean {
  return silence.startsAtMs <= atMs && atMs < silence.endsAtMs;
}

/** Ids of the silences that mute these labels at `atMs` (empty = not silenced). */
export function silencedBy(silences: readonly CompiledSilence[], labels: AlertLabels, atMs: number): string[] {
  return silences.filter((s) => silenceIsActive(s, atMs) && matchesAll(s.compiled, labels)).map((s) => s.id);
}

export interface InhibitRule {
  name?: string;
  sourceMatchers: LabelMatcher[];
  targetMatchers: LabelMatcher[];
  equal: string[];
}

/**
 * Default rule (brief): a stale or erroring feed inhibits deviation/jump/frozen alerts of the same
 * feed and market: those are symptoms of the feed being down, and paging them separately would
 * bury the cause.
 */
export const DEFAULT_INHIBIT_RULES: InhibitRule[] = [
  {
    name: "feed-down-inhibits-price-checks",
    sourceMatchers: [{ name: "check", type: "=~", value: "staleness|feed-error" }],
    targetMatchers: [{ name: "check", type: "=~", value: "deviation|jump|frozen" }],
    equal: ["feed", "market"],
  },
];

export interface CompiledInhibitRule extends InhibitRule {
  source: CompiledMatcher[];
  target: CompiledMatcher[];
}

export function compileInhibitRule(rule: InhibitRule): CompiledInhibitRule {
  return { ...rule, source: rule.sourceMatchers.map(compileMatcher), target: rule.targetMatchers.map(compileMatcher) };
}

/**
 * Fingerprint of a firing alert that inhibits `target`, or null. `firingAlerts` is every firing
 * alert Riskwarden knows (silenced ones included: Alertmanager lets silenced sources inhibit).
 */
export function inhibitedBy(
  rules: readonly CompiledInhibitRule[],
  target: Pick<Alert, "fingerprint" | "labels">,
  firingAlerts: Iterable<Pick<Alert, "fingerprint" | "labels" | "status">>,
): string | null {
  const candidates = rules.filter((r) => matchesAll(r.target, target.labels));
  if (candidates.length === 0) return null;
  for (const source of firingAlerts) {
    if (source.status !== "firing" || source.fingerprint === target.fingerprint) continue;
    for (const rule of candidates) {
      if (!matchesAll(rule.source, source.labels)) continue;
      if (!rule.equal.every((name) => labelValue(source.labels, name) === labelValue(target.labels, name))) continue;
      const targetIsTwoSided = matchesAll(rule.source, target.labels);
      if (targetIsTwoSided && matchesAll(rule.target, source.labels)) continue;
      return source.fingerprint;
    }
  }
  return null;
}

export interface InhibitionIndex {
  inhibitedBy(target: Pick<Alert, "fingerprint" | "labels">): string | null;
}

/**
 * Same answer as `inhibitedBy`, for many targets against one set of firing alerts: sources are
 * bucketed per rule by their `equal` label values, so a lookup is O(rules + candidates sharing the
 * target's values) instead of O(all firing alerts).
 */
export function buildInhibitionIndex(
  rules: readonly CompiledInhibitRule[],
  firingAlerts: Iterable<Pick<Alert, "fingerprint" | "labels" | "status">>,
): InhibitionIndex {
  const keyOf = (rule: CompiledInhibitRule, labels: AlertLabels) => JSON.stringify(rule.equal.map((name) => labelValue(labels, name)));
  const buckets = rules.map(() => new Map<string, Pick<Alert, "fingerprint" | "labels">[]>());
  for (const source of firingAlerts) {
    if (source.status !== "firing") continue;
    rules.forEach((rule, i) => {
      if (!matchesAll(rule.source, source.labels)) return;
      const key = keyOf(rule, source.labels);
      const list = buckets[i].get(key);
      if (list) list.push(source);
      else buckets[i].set(key, [source]);
    });
  }
  return {
    inhibitedBy(target) {
      for (let i = 0; i < rules.length; i++) {
        const rule = rules[i];
        if (!matchesAll(rule.target, target.labels)) continue;
        const candidates = buckets[i].get(keyOf(rule, target.labels));
        if (!candidates) continue;
        const targetIsTwoSided = matchesAll(rule.source, target.labels);
        for (const source of candidates) {
          if (source.fingerprint === target.fingerprint) continue;
          if (targetIsTwoSided && matchesAll(rule.target, source.labels)) continue;
          return source.fingerprint;
        }
      }
      return null;
    },
  };
}
