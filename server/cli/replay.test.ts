// The `riskwarden replay` command end to end, as a user runs it (bin → tsx → server/cli).
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const scenarios = path.join(root, "lib", "oracle", "fixtures", "scenarios");
const cli = (...args: string[]) => spawnSync(process.execPath, [path.join(root, "bin", "riskwarden.mjs"), "replay", ...args], { encoding: "utf8", cwd: root });

describe("riskwarden replay", () => {
  it("prints the contract's JSON shape with --json", () => {
    const result = cli("--config", path.join(scenarios, "riskwarden.yaml"), "--input", path.join(scenarios, "deviation.jsonl"), "--json");
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    const out = JSON.parse(result.stdout);
    expect(Object.keys(out)).toEqual(["frames", "ticks", "rejected", "prices", "alerts"]);
    expect(out.frames).toBe(273);
    expect(Object.keys(out.prices["BTC-USD"])).toEqual(["reference", "sources"]);
    expect(out.alerts).toEqual([
      {
        fingerprint: "deviation:BTC-USD:binance-spot",
        check: "deviation",
        market: "BTC-USD",
        feed: "binance-spot",
        severity: "warning",
        firedAt: 1692110612010,
        resolvedAt: 1692110635010,
        value: out.alerts[0].value,
        threshold: 0.01,
      },
    ]);
  });

  it.each([
    [["--input", "x.jsonl"], /^riskwarden replay: --config is required; usage: /],
    [["--config", path.join(scenarios, "riskwarden.yaml"), "--input", "/nonexistent/frames.jsonl"], /^riskwarden replay: cannot read input \/nonexistent\/frames\.jsonl: ENOENT$/],
  ])("bad input %j exits 2 with one line", (args, pattern) => {
    const result = cli(...(args as string[]));
    expect(result.status).toBe(2);
    expect(result.stderr.trimEnd()).toMatch(pattern);
    expect(result.stderr.trimEnd()).not.toContain("\n");
  });

  it("reports a bad config value with its key path", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "rw-replay-"));
    const configFile = path.join(dir, "riskwarden.yaml");
    writeFileSync(configFile, "feeds:\n  - { id: a, kind: pyth, url: 'wss://x', heartbeatMs: abc, symbols: { BTC-USD: x } }\n");
    const result = cli("--config", configFile, "--input", path.join(scenarios, "deviation.jsonl"));
    expect(result.status).toBe(2);
    expect(result.stderr).toBe('riskwarden.yaml: feeds[0].heartbeatMs: expected a positive integer, got "abc"\n');
  });
});
