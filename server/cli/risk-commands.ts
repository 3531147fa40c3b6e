// `riskwarden margin | preview | stress` (contract: shared contracts risk-cli.md).
//   riskwarden margin  --book BOOK.json --params PARAMS.json [--json]
//   riskwarden preview --book BOOK.json --current PARAMS.json --proposed PARAMS.json [--shocks -0.5:0.5:0.05] [--json]
//   riskwarden stress  --book BOOK.json --params PARAMS.json --shock -0.08 [--json]
// `--shock` also takes a per-market vector: `--shock ETH-USD=-0.1,SOL-USD=-0.2` (others 0).
// Bad input: CliInputError → exit 2 with one line `<file>: <JSON path>: expected …, got …`.
import { readFileSync } from "node:fs";
import { CliInputError } from "./errors";
import { RiskInputError } from "../../lib/risk/errors";
import { parseBook } from "../../lib/risk/book";
import { parseParams } from "../../lib/risk/params";
import { computeMargin } from "../../lib/risk/margin";
import { buildColumnarBook } from "../../lib/risk/columnar";
import { previewImpact, shockRange, type PreviewResult } from "../../lib/risk/preview";
import { runCascade, type CascadeResult } from "../../lib/risk/stress";
import type { Book, MarginReport, ParamsSet, PriceShock } from "../../lib/risk/types";

interface ParsedArgs {
  values: Record<string, string>;
  json: boolean;
}

function parseArgs(command: string, args: string[], allowed: string[]): ParsedArgs {
  const values: Record<string, string> = {};
  let json = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "--json") {
      json = true;
      continue;
    }
    const match = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (!match || !allowed.includes(match[1])) throw new CliInputError(`riskwarden ${command}: unknown option ${JSON.stringify(arg)} (expected ${allowed.map((a) => `--${a}`).join(", ")}, --json)`);
    const value = match[2] ?? args[++i];
    if (value === undefined) throw new CliInputError(`riskwarden ${command}: --${match[1]}: expected a value, got nothing`);
    values[match[1]] = value;
  }
  return { values, json };
}

function required(command: string, parsed: ParsedArgs, name: string, what: string): string {
  const value = parsed.values[name];
  if (value === undefined) throw new CliInputError(`riskwarden ${command}: --${name}: expected ${what}, got nothing`);
  return value;
}

function readJsonFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "read error";
    throw new CliInputError(`${path}: $: expected a readable file, got ${code}`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new CliInputError(`${path}: $: expected valid JSON, got ${(error as Error).message.split("\n")[0]}`);
  }
}

/** Library input errors become CLI input errors (exit 2); anything else stays unexpected (exit 1). */
function asCliError<T>(work: () => T): T {
  try {
    return work();
  } catch (error) {
    if (error instanceof RiskInputError) throw new CliInputError(error.message);
    throw error;
  }
}

function loadBook(path: string): Book {
  const raw = readJsonFile(path);
  return asCliError(() => parseBook(raw, path));
}

function loadParams(path: string): ParamsSet {
  const raw = readJsonFile(path);
  return asCliError(() => parseParams(raw, path));
}

function parseNumberArg(command: string, option: string, text: string): number {
  const value = Number(text);
  if (text.trim() === "" || !Number.isFinite(value)) throw new CliInputError(`riskwarden ${command}: --${option}: expected a number, got ${JSON.stringify(text)}`);
  return value;
}

/** `a:b:step` → uniform grid from a to b inclusive. */
export function parseShockRange(text: string): number[] {
  const parts = text.split(":");
  if (parts.length !== 3) throw new CliInputError(`riskwarden preview: --shocks: expected from:to:step (e.g. -0.5:0.5:0.05), got ${JSON.stringify(text)}`);
  const [from, to, step] = parts.map((part) => parseNumberArg("preview", "shocks", part));
  if (!(step > 0) || !(to >= from) || !(from > -1)) throw new CliInputError(`riskwarden preview: --shocks: expected from > -1, to >= from and step > 0, got ${JSON.stringify(text)}`);
  const shocks = shockRange(from, to, step);
  if (shocks.length > 10_001) throw new CliInputError(`riskwarden preview: --shocks: expected at most 10001 points, got ${shocks.length}`);
  return shocks;
}

/** `-0.08` (every market) or `ETH-USD=-0.1,SOL-USD=-0.2` (per market, others 0). */
export function parseShock(text: string): PriceShock {
  const check = (value: number, label: string) => {
    if (!(value > -1)) throw new CliInputError(`riskwarden stress: --shock: expected a fraction greater than -1 for ${label}, got ${value}`);
    return value;
  };
  if (!text.includes("=")) return check(parseNumberArg("stress", "shock", text), "every market");
  const vector: Record<string, number> = {};
  for (const entry of text.split(",")) {
    const at = entry.lastIndexOf("=");
    const market = entry.slice(0, at).trim();
    if (at <= 0 || market === "") throw new CliInputError(`riskwarden stress: --shock: expected MARKET=fraction pairs, got ${JSON.stringify(entry)}`);
    vector[market] = check(parseNumberArg("stress", "shock", entry.slice(at + 1)), market);
  }
  return vector;
}

function write(text: string): void {
  process.stdout.write(text.endsWith("\n") ? text : `${text}\n`);
}

const money = (value: number) => value.toLocaleString("en-US", { maximumFractionDigits: 2, minimumFractionDigits: 2 });
const price = (value: number | null) => (value === null ? "-" : value.toPrecision(8));

function table(header: string[], rows: string[][]): string {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)));
  const line = (cells: string[]) => cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join("  ");
  return [line(header), line(widths.map((width) => "-".repeat(width))), ...rows.map(line)].join("\n");
}

function marginText(report: MarginReport): string {
  const rows = report.accounts.map((account) => [
    account.id,
    account.mode,
    money(account.equity),
    money(account.initialMargin),
    money(account.maintenanceMargin),
    account.health === null ? "-" : account.health.toFixed(3),
    account.liquidatable ? "YES" : "no",
    money(account.shortfall),
    account.positions.map((position) => `${position.market}@${price(position.liquidationPrice)}`).join(" "),
  ]);
  const totals = report.totals;
  return `${table(["account", "mode", "equity", "initial", "maintenance", "health", "liq", "shortfall", "liquidation prices"], rows)}\n\n${totals.accounts} accounts, ${totals.liquidatable} liquidatable, shortfall ${money(totals.shortfall)}, bad debt ${money(totals.badDebt)}`;
}

function previewText(result: PreviewResult): string {
  const s = result.summary;
  const lines = [
    `accounts: ${s.accounts}; newly liquidatable ${s.newlyLiquidatable}, no longer liquidatable ${s.noLongerLiquidatable}`,
    `liquidatable: ${s.liquidatable.current} -> ${s.liquidatable.proposed}`,
    `shortfall: ${money(s.shortfall.current)} -> ${money(s.shortfall.proposed)}`,
    `notional at risk: ${money(s.notionalAtRisk.current)} -> ${money(s.notionalAtRisk.proposed)}`,
    "",
    table(
      ["account", "change", "shortfall now", "shortfall proposed", "liquidation prices (now -> proposed)"],
      result.accounts.map((account) => [
        account.id,
        account.newlyLiquidatable ? "NEWLY LIQUIDATABLE" : account.noLongerLiquidatable ? "no longer liquidatable" : "liq. price moved",
        money(account.current.shortfall),
        money(account.proposed.shortfall),
        account.current.positions.map((position, index) => `${position.market} ${price(position.liquidationPrice)} -> ${price(account.proposed.positions[index].liquidationPrice)}`).join("; "),
      ]),
    ),
    "",
    table(
      ["market", "newly liq.", "shortfall now", "shortfall proposed"],
      Object.entries(result.markets).map(([market, impact]) => [market, String(impact.newlyLiquidatable), money(impact.shortfall.current), money(impact.shortfall.proposed)]),
    ),
    "",
    table(
      ["shock", "liquidatable now", "proposed", "shortfall now", "shortfall proposed"],
      result.shocks.map((point) => [
        `${(point.shock * 100).toFixed(1)}%`,
        String(point.liquidatable.current),
        String(point.liquidatable.proposed),
        money(point.shortfall.current),
        money(point.shortfall.proposed),
      ]),
    ),
  ];
  return lines.join("\n");
}

function stressText(result: CascadeResult): string {
  const rows = result.waves.map((wave, index) => [
    String(index + 1),
    String(wave.accounts.length),
    Object.entries(wave.fillPrice).map(([market, fill]) => `${market} ${price(wave.price[market])} -> fill ${price(fill)}`).join("; "),
  ]);
  return [
    table(["wave", "accounts", "prices"], rows),
    "",
    `final prices: ${Object.entries(result.finalPrice).map(([market, value]) => `${market} ${price(value)}`).join(", ")}`,
    `liquidated notional ${money(result.liquidatedNotional)}, penalties ${money(result.penalties)}, bad debt ${money(result.badDebt)}`,
    `insurance fund ${money(result.insuranceFund)}, auto-deleverage needed ${money(result.autoDeleverageNeeded)}`,
  ].join("\n");
}

export async function runMargin(args: string[]): Promise<number> {
  const parsed = parseArgs("margin", args, ["book", "params"]);
  const bookPath = required("margin", parsed, "book", "a BOOK.json path");
  const paramsPath = required("margin", parsed, "params", "a PARAMS.json path");
  const book = loadBook(bookPath);
  const params = loadParams(paramsPath);
  const report = asCliError(() => computeMargin(book, params, { paramsSource: paramsPath }));
  write(parsed.json ? JSON.stringify(report) : marginText(report));
  return 0;
}

export async function runPreview(args: string[]): Promise<number> {
  const parsed = parseArgs("preview", args, ["book", "current", "proposed", "shocks"]);
  const bookPath = required("preview", parsed, "book", "a BOOK.json path");
  const currentPath = required("preview", parsed, "current", "a PARAMS.json path");
  const proposedPath = required("preview", parsed, "proposed", "a PARAMS.json path");
  const shocks = parsed.values.shocks === undefined ? shockRange() : parseShockRange(parsed.values.shocks);
  const book = loadBook(bookPath);
  const current = loadParams(currentPath);
  const proposed = loadParams(proposedPath);
  const result = asCliError(() =>
    previewImpact(buildColumnarBook(book), current, proposed, { shocks, accountLimit: Infinity, currentSource: currentPath, proposedSource: proposedPath }),
  );
  write(parsed.json ? JSON.stringify(result) : previewText(result));
  return 0;
}

export async function runStress(args: string[]): Promise<number> {
  const parsed = parseArgs("stress", args, ["book", "params", "shock"]);
  const bookPath = required("stress", parsed, "book", "a BOOK.json path");
  const paramsPath = required("stress", parsed, "params", "a PARAMS.json path");
  const shock = parseShock(required("stress", parsed, "shock", "a fraction such as -0.08"));
  const book = loadBook(bookPath);
  const params = loadParams(paramsPath);
  if (typeof shock !== "number") {
    for (const market of Object.keys(shock)) {
      if (!(market in book.marks)) throw new CliInputError(`riskwarden stress: --shock: expected a market of ${bookPath} (${Object.keys(book.marks).join(", ")}), got ${JSON.stringify(market)}`);
    }
  }
  const result = asCliError(() => runCascade(book, params, shock, { paramsSource: paramsPath }));
  write(parsed.json ? JSON.stringify(result) : stressText(result));
  return 0;
}
