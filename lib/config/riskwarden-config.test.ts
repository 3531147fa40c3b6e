import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ConfigError, detectorThresholdsFor, parseConfig, resolveSecrets } from "./riskwarden-config";
import { DEFAULT_RISK_MONITOR_THRESHOLDS } from "../alerts/risk-monitors";

// The example file of shared contracts config-and-replay.md, verbatim in structure.
const contractExample = `
markets:
  BTC-USD:
    detectors:
      deviationPct: 1.0
      forMs: 2000
      clearForMs: 5000
      jumpPct: 10
      jumpWindowMs: 5000
      confidencePct: 2
      frozenMs: 60000
feeds:
  - id: pyth-main
    kind: pyth
    url: wss://hermes.pyth.network/ws
    headers: { Authorization: "env:PYTH_TOKEN" }
    heartbeatMs: 5000
    symbols: { BTC-USD: "e62df6c8b4a85fe1a67db44dc12de5db330f7ac66b72dc658afedf0f4a415b43" }
  - id: binance-spot
    kind: binance
    url: wss://stream.binance.com:9443/stream?streams=btcusdt@bookTicker
    heartbeatMs: 3000
    symbols: { BTC-USD: BTCUSDT }
webhooks:
  - id: oncall-generic
    format: standard
    url: https://hooks.example.com/riskwarden
    secret: env:ONCALL_WEBHOOK_SECRET
security:
  allowWebhookHosts: []
routes:
  - match: { severity: [critical, warning] }
    webhooks: [oncall-generic]
    groupWaitMs: 30000
    groupIntervalMs: 300000
    repeatIntervalMs: 14400000
`;

function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error("expected a ConfigError");
}

describe("parseConfig", () => {
  it("accepts the contract's example and fills defaults", () => {
    const config = parseConfig(contractExample, "riskwarden.yaml");
    expect(config.feeds.map((f) => [f.id, f.kind, f.heartbeatMs])).toEqual([
      ["pyth-main", "pyth", 5000],
      ["binance-spot", "binance", 3000],
    ]);
    expect(config.feeds[0].maxFrameBytes).toBe(65536);
    expect(config.markets["BTC-USD"].detectors).toMatchObject({ deviationPct: 1, forMs: 2000, clearForMs: 5000, feedErrorCount: 3 });
    expect(config.routes[0]).toEqual({ match: { severity: ["critical", "warning"] }, webhooks: ["oncall-generic"], groupWaitMs: 30000, groupIntervalMs: 300000, repeatIntervalMs: 14400000 });
    // A market only named by feeds gets the documented defaults.
    expect(detectorThresholdsFor(config, "ETH-USD")).toMatchObject({ deviationPct: 1, frozenMs: 60000, confidencePct: 2 });
  });

  it("accepts the example of the repository's docs/config-and-replay.md", () => {
    const doc = readFileSync(new URL("../../docs/config-and-replay.md", import.meta.url), "utf8");
    const example = /```yaml\n([\s\S]*?)```/.exec(doc)?.[1] ?? "";
    const config = parseConfig(example, "config-and-replay.md");
    expect(config.silences.map((s) => [s.id, s.matchers.length, s.endsAt])).toEqual([["binance-btc-maintenance", 3, "2026-12-01T20:00:00Z"]]);
    expect(config.silences[0].matchers[1]).toEqual({ name: "check", type: "=~", value: "deviation|jump" });
    // The documented risk monitor values are the defaults, as the doc says.
    expect(config.markets["BTC-USD"].riskMonitors).toEqual(DEFAULT_RISK_MONITOR_THRESHOLDS);
  });

  it("accepts the same document as JSON", () => {
    const json = JSON.stringify({ feeds: [{ id: "k", kind: "kraken", url: "wss://ws.kraken.com/v2", heartbeatMs: 2000, symbols: { "BTC-USD": "BTC/USD" } }] });
    expect(parseConfig(json, "riskwarden.json").feeds[0].kind).toBe("kraken");
  });

  it.each([
    [contractExample.replace("heartbeatMs: 3000", 'heartbeatMs: "abc"'), 'riskwarden.yaml: feeds[1].heartbeatMs: expected a positive integer, got "abc"'],
    [contractExample.replace("heartbeatMs: 3000", "heartbeatMs: -5"), "riskwarden.yaml: feeds[1].heartbeatMs: expected a positive integer, got -5"],
    [contractExample.replace("kind: binance", "kind: bitmex"), 'riskwarden.yaml: feeds[1].kind: expected one of pyth | binance | coinbase | kraken | chainlink-streams | generic, got "bitmex"'],
    [contractExample.replace("deviationPct: 1.0", "deviationPct: zero"), 'riskwarden.yaml: markets.BTC-USD.detectors.deviationPct: expected a positive percentage (number), got "zero"'],
    [contractExample.replace("frozenMs: 60000", "frozenMss: 60000"), 'riskwarden.yaml: markets.BTC-USD.detectors.frozenMss: expected a documented key, got unknown key "frozenMss"'],
    [contractExample.replace("url: wss://hermes", "url: https://hermes"), 'riskwarden.yaml: feeds[0].url: expected a ws:// or wss:// URL, got "https://hermes.pyth.network/ws"'],
    [contractExample.replace("webhooks: [oncall-generic]", "webhooks: [oncall]"), 'riskwarden.yaml: routes[0].webhooks[0]: expected the id of a webhook defined under webhooks, got "oncall"'],
    [contractExample.replace("format: standard", "format: teams"), 'riskwarden.yaml: webhooks[0].format: expected one of standard | slack | pagerduty | alertmanager, got "teams"'],
    [contractExample.replace("id: binance-spot", "id: pyth-main"), 'riskwarden.yaml: feeds[1].id: expected a unique feed id, got "pyth-main"'],
    ["feeds:\n  - { id: g, kind: generic, url: 'ws://x', heartbeatMs: 1000, symbols: { A-B: x } }\n", "riskwarden.yaml: feeds[0].mapping: expected a field mapping for a generic feed, got nothing"],
  ])("reports one line naming key, value and expectation (%#)", (text, expected) => {
    const message = messageOf(() => parseConfig(text, "riskwarden.yaml"));
    expect(message).toBe(expected);
    expect(message).not.toContain("\n");
  });

  it("reports unparseable YAML on one line", () => {
    const message = messageOf(() => parseConfig("feeds: [", "riskwarden.yaml"));
    expect(message).toMatch(/^riskwarden\.yaml: not valid YAML: /);
    expect(message).not.toContain("\n");
  });
});

describe("silences", () => {
  const silencesExample = `
silences:
  - id: binance-maintenance
    matchers: ['market="BTC-USD"', 'check=~dev.*', { name: feed, type: "!=", value: "" }]
    startsAt: 2026-12-01T18:00:00Z
    endsAt: 2026-12-01T20:00:00+01:00
    createdBy: ops@example.com
    comment: Binance wallet maintenance, deviation alerts expected
  - id: no-start
    matchers: [feed=kraken]
    endsAt: 2026-12-02T00:00:00Z
    createdBy: ops@example.com
    comment: kraken feed being replaced
`;
  const base = silencesExample.split("  - id: no-start")[0];

  it("parses Alertmanager-style silences: text or object matchers, optional startsAt", () => {
    const config = parseConfig(silencesExample, "riskwarden.yaml");
    expect(config.silences).toEqual([
      {
        id: "binance-maintenance",
        matchers: [
          { name: "market", type: "=", value: "BTC-USD" },
          { name: "check", type: "=~", value: "dev.*" },
          { name: "feed", type: "!=", value: "" },
        ],
        startsAt: "2026-12-01T18:00:00Z",
        endsAt: "2026-12-01T20:00:00+01:00",
        createdBy: "ops@example.com",
        comment: "Binance wallet maintenance, deviation alerts expected",
      },
      { id: "no-start", matchers: [{ name: "feed", type: "=", value: "kraken" }], endsAt: "2026-12-02T00:00:00Z", createdBy: "ops@example.com", comment: "kraken feed being replaced" },
    ]);
    expect(parseConfig("feeds: []\n", "riskwarden.yaml").silences).toEqual([]);
  });

  it.each([
    [base.replace("endsAt: 2026-12-01T20:00:00+01:00", "endsAt: tomorrow"), 'riskwarden.yaml: silences[0].endsAt: expected an ISO 8601 timestamp with a time zone, e.g. 2026-12-01T18:00:00Z, got "tomorrow"'],
    [base.replace("endsAt: 2026-12-01T20:00:00+01:00", "endsAt: 2026-12-01T20:00:00"), 'riskwarden.yaml: silences[0].endsAt: expected an ISO 8601 timestamp with a time zone, e.g. 2026-12-01T18:00:00Z, got "2026-12-01T20:00:00"'],
    [base.replace("    endsAt: 2026-12-01T20:00:00+01:00\n", ""), "riskwarden.yaml: silences[0].endsAt: expected an ISO 8601 timestamp with a time zone, e.g. 2026-12-01T18:00:00Z, got nothing"],
    // 20:00+01:00 is 19:00Z: before a start at 19:30Z.
    [base.replace("startsAt: 2026-12-01T18:00:00Z", "startsAt: 2026-12-01T19:30:00Z"), 'riskwarden.yaml: silences[0].endsAt: expected a time after startsAt (2026-12-01T19:30:00Z), got "2026-12-01T20:00:00+01:00"'],
    [base.replace("'check=~dev.*'", "'check=~(dev'"), /^riskwarden\.yaml: silences\[0\]\.matchers\[1\]: expected a valid matcher \(matcher check=~"\(dev": invalid regex \(.+\)\), got "check=~\(dev"$/],
    [base.replace("'check=~dev.*'", "'check'"), 'riskwarden.yaml: silences[0].matchers[1]: expected a matcher: label name, one of = != =~ !~, value (e.g. market="BTC-USD"), got "check"'],
    [base.replace('type: "!="', 'type: "=="'), 'riskwarden.yaml: silences[0].matchers[2]: expected a matcher: label name, one of = != =~ !~, value (e.g. market="BTC-USD"), got {"name":"feed","type":"==","value":""}'],
    [base.replace(/matchers: .*\n/, "matchers: []\n"), "riskwarden.yaml: silences[0].matchers: expected at least one matcher, got []"],
    [base.replace(/matchers: .*\n/, 'matchers: [check=~".*", feed=""]\n'), 'riskwarden.yaml: silences[0].matchers: expected at least one matcher that does not match the empty string (it would silence every alert), got ["check=~\\".*\\"","feed=\\"\\""]'],
    [base.replace("    comment: Binance wallet maintenance, deviation alerts expected\n", ""), "riskwarden.yaml: silences[0].comment: expected a comment saying why, got nothing"],
    [base.replace("createdBy: ops@example.com", 'createdBy: ""'), 'riskwarden.yaml: silences[0].createdBy: expected the author of the silence (createdBy), got ""'],
    [base.replace("createdBy:", "author:"), "riskwarden.yaml: silences[0].createdBy: expected the author of the silence (createdBy), got nothing"],
    [base.replace("createdBy:", "createdBy: x\n    author:"), 'riskwarden.yaml: silences[0].author: expected a documented key, got unknown key "author"'],
    [base.replace("id: binance-maintenance", "id: binance maintenance"), 'riskwarden.yaml: silences[0].id: expected a silence id of 1-64 letters, digits, . _ -, got "binance maintenance"'],
    [silencesExample.replace("id: no-start", "id: binance-maintenance"), 'riskwarden.yaml: silences[1].id: expected a unique silence id, got "binance-maintenance"'],
  ])("refuses an invalid silence with its key path and reason (%#)", (text, expected) => {
    const message = messageOf(() => parseConfig(text, "riskwarden.yaml"));
    if (typeof expected === "string") expect(message).toBe(expected);
    else expect(message).toMatch(expected);
    expect(message).not.toContain("\n");
  });
});

describe("resolveSecrets", () => {
  it("replaces env:NAME values from the given env record", () => {
    const config = parseConfig(contractExample, "riskwarden.yaml");
    const resolved = resolveSecrets(config, { PYTH_TOKEN: "tok-1", ONCALL_WEBHOOK_SECRET: "whsec_abc" }, "riskwarden.yaml");
    expect(resolved.feeds[0].headers.Authorization).toBe("tok-1");
    expect(resolved.webhooks[0].secret).toBe("whsec_abc");
    expect(config.feeds[0].headers.Authorization).toBe("env:PYTH_TOKEN"); // input untouched
  });

  it("reports a missing variable like a bad value", () => {
    const config = parseConfig(contractExample, "riskwarden.yaml");
    expect(messageOf(() => resolveSecrets(config, { ONCALL_WEBHOOK_SECRET: "x" }, "riskwarden.yaml"))).toBe(
      'riskwarden.yaml: feeds[0].headers.Authorization: expected environment variable PYTH_TOKEN to be set, got "env:PYTH_TOKEN"',
    );
  });
});

describe("risk monitor thresholds (markets.<M>.riskMonitors)", () => {
  const monitorsExample = `
markets:
  BTC-USD:
    riskMonitors:
      forMs: 30000
      clearForMs: 120000
      nearLiquidation: { withinPct: 3, warningOiSharePct: 8, criticalOiSharePct: 20 }
      liquidatable: { warningNotionalUsd: 250000, criticalNotionalUsd: 2000000 }
      predictedLiquidations: { z: 2.326348, warningOiSharePct: 5, criticalOiSharePct: 12 }
      insuranceCoverage: { warningBelowPct: 300, criticalBelowPct: 150 }
  ETH-USD:
    riskMonitors: {}
  SOL-USD:
    detectors: { deviationPct: 2 }
`;

  it("parses per-market thresholds next to the detectors; absent = not managed by the file", () => {
    const config = parseConfig(monitorsExample, "riskwarden.yaml");
    expect(config.markets["BTC-USD"].riskMonitors).toEqual({
      forMs: 30000,
      clearForMs: 120000,
      nearLiquidation: { withinPct: 3, warningOiSharePct: 8, criticalOiSharePct: 20 },
      liquidatable: { warningNotionalUsd: 250000, criticalNotionalUsd: 2000000 },
      predictedLiquidations: { z: 2.326348, warningOiSharePct: 5, criticalOiSharePct: 12 },
      // z of the stress cascade's one-day move: not given, so the one-sided 99 % default
      insuranceCoverage: { warningBelowPct: 300, criticalBelowPct: 150, z: 2.326348 },
    });
    // `{}`: the file manages ETH-USD with every default.
    expect(config.markets["ETH-USD"].riskMonitors).toMatchObject({ forMs: 15000, clearForMs: 60000, nearLiquidation: { withinPct: 5, warningOiSharePct: 10, criticalOiSharePct: 25 } });
    expect(config.markets["SOL-USD"].riskMonitors).toBeUndefined();
    expect(config.markets["SOL-USD"].detectors.deviationPct).toBe(2);
  });

  const btc = (line: string) => `markets:\n  BTC-USD:\n    riskMonitors:\n${line}\n`;
  it.each([
    [btc("      nearLiquidation: { withinPct: -1 }"), "riskwarden.yaml: markets.BTC-USD.riskMonitors.nearLiquidation.withinPct: expected a non-negative number of percent (5 = 5 %), got -1"],
    [btc('      nearLiquidation: { withinPct: "5%" }'), 'riskwarden.yaml: markets.BTC-USD.riskMonitors.nearLiquidation.withinPct: expected a non-negative number of percent (5 = 5 %), got "5%"'],
    [btc("      nearLiquidation: { warningOiSharePct: 120, criticalOiSharePct: 130 }"), "riskwarden.yaml: markets.BTC-USD.riskMonitors.nearLiquidation.warningOiSharePct: expected a share of open interest between 0 and 100 (percent), got 120"],
    [btc("      nearLiquidation: { warningOiSharePct: 30, criticalOiSharePct: 20 }"), "riskwarden.yaml: markets.BTC-USD.riskMonitors.nearLiquidation.criticalOiSharePct: expected a critical level at or above the warning level (30), got 20"],
    [btc("      insuranceCoverage: { warningBelowPct: 100, criticalBelowPct: 150 }"), "riskwarden.yaml: markets.BTC-USD.riskMonitors.insuranceCoverage.criticalBelowPct: expected a critical level at or below the warning level (100), got 150"],
    [btc("      liquidatable: { warningNotionalUsd: 5000000 }"), "riskwarden.yaml: markets.BTC-USD.riskMonitors.liquidatable.criticalNotionalUsd: expected a critical level at or above the warning level (5000000), got 1000000"],
    [btc("      predictedLiquidations: { z: 0 }"), "riskwarden.yaml: markets.BTC-USD.riskMonitors.predictedLiquidations.z: expected a positive number (standard normal quantile, 2.326348 = one-sided 99 %), got 0"],
    [btc("      forMs: 1.5"), "riskwarden.yaml: markets.BTC-USD.riskMonitors.forMs: expected a non-negative integer (milliseconds), got 1.5"],
    [btc("      nearLiquidation: { withinPc: 3 }"), 'riskwarden.yaml: markets.BTC-USD.riskMonitors.nearLiquidation.withinPc: expected a documented key, got unknown key "withinPc"'],
    [btc("      nearLiquidations: {}"), 'riskwarden.yaml: markets.BTC-USD.riskMonitors.nearLiquidations: expected a documented key, got unknown key "nearLiquidations"'],
    ["markets:\n  BTC-USD:\n    riskMonitors: 5\n", "riskwarden.yaml: markets.BTC-USD.riskMonitors: expected object, got 5"],
  ])("refuses a bad threshold with its key path and reason (%#)", (text, expected) => {
    const message = messageOf(() => parseConfig(text, "riskwarden.yaml"));
    expect(message).toBe(expected);
    expect(message).not.toContain("\n");
  });
});
