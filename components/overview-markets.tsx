"use client";
import Link from "next/link";
import { useState } from "react";
import { useQuery } from "@tanstack/react-query";
import { useSubscription } from "@trpc/tanstack-react-query";
import { useTRPC } from "./trpc";
import { formatPercent, formatPrice } from "./format";
import type { MarketPrices } from "@/server/prices";

export function OverviewMarkets() {
  const trpc = useTRPC();
  const markets = useQuery(trpc.markets.list.queryOptions());
  const [prices, setPrices] = useState<Record<string, MarketPrices>>({});
  const [ticks, setTicks] = useState(0);
  useSubscription(
    trpc.markets.livePrices.subscriptionOptions(undefined, {
      onData: (update) => {
        setPrices((current) => ({ ...current, [update.market]: update }));
        setTicks((count) => count + 1);
      },
    }),
  );

  if (markets.isLoading) return <p className="text-slate-400">Loading markets…</p>;
  if (markets.error) return <p className="text-red-400">Cannot load markets: {markets.error.message}</p>;
  const rows = markets.data ?? [];
  if (rows.length === 0) return <p className="text-slate-400">No markets yet. Configure them in the config file or start in demo mode.</p>;

  return (
    <div className="overflow-x-auto rounded-lg border border-slate-800">
      <table className="w-full text-sm" data-testid="markets-table">
        <thead className="bg-slate-900 text-left text-xs uppercase text-slate-400">
          <tr>
            <th className="px-3 py-2">Market</th>
            <th className="px-3 py-2 text-right">Reference price</th>
            <th className="px-3 py-2">Sources</th>
            <th className="px-3 py-2 text-right">Initial margin</th>
            <th className="px-3 py-2 text-right">Maintenance</th>
            <th className="px-3 py-2 text-right">Liq. penalty</th>
            <th className="px-3 py-2 text-right">Params</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((market) => {
            const live = prices[market.id];
            return (
              <tr key={market.id} className="border-t border-slate-800" data-testid={`market-row-${market.id}`}>
                <td className="px-3 py-2">
                  <Link href={`/markets/${market.id}`} className="font-medium text-emerald-300 hover:underline">{market.id}</Link>
                  <div className="text-xs text-slate-500">{market.name} · {market.tier}</div>
                </td>
                <td className="num px-3 py-2 text-right font-mono text-base" data-testid={`price-${market.id}`}>
                  {formatPrice(live?.reference)}
                </td>
                <td className="px-3 py-2 text-xs">
                  {live
                    ? Object.entries(live.sources).map(([source, state]) => (
                        <span key={source} className={`mr-2 inline-block whitespace-nowrap ${state.healthy ? "text-slate-300" : "text-amber-400"}`} title={`age ${Math.round(state.ageMs)} ms`}>
                          {source}: <span className="num font-mono">{formatPrice(state.price)}</span>
                        </span>
                      ))
                    : <span className="text-slate-500">waiting for feeds…</span>}
                </td>
                <td className="num px-3 py-2 text-right">{formatPercent(market.params?.initialMarginFraction)}</td>
                <td className="num px-3 py-2 text-right">
                  {formatPercent(market.params?.maintenanceMarginFraction)}
                  {market.params?.maintenanceTiers ? <span className="ml-1 text-xs text-slate-500">({market.params.maintenanceTiers.length} tiers)</span> : null}
                </td>
                <td className="num px-3 py-2 text-right">{formatPercent(market.params?.liquidationPenalty)}</td>
                <td className="px-3 py-2 text-right text-xs text-slate-400">v{market.version ?? "—"}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <p className="px-3 py-2 text-xs text-slate-500" data-testid="live-counter">live updates received: {ticks}</p>
    </div>
  );
}
