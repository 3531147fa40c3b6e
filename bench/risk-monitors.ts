// Risk monitors on the 1M-position bench book (`npm run bench:monitors [-- --runs N]`): the same
// server code as the running app (RiskBook.monitorView, evaluateMarkets, RiskBook.stressedBadDebt)
// on the seeded book and parameters of bench/risk.ts, 50 markets with σ 80 %/yr.
//   pass (new marks)  — marks moved: the book is rebuilt at the new marks, then one evaluation pass
//                       (includes every position's liquidation price, computed once per book);
//   pass (same book)  — a second pass on the same book (liquidation prices cached);
//   stress (1 market) — the insurance-coverage input: two full-book cascades (down, up) for one market.
import { generateBook, benchParams } from "./risk/generate";
import { RiskBook } from "../server/services/risk/risk-book";
import type { LoadedSnapshot } from "../server/services/positions/snapshots";
import { evaluateMarkets } from "../server/services/risk-monitors/evaluate";
import { SumsScratch } from "../server/services/risk-monitors/book-sums";
import { DEFAULT_RISK_MONITOR_THRESHOLDS, oneDayMove, dailyVolatility } from "../lib/alerts/risk-monitors";

function option(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? Number(process.argv[index + 1]) : fallback;
}
const runs = option("runs", 5);
const spec = { positions: option("positions", 1_000_000), accounts: option("accounts", 400_000), markets: option("markets", 50), seed: 20251125 };

const input = generateBook(spec);
const snapshot: LoadedSnapshot = {
  snapshotId: 1,
  label: "bench",
  source: "bench",
  createdAt: new Date(),
  marks: Object.fromEntries(input.marketNames.map((name, m) => [name, input.marks[m]])),
  insuranceFund: input.insuranceFund ?? 0,
  accountIds: input.accountIds,
  accountIsolated: Uint8Array.from(input.accountIsolated),
  accountCollateral: Float64Array.from(input.accountCollateral),
  accountPositionStart: Int32Array.from(input.accountPositionStart),
  positionMarket: Array.from(input.positionMarket, (m) => input.marketNames[m]),
  positionSize: Float64Array.from(input.positionSize),
  positionEntryPrice: Float64Array.from(input.positionEntryPrice),
  positionMargin: Float64Array.from(input.positionMargin),
};
const { current } = benchParams(input.marketNames);
const book = new RiskBook({ refreshIntervalMs: 0 });
book.setSnapshot(snapshot);
book.setParams(current.markets as unknown as Record<string, Record<string, unknown>>, {});
book.setLiveVolatility(Object.fromEntries(input.marketNames.map((name) => [name, 0.8])));
book.monitorView(); // first build

const settings = { byMarket: new Map(), defaults: DEFAULT_RISK_MONITOR_THRESHOLDS };
const scratch = new SumsScratch();
const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1];
const fresh: number[] = [];
const cached: number[] = [];
let alerting = 0;
for (let run = 0; run < runs; run++) {
  // Every mark moves by a few bp, as live prices do between passes.
  input.marketNames.forEach((name, m) => book.setMark(name, input.marks[m] * (1 + (run + 1) * 1e-4)));
  let started = performance.now();
  const evaluations = evaluateMarkets(book.monitorView(), settings, new Map(), scratch);
  fresh.push(performance.now() - started);
  started = performance.now();
  evaluateMarkets(book.monitorView(), settings, new Map(), scratch);
  cached.push(performance.now() - started);
  alerting = evaluations.flatMap((e) => e.readings).filter((r) => r.condition?.severity).length;
}
const largest = input.marketNames[0];
const smallest = input.marketNames[input.marketNames.length - 1];
const move = oneDayMove(dailyVolatility(0.8));
const stress = [largest, smallest].map((market) => {
  const times: number[] = [];
  let badDebt = 0;
  for (let run = 0; run < Math.min(runs, 3); run++) {
    const down = book.stressedBadDebtOneWay(market, -move);
    const up = book.stressedBadDebtOneWay(market, move);
    times.push(down.computeMs + up.computeMs);
    badDebt = Math.max(down.badDebtUsd, up.badDebtUsd);
  }
  return { market, medianMs: +median(times).toFixed(0), runsMs: times.map((t) => +t.toFixed(0)), badDebtUsd: Math.round(badDebt) };
});
console.log(
  JSON.stringify(
    {
      positions: snapshot.positionMarket.length,
      markets: input.marketNames.length,
      passNewMarksMs: { median: +median(fresh).toFixed(0), runs: fresh.map((t) => +t.toFixed(0)) },
      passSameBookMs: { median: +median(cached).toFixed(0), runs: cached.map((t) => +t.toFixed(0)) },
      conditionsAboveWarning: alerting,
      stressPerMarket: stress,
    },
  ),
);
