// The operator's configuration file (RISKWARDEN_CONFIG, YAML or JSON): markets and their detector
// and risk monitor thresholds, feeds, webhooks, security, alert routes and silences.
// Contract: shared contracts config-and-replay.md. A wrong entry stops the start with ONE line naming
// the key path, the value and what was expected, e.g.
//   riskwarden.yaml: feeds[1].heartbeatMs: expected a positive integer, got "abc"
// Pure: no file or env access here; the caller reads the file and passes the env record.
//
// Extending: every section is its own exported zod schema and `riskwardenConfigSchema` is a plain
// z.object, so a new top-level section (silences, mute windows, inhibit rules…) is one more key
// with a `.default(...)`; `parseConfig` picks it up with the same one-line error formatting.
import { z } from "zod";
import { parse as parseYaml } from "yaml";
import { compileMatcher, MATCH_TYPES, parseMatcher, type LabelMatcher } from "../alerts/matchers";
import { riskMonitorThresholdsSchema } from "../alerts/risk-monitors";

const positiveInt = (what = "a positive integer") =>
  z.number({ error: `expected ${what}` }).int({ error: `expected ${what}` }).positive({ error: `expected ${what}` });
const nonNegativeInt = () =>
  z.number({ error: "expected a non-negative integer" }).int({ error: "expected a non-negative integer" }).min(0, { error: "expected a non-negative integer" });
const positivePct = () =>
  z.number({ error: "expected a positive percentage (number)" }).positive({ error: "expected a positive percentage (number)" }).finite();
const nonEmptyString = (what = "a non-empty string") => z.string({ error: `expected ${what}` }).min(1, { error: `expected ${what}` });
const wsUrl = () =>
  nonEmptyString("a ws:// or wss:// URL").refine((value) => /^wss?:\/\/[^\s]+$/.test(value), { error: "expected a ws:// or wss:// URL" });
const httpUrl = () =>
  nonEmptyString("an http:// or https:// URL").refine((value) => /^https?:\/\/[^\s]+$/.test(value), { error: "expected an http:// or https:// URL" });

/** Detector thresholds of one market. Percentages are percent (1.0 = 1 %), times are milliseconds. */
export const detectorThresholdsSchema = z
  .object({
    deviationPct: positivePct().default(1.0),
    forMs: nonNegativeInt().default(2000),
    clearForMs: nonNegativeInt().default(5000),
    jumpPct: positivePct().default(10),
    jumpWindowMs: positiveInt().default(5000),
    confidencePct: positivePct().default(2),
    frozenMs: positiveInt().default(60000),
    // feed-error: this many rejected/error frames of one feed within feedErrorWindowMs make the
    // condition hold (a single malformed frame is counted but does not page anyone).
    feedErrorCount: positiveInt().default(3),
    feedErrorWindowMs: positiveInt().default(10000),
    // EWMA volatility of the reference price (RiskMetrics decay per day, sampling interval).
    volatilityLambdaPerDay: z
      .number({ error: "expected a number in (0, 1)" })
      .gt(0, { error: "expected a number in (0, 1)" })
      .lt(1, { error: "expected a number in (0, 1)" })
      .default(0.94),
    // One-minute samples: at 1 s the ±1 bp noise between venues alone reads as ~50 % annualised σ.
    volatilitySampleMs: positiveInt().default(60000),
  })
  .strict();
export type DetectorThresholds = z.infer<typeof detectorThresholdsSchema>;

export const marketConfigSchema = z
  .object({
    detectors: detectorThresholdsSchema.default(() => detectorThresholdsSchema.parse({})),
    /**
     * Risk monitor thresholds (lib/alerts risk-monitors.ts; percent, USD, milliseconds). Present =
     * the file manages this market's thresholds (read-only in the UI, missing fields take the
     * defaults); absent = the defaults, or what the UI stored.
     */
    riskMonitors: riskMonitorThresholdsSchema.optional(),
  })
  .strict();
export type MarketConfig = z.infer<typeof marketConfigSchema>;

export const feedKinds = ["pyth", "binance", "coinbase", "kraken", "chainlink-streams", "generic"] as const;
export type FeedKind = (typeof feedKinds)[number];

/**
 * Field mapping of a generic JSON feed. Paths are dot paths into the parsed frame ("data.price",
 * "items.0.p"). `itemsPath` points at an array when one frame carries several prices; other paths
 * are then relative to each item.
 */
export const genericMappingSchema = z
  .object({
    itemsPath: z.string().optional(),
    symbolPath: z.string().optional(),
    pricePath: nonEmptyString("a dot path to the price field"),
    confPath: z.string().optional(),
    expoPath: z.string().optional(),
    timestampPath: z.string().optional(),
    timestampUnit: z.enum(["ms", "s", "iso"], { error: 'expected one of "ms", "s", "iso"' }).default("ms"),
    // Frames whose field at keepAlivePath equals keepAliveValue are keep-alives (not ticks, not rejections).
    keepAlivePath: z.string().optional(),
    keepAliveValue: z.union([z.string(), z.number(), z.boolean()]).optional(),
  })
  .strict();
export type GenericMapping = z.infer<typeof genericMappingSchema>;

export const feedConfigSchema = z
  .object({
    id: nonEmptyString("a feed id").regex(/^[A-Za-z0-9._-]+$/, { error: "expected a feed id of letters, digits, . _ -" }),
    kind: z.enum(feedKinds, { error: `expected one of ${feedKinds.join(" | ")}` }),
    url: wsUrl(),
    headers: z.record(z.string(), z.string({ error: "expected a string header value" })).default({}),
    heartbeatMs: positiveInt(),
    /** market → venue symbol (Pyth price id, BTCUSDT, BTC-USD, BTC/USD, Data Streams feed id…). */
    symbols: z.record(z.string(), nonEmptyString("a venue symbol")).refine((s) => Object.keys(s).length > 0, {
      error: "expected at least one market → venue symbol entry",
    }),
    maxFrameBytes: positiveInt().default(65536),
    /** generic feeds only */
    mapping: genericMappingSchema.optional(),
    /** generic feeds only: messages sent after each (re)connect, as JSON values */
    subscribe: z.array(z.unknown()).optional(),
    /** chainlink-streams only: API key (UUID) and HMAC secret, usually env:NAME */
    clientId: z.string().optional(),
    clientSecret: z.string().optional(),
    /** Proactive reconnect before the venue's connection lifetime limit (Binance, Pyth: 24 h). */
    rotateAfterMs: positiveInt().default(23 * 60 * 60 * 1000),
    enabled: z.boolean({ error: "expected true or false" }).default(true),
  })
  .strict()
  .superRefine((feed, ctx) => {
    if (feed.kind === "generic" && !feed.mapping) {
      ctx.addIssue({ code: "custom", path: ["mapping"], message: "expected a field mapping for a generic feed", input: feed.mapping });
    }
    if (feed.kind === "chainlink-streams") {
      for (const key of ["clientId", "clientSecret"] as const) {
        if (!feed[key]) ctx.addIssue({ code: "custom", path: [key], message: "expected a value (e.g. env:NAME) for a chainlink-streams feed", input: feed[key] });
      }
    }
  });
export type FeedConfig = z.infer<typeof feedConfigSchema>;

export const webhookFormats = ["standard", "slack", "pagerduty", "alertmanager"] as const;
export const webhookConfigSchema = z
  .object({
    id: nonEmptyString("a webhook id"),
    format: z.enum(webhookFormats, { error: `expected one of ${webhookFormats.join(" | ")}` }),
    url: httpUrl(),
    secret: z.string().optional(),
    headers: z.record(z.string(), z.string()).default({}),
  })
  .strict();
export type WebhookConfig = z.infer<typeof webhookConfigSchema>;

export const securityConfigSchema = z
  .object({
    allowWebhookHosts: z.array(nonEmptyString("a host name or address")).default([]),
  })
  .strict();

const labelValues = z.union([z.string(), z.array(z.string())], { error: "expected a label value or a list of values" });
export const routeConfigSchema = z
  .object({
    match: z.record(z.string(), labelValues).default({}),
    webhooks: z.array(nonEmptyString("a webhook id")).min(1, { error: "expected at least one webhook id" }),
    groupWaitMs: nonNegativeInt().default(30000),
    groupIntervalMs: positiveInt().default(300000),
    repeatIntervalMs: positiveInt().default(14400000),
  })
  .strict();
export type RouteConfig = z.infer<typeof routeConfigSchema>;

/** RFC 3339 date-time with an explicit zone (`Z` or `±HH:MM`): a silence window must not shift with the server's zone. */
const timestamp = () =>
  z.iso.datetime({ offset: true, error: "expected an ISO 8601 timestamp with a time zone, e.g. 2026-12-01T18:00:00Z" });

const matcherError = 'expected a matcher: label name, one of = != =~ !~, value (e.g. market="BTC-USD")';
/**
 * One matcher in the text form the UI and API accept (`market="BTC-USD"`, `check=~dev.*`,
 * lib/alerts matchers.ts parseMatcher) or as `{name, type, value}`; compiled here so a bad regex
 * stops the start instead of failing when the first alert arrives.
 */
const silenceMatcherSchema = z
  .union([z.string(), z.object({ name: z.string(), type: z.enum(MATCH_TYPES), value: z.string() }).strict()], { error: matcherError })
  .transform((input, ctx): LabelMatcher => {
    let matcher: LabelMatcher;
    try {
      matcher = typeof input === "string" ? parseMatcher(input) : input;
    } catch {
      ctx.addIssue({ code: "custom", message: matcherError, input });
      return z.NEVER;
    }
    try {
      compileMatcher(matcher);
    } catch (error) {
      ctx.addIssue({ code: "custom", message: `expected a valid matcher (${(error as Error).message})`, input });
      return z.NEVER;
    }
    return matcher;
  });

/** Alertmanager's silence validation (silence/silence.go validateSilence): a matcher matching "" also matches an absent label. */
function matchesEmpty(matcher: LabelMatcher): boolean {
  return compileMatcher(matcher).matches({});
}

/**
 * A silence kept in the file, in the shape of an Alertmanager silence
 * (https://prometheus.io/docs/alerting/latest/alertmanager/#silences): all matchers must match an
 * alert's labels while startsAt <= now < endsAt. `id` is stable across restarts (the row's id), so an
 * unchanged entry is neither duplicated nor restarted. `startsAt` defaults to the first start that
 * sees the entry. An entry whose `endsAt` has passed is accepted (it simply no longer applies).
 */
export const silenceConfigSchema = z
  .object({
    id: nonEmptyString("a silence id").regex(/^[A-Za-z0-9._-]{1,64}$/, { error: "expected a silence id of 1-64 letters, digits, . _ -" }),
    matchers: z.array(silenceMatcherSchema, { error: "expected a list of matchers" }).min(1, { error: "expected at least one matcher" }),
    startsAt: timestamp().optional(),
    endsAt: timestamp(),
    createdBy: nonEmptyString("the author of the silence (createdBy)"),
    comment: nonEmptyString("a comment saying why"),
  })
  .strict()
  .superRefine((silence, ctx) => {
    if (silence.startsAt !== undefined && Date.parse(silence.endsAt) <= Date.parse(silence.startsAt)) {
      ctx.addIssue({ code: "custom", path: ["endsAt"], message: `expected a time after startsAt (${silence.startsAt})`, input: silence.endsAt });
    }
    if (silence.matchers.length > 0 && silence.matchers.every(matchesEmpty)) {
      ctx.addIssue({ code: "custom", path: ["matchers"], message: "expected at least one matcher that does not match the empty string (it would silence every alert)", input: undefined });
    }
  });
export type SilenceConfig = z.infer<typeof silenceConfigSchema>;

export const riskwardenConfigSchema = z
  .object({
    markets: z.record(z.string().regex(/^[A-Z0-9]+-[A-Z0-9]+$/, { error: "expected a market name like BTC-USD" }), marketConfigSchema.default({ detectors: detectorThresholdsSchema.parse({}) })).default({}),
    feeds: z.array(feedConfigSchema).default([]),
    webhooks: z.array(webhookConfigSchema).default([]),
    security: securityConfigSchema.default({ allowWebhookHosts: [] }),
    routes: z.array(routeConfigSchema).default([]),
    silences: z.array(silenceConfigSchema).default([]),
    // Governance settings over lib/governance defaults (committee, levels, steward bounds) plus
    // `votingToken`; validated by server/services/governance/settings.ts `governanceConfigFrom`.
    governance: z.record(z.string(), z.unknown()).optional(),
  })
  .strict()
  .superRefine((config, ctx) => {
    const seenFeeds = new Set<string>();
    config.feeds.forEach((feed, index) => {
      if (seenFeeds.has(feed.id)) ctx.addIssue({ code: "custom", path: ["feeds", index, "id"], message: "expected a unique feed id", input: feed.id });
      seenFeeds.add(feed.id);
    });
    const seenSilences = new Set<string>();
    config.silences.forEach((silence, index) => {
      if (seenSilences.has(silence.id)) ctx.addIssue({ code: "custom", path: ["silences", index, "id"], message: "expected a unique silence id", input: silence.id });
      seenSilences.add(silence.id);
    });
    const webhookIds = new Set(config.webhooks.map((w) => w.id));
    config.routes.forEach((route, routeIndex) => {
      route.webhooks.forEach((id, i) => {
        if (!webhookIds.has(id)) {
          ctx.addIssue({ code: "custom", path: ["routes", routeIndex, "webhooks", i], message: "expected the id of a webhook defined under webhooks", input: id });
        }
      });
    });
  });
export type RiskwardenConfig = z.infer<typeof riskwardenConfigSchema>;

/** Thrown for any invalid configuration; `message` is the single line shown to the operator. */
export class ConfigError extends Error {
  constructor(
    message: string,
    readonly keyPath: string,
  ) {
    super(message);
    this.name = "ConfigError";
  }
}

export function formatKeyPath(path: ReadonlyArray<PropertyKey>): string {
  let out = "";
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out || "(root)";
}

function describeValue(value: unknown): string {
  if (value === undefined) return "nothing";
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function valueAt(root: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let node: unknown = root;
  for (const key of path) {
    if (node === null || typeof node !== "object") return undefined;
    node = (node as Record<PropertyKey, unknown>)[key as string];
  }
  return node;
}

function issueToLine(fileName: string, issue: z.core.$ZodIssue, raw: unknown): ConfigError {
  const keyPath = formatKeyPath(issue.path);
  if (issue.code === "unrecognized_keys") {
    const at = issue.path.length ? `${keyPath}.` : "";
    return new ConfigError(`${fileName}: ${at}${issue.keys[0]}: expected a documented key, got unknown key ${describeValue(issue.keys[0])}`, keyPath);
  }
  const value = "input" in issue && issue.input !== undefined ? issue.input : valueAt(raw, issue.path);
  let expected = issue.message;
  if (issue.code === "invalid_type" && !/^expected /.test(expected)) expected = `expected ${issue.expected}`;
  if (issue.code === "invalid_key") expected = issue.issues[0]?.message ?? "expected a valid key";
  if (!/^expected /.test(expected)) expected = `expected ${expected}`;
  return new ConfigError(`${fileName}: ${keyPath}: ${expected}, got ${describeValue(value)}`, keyPath);
}

/**
 * Parse the configuration text (YAML or JSON; JSON is valid YAML but a `.json` name uses JSON.parse
 * for exact error positions). Returns the typed config with defaults filled in, or throws a
 * ConfigError whose message is one line. `env:NAME` values stay unresolved: see resolveSecrets.
 */
export function parseConfig(text: string, fileName: string): RiskwardenConfig {
  let raw: unknown;
  try {
    raw = fileName.endsWith(".json") ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    const reason = (error instanceof Error ? error.message.split("\n")[0] : String(error)).replace(/:$/, "");
    throw new ConfigError(`${fileName}: not valid ${fileName.endsWith(".json") ? "JSON" : "YAML"}: ${reason}`, "(root)");
  }
  if (raw === null || raw === undefined) raw = {};
  const result = riskwardenConfigSchema.safeParse(raw, { reportInput: true });
  if (!result.success) throw issueToLine(fileName, result.error.issues[0], raw);
  return result.data;
}

const envReference = /^env:([A-Za-z_][A-Za-z0-9_]*)$/;

/**
 * Replace every `env:NAME` string value in the config by the variable's value, returning a new
 * config. A missing variable is reported the same way as a bad value:
 *   riskwarden.yaml: feeds[0].headers.Authorization: expected environment variable PYTH_TOKEN to be set, got "env:PYTH_TOKEN"
 */
export function resolveSecrets<T>(config: T, env: Record<string, string | undefined>, fileName = "config"): T {
  const walk = (node: unknown, path: PropertyKey[]): unknown => {
    if (typeof node === "string") {
      const match = envReference.exec(node);
      if (!match) return node;
      const value = env[match[1]];
      if (value === undefined || value === "") {
        throw new ConfigError(`${fileName}: ${formatKeyPath(path)}: expected environment variable ${match[1]} to be set, got ${describeValue(node)}`, formatKeyPath(path));
      }
      return value;
    }
    if (Array.isArray(node)) return node.map((item, index) => walk(item, [...path, index]));
    if (node !== null && typeof node === "object") {
      const out: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(node)) out[key] = walk(value, [...path, key]);
      return out;
    }
    return node;
  };
  return walk(config, []) as T;
}

/** Thresholds for a market, falling back to defaults for markets only named by feeds. */
export function detectorThresholdsFor(config: Pick<RiskwardenConfig, "markets">, market: string): DetectorThresholds {
  return config.markets[market]?.detectors ?? detectorThresholdsSchema.parse({});
}
