"use client";
import { useState } from "react";
import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "../trpc";
import { formatAge, formatPercent, formatPrice } from "../format";
import { MarketPriceChart } from "./market-price-chart";

const STATE_STYLE: Record<string, string> = {
  live: "bg-emerald-900 text-emerald-300",
  stale: "bg-amber-900 text-amber-300",
  backoff: "bg-red-900 text-red-300",
  connecting: "bg-sky-900 text-sky-300",
  stopped: "bg-slate-800 text-slate-400",
};

export function OraclesDashboard() {
  const trpc = useTRPC();
  const status = useQuery({ ...trpc.oracles.status.queryOptions(), refetchInterval: 2000 });
  const [selected, setSelected] = useState<string | null>(null);
  if (status.isLoading) return <p className="text-slate-400">Loading feeds…</p>;
  if (status.error) return <p className="text-red-400">{status.error.message}</p>;
  const data = status.data!;
  const market = selected ?? data.markets[0]?.market ?? null;
  const marketState = data.markets.find((m) => m.market === market);

  return (
    <div className="space-y-6">
      <section className="overflow-x-auto rounded-lg border border-slate-800">
        <table className="w-full text-sm" data-testid="feeds-table">
          <thead className="bg-slate-900 text-left text-xs uppercase text-slate-400">
            <tr>
              <th className="px-3 py-2">Feed</th>
              <th className="px-3 py-2">State</th>
              <th className="px-3 py-2 text-right">Last data</th>
              <th className="px-3 py-2 text-right">Heartbeat</th>
              <th className="px-3 py-2 text-right">Msgs/s</th>
              <th className="px-3 py-2 text-right">Rejected/s</th>
              <th className="px-3 py-2 text-right">Rejected (total)</th>
              <th className="px-3 py-2 text-right">Reconnects</th>
              <th className="px-3 py-2">Rejection reasons</th>
            </tr>
          </thead>
          <tbody>
            {data.feeds.map((feed) => (
              <tr key={feed.id} className="border-t border-slate-800" data-testid={`feed-row-${feed.id}`}>
                <td className="px-3 py-2"><span className="font-medium">{feed.id}</span> <span className="text-xs text-slate-500">{feed.kind}</span></td>
                <td className="px-3 py-2"><span className={`rounded px-1.5 py-0.5 text-xs ${STATE_STYLE[feed.state] ?? ""}`} data-testid={`feed-state-${feed.id}`}>{feed.state}</span></td>
                <td className="num px-3 py-2 text-right">{formatAge(feed.lastTickAgeMs)}</td>
                <td className="num px-3 py-2 text-right text-slate-400">{formatAge(feed.heartbeatMs)}</td>
                <td className="num px-3 py-2 text-right">{feed.messagesPerSecond === null ? "—" : feed.messagesPerSecond.toFixed(1)}</td>
                <td className="num px-3 py-2 text-right">{feed.rejectionsPerSecond === null ? "—" : feed.rejectionsPerSecond.toFixed(2)}</td>
                <td className="num px-3 py-2 text-right">{feed.rejections}</td>
                <td className="num px-3 py-2 text-right">{feed.reconnects}</td>
                <td className="px-3 py-2 text-xs text-slate-400">
                  {Object.entries(feed.rejectionsByReason).map(([reason, count]) => <div key={reason}>{count}× {reason}</div>)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>

      <section className="space-y-3">
        <div className="flex flex-wrap gap-2">
          {data.markets.map((m) => (
            <button key={m.market} onClick={() => setSelected(m.market)} data-testid={`oracle-market-${m.market}`}
              className={`rounded px-3 py-1 text-sm ${m.market === market ? "bg-emerald-700 text-white" : "bg-slate-800 text-slate-300 hover:bg-slate-700"}`}>
              {m.market}
            </button>
          ))}
        </div>
        {marketState && (
          <div className="grid gap-4 lg:grid-cols-[2fr_1fr]">
            <MarketPriceChart market={marketState.market} deviationPct={marketState.thresholds.deviationPct} />
            <div className="rounded-lg border border-slate-800 p-3 text-sm">
              <div className="mb-2 flex items-baseline justify-between">
                <span className="text-slate-400">Reference</span>
                <span className="num font-mono text-lg">{formatPrice(marketState.reference)}</span>
              </div>
              <div className="mb-3 text-xs text-slate-500">
                {marketState.healthySources} healthy sources · EWMA σ {formatPercent(marketState.annualisedVolatility, 1)} annualised · deviation limit {marketState.thresholds.deviationPct} % · confidence limit {marketState.thresholds.confidencePct} %
              </div>
              <table className="w-full text-xs">
                <thead className="text-left text-slate-500"><tr><th>Source</th><th className="text-right">Price</th><th className="text-right">Dev.</th><th className="text-right">Conf</th><th className="text-right">Age</th></tr></thead>
                <tbody>
                  {Object.entries(marketState.sources).map(([source, s]) => {
                    const deviationBreached = s.deviation !== null && Math.abs(s.deviation) * 100 > marketState.thresholds.deviationPct;
                    return (
                      <tr key={source} className={`border-t border-slate-800 ${s.healthy ? "" : "text-amber-400"}`} data-testid={`source-${source}`}>
                        <td className="py-1">{source}</td>
                        <td className="num text-right font-mono">{formatPrice(s.price)}</td>
                        <td className={`num text-right ${deviationBreached ? "text-red-400" : ""}`}>{s.deviation === null ? "—" : `${(s.deviation * 100).toFixed(3)} %`}</td>
                        <td className="num text-right">{s.confRatio === null ? "—" : `${(s.confRatio * 100).toFixed(3)} %`}</td>
                        <td className="num text-right">{formatAge(s.ageMs)}</td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
              <h3 className="mt-4 text-xs uppercase text-slate-500">Open alerts</h3>
              {data.openAlerts.filter((a) => a.market === market || a.market === null).length === 0 ? (
                <p className="text-xs text-slate-500">none</p>
              ) : (
                <ul className="text-xs">
                  {data.openAlerts.filter((a) => a.market === market || a.market === null).map((a) => (
                    <li key={a.fingerprint} className="text-red-300">{a.check} · {a.feed} · {a.severity}</li>
                  ))}
                </ul>
              )}
            </div>
          </div>
        )}
      </section>
    </div>
  );
}
