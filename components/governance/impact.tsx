"use client";
// The effect on open positions: summary (current vs proposed), health histogram, shock curve with
// liquidations, liquidation-price shift distribution, per-market impact and top affected accounts.
import { Bar, BarChart, CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { formatPrice, formatUsd } from "@/components/format";
import type { PreviewData, StoredPreviewSummary } from "./types";

function Delta({ label, current, proposed, money, testId }: { label: string; current: number; proposed: number; money?: boolean; testId?: string }) {
  const format = (value: number) => (money ? formatUsd(value) : value.toLocaleString("en-US"));
  const worse = proposed > current;
  return (
    <div className="rounded border border-slate-800 bg-slate-900/60 p-2" data-testid={testId}>
      <div className="text-xs text-slate-400">{label}</div>
      <div className="num text-sm">
        {format(current)} → <span className={proposed === current ? "" : worse ? "text-rose-300" : "text-emerald-300"}>{format(proposed)}</span>
      </div>
    </div>
  );
}

export function ImpactSummary({ preview, title }: { preview: StoredPreviewSummary; title?: string }) {
  const s = preview.summary;
  return (
    <div className="space-y-2" data-testid="impact-summary">
      {title ? <div className="text-xs uppercase text-slate-400">{title}</div> : null}
      <div className="grid grid-cols-2 gap-2 md:grid-cols-4">
        <div className="rounded border border-slate-800 bg-slate-900/60 p-2">
          <div className="text-xs text-slate-400">Newly liquidatable accounts</div>
          <div className={`num text-lg ${s.newlyLiquidatable > 0 ? "text-rose-300" : "text-slate-100"}`} data-testid="newly-liquidatable">
            {s.newlyLiquidatable}
          </div>
          <div className="text-xs text-slate-500">no longer: {s.noLongerLiquidatable} · of {s.accounts.toLocaleString("en-US")}</div>
        </div>
        <Delta label="Liquidatable accounts" current={s.liquidatable.current} proposed={s.liquidatable.proposed} />
        <Delta label="Collateral shortfall" current={s.shortfall.current} proposed={s.shortfall.proposed} money testId="shortfall" />
        <Delta label="Notional at risk" current={s.notionalAtRisk.current} proposed={s.notionalAtRisk.proposed} money />
      </div>
      <div className="text-xs text-slate-500">
        positions snapshot #{preview.snapshotId} · marks {Object.entries(preview.marks).map(([m, p]) => `${m} ${formatPrice(p)}`).join(", ")}
      </div>
    </div>
  );
}

export function ImpactCharts({ preview }: { preview: PreviewData }) {
  const { histogram, shocks, liquidationPriceShift: shift, markets, topAffected } = preview.detail;
  const healthData = histogram.current.map((count, i) => ({
    bucket: i === histogram.current.length - 1 ? `≥ ${histogram.edges[i]}` : `${histogram.edges[i]}–${histogram.edges[i + 1]}`,
    current: count,
    proposed: histogram.proposed[i],
  }));
  const shockData = shocks.map((point) => ({ shock: `${Math.round(point.shock * 100)} %`, current: point.liquidatable.current, proposed: point.liquidatable.proposed }));
  const shiftData = shift.counts.map((count, i) => ({
    bucket: i === 0 ? `< ${shift.edgesBps[0]}` : i === shift.edgesBps.length ? `≥ ${shift.edgesBps[i - 1]}` : `${shift.edgesBps[i - 1]}…${shift.edgesBps[i]}`,
    positions: count,
  }));
  return (
    <div className="space-y-4" data-testid="impact-charts">
      <div className="grid gap-4 md:grid-cols-2">
        <figure className="rounded border border-slate-800 p-2">
          <figcaption className="mb-1 text-xs text-slate-400">Account health (equity / maintenance), accounts per bucket</figcaption>
          <ResponsiveContainer width="100%" height={220}>
            <BarChart data={healthData}>
              <CartesianGrid strokeDasharray="3 3" stroke="#1e293b" />
              <XAxis dataKey="bucket" tick={{ fill: "#94a3b8", fontSize: 11 }} />
              <YAxis tick={{ fill: "#94a3b8", fontSize: 11 }} />
              <Tooltip contentStyle={{ background: "#0f172a", border: "1px solid #334155" }} />
              <Legend />
              <Bar dataKey="current" fill="#64748b" isAnimationActive={false} />
              <Bar dataKey="proposed" fill="#34d399" isAnimationActive={false} />
            </BarChart>
          </ResponsiveContainer>
        </figure>
        <figure className="rounded border border-slate-800 p-2">
          <figcaption className="mb-1 text-xs text-slate-400">Liquidatable accounts under a uniform price shock</figcaption>
          <ResponsiveContainer width="100%" height={220}>
            <LineChart data={shockData}>
              <CartesianGrid strokeDasharray="3 3" stroke="#1e293b" />
              <XAxis dataKey="shock" tick={{ fill: "#94a3b8", fontSize: 11 }} />
              <YAxis tick={{ fill: "#94a3b8", fontSize: 11 }} />
              <Tooltip contentStyle={{ background: "#0f172a", border: "1px solid #334155" }} />
              <Legend />
              <Line dataKey="current" stroke="#94a3b8" dot={false} isAnimationActive={false} />
              <Line dataKey="proposed" stroke="#f472b6" dot={false} isAnimationActive={false} />
            </LineChart>
          </ResponsiveContainer>
        </figure>
      </div>
      <div className="grid gap-4 md:grid-cols-2">
        <figure className="rounded border border-slate-800 p-2">
          <figcaption className="mb-1 text-xs text-slate-400">
            Liquidation-price shift (bps), {shift.moved} of {shift.compared + shift.unchanged} positions moved{shift.meanBps !== null ? `, mean ${shift.meanBps.toFixed(1)} bps` : ""}
          </figcaption>
          <ResponsiveContainer width="100%" height={200}>
            <BarChart data={shiftData}>
              <CartesianGrid strokeDasharray="3 3" stroke="#1e293b" />
              <XAxis dataKey="bucket" tick={{ fill: "#94a3b8", fontSize: 10 }} />
              <YAxis tick={{ fill: "#94a3b8", fontSize: 11 }} />
              <Tooltip contentStyle={{ background: "#0f172a", border: "1px solid #334155" }} />
              <Bar dataKey="positions" fill="#60a5fa" isAnimationActive={false} />
            </BarChart>
          </ResponsiveContainer>
        </figure>
        <div className="rounded border border-slate-800 p-2 text-xs">
          <div className="mb-1 text-slate-400">Per market</div>
          <table className="w-full [&_td]:px-1 [&_th]:px-1">
            <thead className="text-left text-slate-500">
              <tr>
                <th>Market</th>
                <th className="text-right">Newly liq.</th>
                <th className="text-right">Maintenance</th>
                <th className="text-right">Shortfall</th>
              </tr>
            </thead>
            <tbody>
              {Object.entries(markets)
                .filter(([, impact]) => impact.positions > 0)
                .map(([market, impact]) => (
                  <tr key={market} className="border-t border-slate-800">
                    <td className="whitespace-nowrap">{market}</td>
                    <td className="num text-right">{impact.newlyLiquidatable}</td>
                    <td className="num text-right">
                      {formatUsd(impact.maintenanceMargin.current)} → {formatUsd(impact.maintenanceMargin.proposed)}
                    </td>
                    <td className="num text-right">
                      {formatUsd(impact.shortfall.current)} → {formatUsd(impact.shortfall.proposed)}
                    </td>
                  </tr>
                ))}
            </tbody>
          </table>
          {topAffected.length > 0 ? (
            <>
              <div className="mb-1 mt-3 text-slate-400">Most affected accounts</div>
              <table className="w-full [&_td]:px-1 [&_th]:px-1">
                <tbody>
                  {topAffected.slice(0, 8).map((account) => (
                    <tr key={account.id} className="border-t border-slate-800">
                      <td className="font-mono">{account.id}</td>
                      <td>{account.newlyLiquidatable ? <span className="text-rose-300">newly liquidatable</span> : null}</td>
                      <td className="num text-right">
                        health {account.health.current?.toFixed(2) ?? "—"} → {account.health.proposed?.toFixed(2) ?? "—"}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </>
          ) : null}
        </div>
      </div>
    </div>
  );
}
