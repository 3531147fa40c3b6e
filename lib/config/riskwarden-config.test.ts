import { describe, expect, it } from "vitest";
import { ConfigError, detectorThresholdsFor, parseConfig, resolveSecrets } from "./riskwarden-config";

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
