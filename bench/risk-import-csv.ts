// Focused benchmark of lib/risk `importPositionsCsv`: `tsx bench/risk-import-csv.ts [--positions N] [--runs N]`.
// Builds a positions CSV from the seeded bench book (bench/risk/generate.ts; decimal strings with
// up to 8 fraction digits, cross collateral repeated on each row, mark on every row) and prints
// the median parse time per row.
import { importPositionsCsv } from "../lib/risk/import/csv";
import { generateBook } from "./risk/generate";

function option(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? Number(process.argv[index + 1]) : fallback;
}
const positions = option("positions", 200_000);
const runs = option("runs", 5);
const input = generateBook({ positions, accounts: Math.round(positions * 0.4), markets: 50, seed: 20251125 });
const lines = ["account,mode,collateral,market,size,entryPrice,margin,mark"];
const decimal = (x: number, digits: number) => x.toFixed(digits).replace(/\.?0+$/, "");
const marks = Array.from(input.marks, (mark) => decimal(mark, 4));
for (let a = 0; a < input.accountIds.length; a++) {
  const isolated = input.accountIsolated[a] === 1;
  for (let p = input.accountPositionStart[a]; p < input.accountPositionStart[a + 1]; p++) {
    const m = input.positionMarket[p];
    lines.push([input.accountIds[a], isolated ? "isolated" : "cross", isolated ? "" : decimal(input.accountCollateral[a], 6), input.marketNames[m], decimal(input.positionSize[p], 8), decimal(input.positionEntryPrice[p], 6), isolated ? decimal(input.positionMargin[p], 6) : "", marks[m]].join(","));
  }
}
const text = lines.join("\n") + "\n";
const times: number[] = [];
let rows = 0;
importPositionsCsv(text, "bench.csv");
for (let i = 0; i < runs; i++) {
  const start = performance.now();
  const book = importPositionsCsv(text, "bench.csv");
  times.push(performance.now() - start);
  rows = book.accounts.reduce((sum, account) => sum + account.positions.length, 0);
}
times.sort((a, b) => a - b);
const median = times[times.length >> 1];
console.log(JSON.stringify({ rows, megabytes: +(text.length / 1e6).toFixed(1), medianMs: +median.toFixed(1), microsecondsPerRow: +((median * 1000) / rows).toFixed(2), runsMs: times.map((t) => +t.toFixed(0)) }));
