"use client";
// The markets index: each market with its active parameters and its open interest and
// liquidatable positions in the active positions snapshot; each links to its risk page.
import Link from "next/link";
import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "@/components/trpc";
import { formatPercent, formatPrice, formatUsd } from "@/components/format";

export function MarketsList() {
  const trpc = useTRPC();
  const markets = useQuery(trpc.markets.list.queryOptions());
  const margin = useQuery({ ...trpc.risk.margin.queryOptions(), retry: false, refetchInterval: 10_000 });
  if (markets.isLoading) return <p className="text-slate-400">Loading markets…</p>;
  if (markets.error) return <p className="text-red-400">Cannot load markets: {markets.error.message}</p>;
  const rows = markets.data ?? [];
  if (rows.length === 0) return <p className="text-slate-400">No markets yet.</p>;
  const summary = margin.data;
  return (
    <div className="space-y-2">
      <div className="overflow-x-auto rounded-lg border border-slate-800">
        <table className="w-full text-sm" data-testid="risk-markets-table">
          <thead className="bg-slate-900 text-left text-xs uppercase text-slate-400">
            <tr>
              <th className="px-3 py-2">Market</th>
              <th className="px-3 py-2 text-right">Mark</th>
              <th className="px-3 py-2 text-right">IMF / MMF</th>
              <th className="px-3 py-2 text-right">Positions</th>
              <th className="px-3 py-2 text-right">Long OI</th>
              <th className="px-3 py-2 text-right">Short OI</th>
              <th className="px-3 py-2 text-right">Liquidatable</th>
              <th className="px-3 py-2 text-right">Params</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((market) => {
              const risk = summary?.markets[market.id];
              const mark = summary?.marks[market.id];
              return (
                <tr key={market.id} className="border-t border-slate-800" data-testid={`risk-market-row-${market.id}`}>
                  <td className="px-3 py-2">
                    <Link href={`/markets/${market.id}`} className="font-medium text-emerald-300 hover:underline" data-testid={`market-link-${market.id}`}>
                      {market.id}
                    </Link>
                    <div className="text-xs text-slate-500">{market.name} · {market.tier}</div>
                  </td>
                  <td className="num px-3 py-2 text-right font-mono">{formatPrice(mark?.mark)}</td>
                  <td className="num px-3 py-2 text-right">
                    {formatPercent(market.params?.initialMarginFraction)} / {formatPercent(market.params?.maintenanceMarginFraction)}
                  </td>
                  <td className="num px-3 py-2 text-right">{risk ? risk.positions.toLocaleString("en-US") : "—"}</td>
                  <td className="num px-3 py-2 text-right">{risk ? formatUsd(risk.longNotional) : "—"}</td>
                  <td className="num px-3 py-2 text-right">{risk ? formatUsd(risk.shortNotional) : "—"}</td>
                  <td className={`num px-3 py-2 text-right ${risk && risk.liquidatablePositions > 0 ? "text-rose-300" : ""}`}>{risk ? risk.liquidatablePositions : "—"}</td>
                  <td className="px-3 py-2 text-right text-xs text-slate-400">v{market.version ?? "—"}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {summary?.snapshot ? (
        <p className="text-xs text-slate-500" data-testid="risk-snapshot-line">
          Positions snapshot #{summary.snapshot.id}: {summary.snapshot.accounts.toLocaleString("en-US")} accounts, {summary.totals.liquidatable} liquidatable, shortfall {formatUsd(summary.totals.shortfall)}, insurance fund {formatUsd(summary.insuranceFund)}.{" "}
          <Link href="/snapshots" className="text-emerald-300 hover:underline" data-testid="snapshots-link">
            Snapshots →
          </Link>
        </p>
      ) : margin.error ? (
        <p className="text-xs text-amber-300">
          {margin.error.message}{" "}
          <Link href="/snapshots" className="text-emerald-300 hover:underline" data-testid="snapshots-link">
            Import one →
          </Link>
        </p>
      ) : null}
    </div>
  );
}
