// Label matchers with Alertmanager semantics (https://prometheus.io/docs/alerting/latest/configuration/#matcher):
// `=` equal, `!=` not equal, `=~` regex match, `!~` regex non-match. Regexes are fully anchored
// (Alertmanager wraps them in `^(?:…)$`), and a label that is absent matches as the empty string,
// so `feed=""` selects alerts without a feed and `feed!=""` those with one.

import type { AlertLabels } from "./types";

export const MATCH_TYPES = ["=", "!=", "=~", "!~"] as const;
export type MatchType = (typeof MATCH_TYPES)[number];

export interface LabelMatcher {
  name: string;
  type: MatchType;
  value: string;
}

export interface CompiledMatcher extends LabelMatcher {
  matches(labels: AlertLabels): boolean;
}

export function labelValue(labels: AlertLabels, name: string): string {
  return labels[name] ?? "";
}

export function compileMatcher(matcher: LabelMatcher): CompiledMatcher {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(matcher.name)) {
    throw new Error(`matcher label name ${JSON.stringify(matcher.name)} is not a valid label name`);
  }
  let test: (value: string) => boolean;
  switch (matcher.type) {
    case "=":
      test = (v) => v === matcher.value;
      break;
    case "!=":
      test = (v) => v !== matcher.value;
      break;
    case "=~":
    case "!~": {
      let re: RegExp;
      try {
        re = new RegExp(`^(?:${matcher.value})$`);
      } catch (err) {
        throw new Error(`matcher ${matcher.name}${matcher.type}${JSON.stringify(matcher.value)}: invalid regex (${(err as Error).message})`);
      }
      test = matcher.type === "=~" ? (v) => re.test(v) : (v) => !re.test(v);
      break;
    }
    default:
      throw new Error(`unknown match type ${JSON.stringify((matcher as LabelMatcher).type)}`);
  }
  return { ...matcher, matches: (labels) => test(labelValue(labels, matcher.name)) };
}

/** All matchers must match (an empty list matches everything). */
export function matchesAll(matchers: readonly CompiledMatcher[], labels: AlertLabels): boolean {
  return matchers.every((m) => m.matches(labels));
}

/**
 * Parses the Alertmanager text form: `severity="critical"`, `market=~"BTC-.*"`, `feed!=binance`
 * (quotes optional when the value has no spaces, commas or quotes).
 */
export function parseMatcher(text: string): LabelMatcher {
  const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*(.*?)\s*$/.exec(text);
  if (!m) throw new Error(`cannot parse matcher ${JSON.stringify(text)}: expected name, one of = != =~ !~, value`);
  const [, name, type, rawValue] = m;
  let value = rawValue;
  if (rawValue.startsWith('"')) {
    if (rawValue.length < 2 || !rawValue.endsWith('"')) {
      throw new Error(`cannot parse matcher ${JSON.stringify(text)}: unterminated quoted value`);
    }
    value = JSON.parse(rawValue) as string;
  }
  return { name, type: type as MatchType, value };
}

export function formatMatcher(m: LabelMatcher): string {
  return `${m.name}${m.type}${JSON.stringify(m.value)}`;
}

/** Escapes a literal for use inside a `=~` matcher built from a list of values. */
export function escapeRegex(literal: string): string {
  return literal.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * The config-file route form `match: {severity: [critical, warning], market: BTC-USD}`: each key
 * must match, a list means any of its values (shared contracts/config-and-replay.md).
 */
export function matchersFromMatchMap(match: Record<string, string | readonly string[]>): LabelMatcher[] {
  return Object.entries(match).map(([name, v]) =>
    typeof v === "string"
      ? { name, type: "=" as const, value: v }
      : { name, type: "=~" as const, value: v.length === 0 ? "(?!)" : v.map(escapeRegex).join("|") },
  );
}
