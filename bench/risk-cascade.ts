// Focused cascade benchmark: `tsx --expose-gc bench/risk-cascade.ts [--runs N] [--positions N --accounts N]`.
// Same seeded 1M book and parameters as bench/risk.ts; prints the median of N runs of a −10 %
// uniform shock and a fingerprint of the result (waves, accounts, sums) so code changes can be
// checked for identical output.
import { createHash } from "node:crypto";
import { buildColumnarFromArrays } from "../lib/risk/columnar";
import { runCascade } from "../lib/risk/stress";
import { benchParams, generateBook } from "./risk/generate";

function option(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? Number(process.argv[index + 1]) : fallback;
}
const spec = { positions: option("positions", 1_000_000), accounts: option("accounts", 400_000), markets: option("markets", 50), seed: option("seed", 20251125) };
const runs = option("runs", 7);
const book = buildColumnarFromArrays(generateBook(spec));
const { current } = benchParams(book.marketNames);
const times: number[] = [];
let result = runCascade(book, current, -0.1);
const fingerprint = createHash("sha256").update(JSON.stringify(result)).digest("hex").slice(0, 16);
for (let i = 0; i < runs; i++) {
  const start = performance.now();
  result = runCascade(book, current, -0.1, { accountListLimit: 0 });
  times.push(performance.now() - start);
  if (process.env.CASCADE_TRACE) console.error((performance.now() - start).toFixed(1));
}
times.sort((a, b) => a - b);
const median = times[times.length >> 1];
console.log(JSON.stringify({ waves: result.waves.length, liquidatedAccounts: result.liquidatedAccounts, badDebt: result.badDebt, adl: result.autoDeleverageNeeded, fingerprint, medianMs: +median.toFixed(1), runsMs: times.map((t) => +t.toFixed(1)) }));
