// Black-box tests of `riskwarden margin | preview | stress` (contract risk-cli.md): every case of
// the shared vectors (copied to lib/risk/fixtures/vectors.json), more cases derived from venue
// docs, and bad input (exit 2, one line on stderr).
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "..", "..");
const cli = path.join(root, "bin", "riskwarden.mjs");
const workDir = mkdtempSync(path.join(tmpdir(), "riskwarden-cli-"));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

let fileCounter = 0;
function writeJson(name: string, value: unknown): string {
  const file = path.join(workDir, `${fileCounter++}-${name}`);
  writeFileSync(file, typeof value === "string" ? value : JSON.stringify(value));
  return file;
}

function runCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [cli, ...args], { cwd: root, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

function expectClose(actual: unknown, expected: number, label: string): void {
  expect(typeof actual, label).toBe("number");
  const tolerance = 1e-6 * Math.max(1e-12, Math.abs(expected));
  expect(Math.abs((actual as number) - expected), `${label}: ${actual} vs ${expected}`).toBeLessThanOrEqual(expected === 0 ? 1e-9 : tolerance);
}

interface VectorCase {
  name: string;
  source: string;
  command: "margin" | "preview" | "stress";
  book: unknown;
  params?: unknown;
  current?: unknown;
  proposed?: unknown;
  shock?: number | string;
  expect: any;
}

async function runCase(vector: VectorCase): Promise<void> {
  const book = writeJson("book.json", vector.book);
  if (vector.command === "margin") {
    const result = await runCli(["margin", "--book", book, "--params", writeJson("params.json", vector.params), "--json"]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const output = JSON.parse(result.stdout);
    for (const check of vector.expect as { account: string; path: (string | number)[]; value: number | null }[]) {
      let value: any = output.accounts.find((account: { id: string }) => account.id === check.account);
      for (const key of check.path) value = value[key];
      if (check.value === null) expect(value, `${check.account}.${check.path.join(".")}`).toBeNull();
      else expectClose(value, check.value, `${vector.name} ${check.account}.${check.path.join(".")}`);
    }
  } else if (vector.command === "preview") {
    const result = await runCli(["preview", "--book", book, "--current", writeJson("current.json", vector.current), "--proposed", writeJson("proposed.json", vector.proposed), "--json"]);
    expect(result.code).toBe(0);
    const output = JSON.parse(result.stdout);
    const newly = output.accounts.filter((account: { newlyLiquidatable: boolean }) => account.newlyLiquidatable).map((account: { id: string }) => account.id);
    expect(newly).toEqual(vector.expect.newlyLiquidatable);
    expect(output.summary.newlyLiquidatable).toBe(vector.expect.newlyLiquidatable.length);
    expectClose(output.summary.shortfall.proposed, vector.expect.shortfallProposed, `${vector.name} shortfall`);
    for (const [id, [before, after]] of Object.entries(vector.expect.liquidationPrices as Record<string, [number, number]>)) {
      const account = output.accounts.find((entry: { id: string }) => entry.id === id);
      expectClose(account.current.positions[0].liquidationPrice, before, `${id} current`);
      expectClose(account.proposed.positions[0].liquidationPrice, after, `${id} proposed`);
    }
  } else {
    const result = await runCli(["stress", "--book", book, "--params", writeJson("params.json", vector.params), "--shock", String(vector.shock), "--json"]);
    expect(result.code).toBe(0);
    const output = JSON.parse(result.stdout);
    expect(output.waves.length).toBe(vector.expect.waves);
    const [market] = Object.keys(output.finalPrice);
    expectClose(output.finalPrice[market], vector.expect.finalPrice, "finalPrice");
    for (const key of ["badDebt", "insuranceFund", "liquidatedNotional", "autoDeleverageNeeded"]) expectClose(output[key], vector.expect[key], key);
  }
}

const vectors: VectorCase[] = JSON.parse(readFileSync(path.join(root, "lib", "risk", "fixtures", "vectors.json"), "utf8")).cases;

describe("shared vectors through the CLI (1e-6 relative)", () => {
  it.concurrent.each(vectors.map((vector) => [vector.name, vector] as const))("%s", async (_name, vector) => {
    await runCase(vector);
  });
});

const binanceBtcTiers = [
  { notionalFloor: 0, maintenanceMarginFraction: 0.004 },
  { notionalFloor: 50000, maintenanceMarginFraction: 0.005 },
  { notionalFloor: 250000, maintenanceMarginFraction: 0.01 },
  { notionalFloor: 1000000, maintenanceMarginFraction: 0.025 },
];

// Sqrt-impact numbers of the bad-debt case, from the contract's formulas:
// P = 100·0.9 = 90; Q = −1000·90; I = 0.05·√(90000/100000); fill = 90·(1 − ⅔I); P' = 90·(1 − I).
const adlImpact = 0.05 * Math.sqrt(90000 / 100000);
const adlFill = 90 * (1 - (2 / 3) * adlImpact);
const adlBadDebt = -(1000 + 1000 * (adlFill - 100));

const venueCases: VectorCase[] = [
  {
    name: "binance-cross-one-way-tiered",
    source: "Binance FAQ 'How to Calculate Liquidation Price of USDⓈ-M Futures Contracts': LP = (WB − TMM1 + UPNL1 + cumB − side·pos·EP)/(pos·MMR − side·pos); WB 10000, TMM1 210, UPNL1 −1000, cum 50, MMR 0.005 → 51160/1.99",
    command: "margin",
    book: { marks: { "BTC-USDT": 29000, "ETH-USDT": 2100 }, accounts: [{ id: "w", mode: "cross", collateral: 10000, positions: [
      { market: "BTC-USDT", size: 2, entryPrice: 30000 }, { market: "ETH-USDT", size: -10, entryPrice: 2000 }] }] },
    params: { markets: { "BTC-USDT": { initialMarginFraction: 0.05, maintenanceMarginFraction: 0.025, maintenanceTiers: binanceBtcTiers }, "ETH-USDT": { initialMarginFraction: 0.02, maintenanceMarginFraction: 0.01 } } },
    expect: [
      { account: "w", path: ["positions", 0, "liquidationPrice"], value: 51160 / 1.99 },
      { account: "w", path: ["maintenanceMargin"], value: 450 }, // 58000·0.005 − 50 + 10·2100·0.01
      { account: "w", path: ["equity"], value: 7000 }, // 10000 + 2·(29000 − 30000) − 10·(2100 − 2000)
    ],
  },
  {
    name: "binance-isolated-short-tier-2",
    source: "Binance USD-M formula, isolated (TMM1 = UPNL1 = 0): (1000 + 15 + 5·2000)/(5·0.0065 + 5)",
    command: "margin",
    book: { marks: { "ETH-USDT": 2000 }, accounts: [{ id: "s", mode: "isolated", positions: [{ market: "ETH-USDT", size: -5, entryPrice: 2000, margin: 1000 }] }] },
    params: { markets: { "ETH-USDT": { initialMarginFraction: 0.02, maintenanceMarginFraction: 0.01, maintenanceTiers: [
      { notionalFloor: 0, maintenanceMarginFraction: 0.005 }, { notionalFloor: 10000, maintenanceMarginFraction: 0.0065 }, { notionalFloor: 100000, maintenanceMarginFraction: 0.01 }] } } },
    expect: [{ account: "s", path: ["positions", 0, "liquidationPrice"], value: 11015 / 5.0325 }],
  },
  {
    name: "hyperliquid-isolated-short",
    source: "Hyperliquid docs, liquidations: liq = price − side·margin_available/size/(1 − l·side), l = 1/(2·25): 3100 + 276/2/1.02",
    command: "margin",
    book: { marks: { "ETH-USD": 3100 }, accounts: [{ id: "h", mode: "isolated", positions: [{ market: "ETH-USD", size: -2, entryPrice: 3000, margin: 600 }] }] },
    params: { markets: { "ETH-USD": { initialMarginFraction: 0.04, maintenanceMarginFraction: 0.02 } } },
    expect: [{ account: "h", path: ["positions", 0, "liquidationPrice"], value: 3100 + 276 / 2 / 1.02 }],
  },
  {
    name: "dydx-long-overcollateralised-has-no-liquidation-price",
    source: "contract: null when no positive price reaches it; 200 + (P − 100) = 0.05P has P < 0",
    command: "margin",
    book: { marks: { X: 100 }, accounts: [{ id: "l", mode: "isolated", positions: [{ market: "X", size: 1, entryPrice: 100, margin: 200 }] }] },
    params: { markets: { X: { initialMarginFraction: 0.1, maintenanceMarginFraction: 0.05 } } },
    expect: [{ account: "l", path: ["positions", 0, "liquidationPrice"], value: null }, { account: "l", path: ["health"], value: 200 / 5 }],
  },
  {
    name: "cascade-bad-debt-and-adl",
    source: "contract cascade formulas; fund 100 cannot cover the bad debt of a 100× long after −10%",
    command: "stress",
    shock: -0.1,
    book: { marks: { X: 100 }, insuranceFund: 100, accounts: [{ id: "z", mode: "cross", collateral: 1000, positions: [{ market: "X", size: 1000, entryPrice: 100 }] }] },
    params: { markets: { X: { initialMarginFraction: 0.1, maintenanceMarginFraction: 0.05, liquidationPenalty: 0.01, cascade: { dailyVolatility: 0.05, dailyVolumeUsd: 100000, impactCoefficient: 1, permanentImpactShare: 1 } } } },
    expect: { waves: 1, finalPrice: 90 * (1 - adlImpact), badDebt: adlBadDebt, insuranceFund: 0, liquidatedNotional: 1000 * adlFill, autoDeleverageNeeded: adlBadDebt - 100 },
  },
];

describe("venue-derived cases through the CLI", () => {
  it.concurrent.each(venueCases.map((vector) => [vector.name, vector] as const))("%s", async (_name, vector) => {
    await runCase(vector);
  });

  it("per-market shock vector moves only the named market", async () => {
    const book = writeJson("book.json", {
      marks: { X: 100, Y: 50 },
      accounts: [
        { id: "x", mode: "isolated", positions: [{ market: "X", size: 10, entryPrice: 100, margin: 100 }] },
        { id: "y", mode: "isolated", positions: [{ market: "Y", size: 10, entryPrice: 50, margin: 50 }] },
      ],
    });
    const params = writeJson("params.json", { markets: { X: { initialMarginFraction: 0.1, maintenanceMarginFraction: 0.05 }, Y: { initialMarginFraction: 0.1, maintenanceMarginFraction: 0.05 } } });
    const result = await runCli(["stress", "--book", book, "--params", params, "--shock", "X=-0.1", "--json"]);
    expect(result.code).toBe(0);
    const output = JSON.parse(result.stdout);
    // X at 90: equity 100 − 100 = 0 < 45 → liquidated, no cascade block → fills at 90, no move. Y untouched at 50.
    expect(output.waves).toEqual([{ price: { X: 90, Y: 50 }, accounts: ["x"], forcedNotional: { X: -900 }, fillPrice: { X: 90 } }]);
    expect(output.finalPrice).toEqual({ X: 90, Y: 50 });
  });
});

describe("bad input: exit 2 and one line naming file, path and expectation", () => {
  const goodParams = { markets: { X: { initialMarginFraction: 0.1, maintenanceMarginFraction: 0.05 } } };
  const goodBook = { marks: { X: 100 }, accounts: [{ id: "a", mode: "cross", collateral: 10, positions: [{ market: "X", size: 1, entryPrice: 100 }] }] };

  const cases: { name: string; args: () => string[]; message: (files: string[]) => string | RegExp }[] = [];
  let files: string[] = [];
  const file = (name: string, value: unknown) => {
    const written = writeJson(name, value);
    files.push(written);
    return written;
  };
  cases.push({
    name: "size not a number",
    args: () => ["margin", "--book", file("book.json", { ...goodBook, accounts: [{ ...goodBook.accounts[0], positions: [{ market: "X", size: "abc", entryPrice: 100 }] }] }), "--params", file("params.json", goodParams)],
    message: ([book]) => `${book}: accounts[0].positions[0].size: expected a finite number, got "abc"`,
  });
  cases.push({
    name: "maintenance above initial",
    args: () => ["margin", "--book", file("book.json", goodBook), "--params", file("params.json", { markets: { X: { initialMarginFraction: 0.1, maintenanceMarginFraction: 0.2 } } })],
    message: ([, params]) => `${params}: markets.X.maintenanceMarginFraction: expected less than initialMarginFraction (0.1), got 0.2`,
  });
  cases.push({
    name: "market without parameters",
    args: () => ["preview", "--book", file("book.json", goodBook), "--current", file("current.json", goodParams), "--proposed", file("proposed.json", { markets: {} })],
    message: ([, , proposed]) => `${proposed}: markets.X: expected parameters for market X (used in the book), got nothing`,
  });
  cases.push({
    name: "invalid JSON",
    args: () => ["margin", "--book", file("book.json", "{not json"), "--params", file("params.json", goodParams)],
    message: ([book]) => new RegExp(`^${book.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: \\$: expected valid JSON, got `),
  });
  cases.push({
    name: "bad shock grid",
    args: () => ["preview", "--book", file("book.json", goodBook), "--current", file("c.json", goodParams), "--proposed", file("p.json", goodParams), "--shocks", "1:2"],
    message: () => 'riskwarden preview: --shocks: expected from:to:step (e.g. -0.5:0.5:0.05), got "1:2"',
  });
  cases.push({
    name: "shock of -100% or worse",
    args: () => ["stress", "--book", file("book.json", goodBook), "--params", file("params.json", goodParams), "--shock", "-1.5"],
    message: () => "riskwarden stress: --shock: expected a fraction greater than -1 for every market, got -1.5",
  });
  cases.push({
    name: "missing --params",
    args: () => ["stress", "--book", file("book.json", goodBook), "--shock", "-0.1"],
    message: () => "riskwarden stress: --params: expected a PARAMS.json path, got nothing",
  });

  it.each(cases.map((c) => [c.name, c] as const))("%s", async (_name, c) => {
    files = [];
    const args = c.args();
    const used = files.slice();
    const result = await runCli(args);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr.endsWith("\n")).toBe(true);
    const lines = result.stderr.trimEnd().split("\n");
    expect(lines).toHaveLength(1);
    const expected = c.message(used);
    if (typeof expected === "string") expect(lines[0]).toBe(expected);
    else expect(lines[0]).toMatch(expected);
  });
});
