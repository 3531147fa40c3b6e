"use client";
// The market risk page: active parameters and their version history, liquidation map, account
// health histogram, positions nearest liquidation, the stress curve of the market's own price, and
// the market's risk monitors (readings, alert state, thresholds).
import Link from "next/link";
import { useQuery } from "@tanstack/react-query";
import {
  Bar,
  BarChart,
  CartesianGrid,
  Cell,
  ComposedChart,
  Legend,
  Line,
  ReferenceLine,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from "recharts";
import { useTRPC } from "@/components/trpc";
import { formatPercent, formatPrice, formatUsd } from "@/components/format";
import type { MarketRisk } from "@/server/services/risk/market-risk";
import { RiskMonitorsCard } from "./risk-monitors-card";

const axisTick = { fill: "#94a3b8", fontSize: 11 };
const tooltipStyle = { background: "#0f172a", border: "1px solid #334155", fontSize: 12 };

/** Axis labels for prices: whole numbers from 100 up, 4 significant digits below. */
function compactPrice(value: number): string {
  return value >= 100 ? Math.round(value).toLocaleString("en-US") : value.toPrecision(4);
}

/** $1.2M / $350k style for axes. */
function compactUsd(value: number): string {
  return `$${Intl.NumberFormat("en-US", { notation: "compact", maximumFractionDigits: 1 }).format(value)}`;
}

function Card({ title, children, testId, note }: { title: string; children: React.ReactNode; testId?: string; note?: string }) {
  return (
    <section className="rounded-lg border border-slate-800 bg-slate-900/40 p-3" data-testid={testId}>
      <h2 className="text-sm font-semibold text-slate-200">{title}</h2>
      {note ? <p className="mb-2 text-xs text-slate-500">{note}</p> : <div className="mb-2" />}
      {children}
    </section>
  );
}

type ParamsRecord = Record<string, unknown>;

function paramRows(params: ParamsRecord): [string, string][] {
  const rows: [string, string][] = [];
  const fraction = (value: unknown) => (typeof value === "number" ? formatPercent(value, 3) : "—");
  rows.push(["Initial margin", fraction(params.initialMarginFraction)]);
  rows.push(["Maintenance margin", fraction(params.maintenanceMarginFraction)]);
  const tiers = params.maintenanceTiers as { notionalFloor: number; maintenanceMarginFraction: number }[] | undefined;
  if (tiers) rows.push(["Maintenance tiers", tiers.map((tier) => `≥ ${compactUsd(tier.notionalFloor)}: ${formatPercent(tier.maintenanceMarginFraction, 2)}`).join(" · ")]);
  if (params.liquidationPenalty !== undefined) rows.push(["Liquidation penalty", fraction(params.liquidationPenalty)]);
  const volatility = params.volatilityMargin as { annualVolatility?: number; source?: string; z: number; horizonHours: number } | undefined;
  if (volatility) {
    rows.push([
      "Volatility margin",
      `${volatility.source === "ewma" ? "live EWMA σ" : `σ ${formatPercent(volatility.annualVolatility, 0)}`} · z ${volatility.z} · ${volatility.horizonHours} h`,
    ]);
  }
  const openInterest = params.openInterestScaling as { openInterestNotional: number; lowerCap: number; upperCap: number } | undefined;
  if (openInterest) rows.push(["OI-scaled IMF", `OI ${compactUsd(openInterest.openInterestNotional)}, caps ${compactUsd(openInterest.lowerCap)}–${compactUsd(openInterest.upperCap)}`]);
  const cascade = params.cascade as { dailyVolatility: number; dailyVolumeUsd: number; impactCoefficient: number; permanentImpactShare: number } | undefined;
  if (cascade) rows.push(["Cascade model", `daily σ ${formatPercent(cascade.dailyVolatility, 1)}, volume ${compactUsd(cascade.dailyVolumeUsd)}/day, permanent ${formatPercent(cascade.permanentImpactShare, 0)}`]);
  const funding = params.fundingClamp as { maxRatePerHour: number } | undefined;
  if (funding) rows.push(["Funding clamp", `${formatPercent(funding.maxRatePerHour, 3)} / h`]);
  return rows;
}

function ParametersCard({ data }: { data: MarketRisk }) {
  return (
    <Card title="Parameters" testId="params-current" note={data.active ? `Active: version ${data.active.version}, since ${new Date(data.active.createdAt).toLocaleString()}` : "No active parameter set"}>
      {data.active ? (
        <dl className="grid grid-cols-[max-content_1fr] gap-x-4 gap-y-1 text-sm">
          {paramRows(data.active.params).map(([label, value]) => (
            <div key={label} className="contents">
              <dt className="text-slate-400">{label}</dt>
              <dd className="num">{value}</dd>
            </div>
          ))}
        </dl>
      ) : null}
      <h3 className="mt-4 text-xs font-semibold uppercase text-slate-400">Version history</h3>
      <table className="mt-1 w-full whitespace-nowrap text-xs" data-testid="params-versions">
        <thead className="text-left text-slate-500">
          <tr>
            <th className="py-1 pr-2">Version</th>
            <th className="px-2">Since</th>
            <th className="px-2 text-right">IMF</th>
            <th className="px-2 text-right">MMF</th>
            <th className="px-2 text-right">Penalty</th>
            <th className="pl-3">Created by</th>
          </tr>
        </thead>
        <tbody>
          {data.versions.map((version) => (
            <tr key={version.id} className="border-t border-slate-800" data-testid={`version-row-${version.version}`}>
              <td className="py-1 pr-2">
                v{version.version}
                {version.active ? <span className="ml-1 rounded bg-emerald-900/60 px-1 text-emerald-300">active</span> : null}
              </td>
              <td className="px-2">{new Date(version.createdAt).toLocaleDateString()}</td>
              <td className="num px-2 text-right">{formatPercent(version.params.initialMarginFraction as number)}</td>
              <td className="num px-2 text-right">{formatPercent(version.params.maintenanceMarginFraction as number)}</td>
              <td className="num px-2 text-right">{formatPercent(version.params.liquidationPenalty as number | undefined)}</td>
              <td className="pl-3">
                {version.proposal ? (
                  <Link href={`/proposals/${version.proposal.id}`} className="text-emerald-300 hover:underline">
                    proposal {version.proposal.number !== null ? `#${version.proposal.number}` : version.proposal.id.slice(0, 8)}
                    {version.proposal.title ? `: ${version.proposal.title}` : ""}
                  </Link>
                ) : (
                  <span className="whitespace-normal text-slate-400">{version.createdBy}{version.note ? ` — ${version.note}` : ""}</span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </Card>
  );
}

type RiskView = NonNullable<MarketRisk["risk"]>;

function LiquidationMapChart({ risk }: { risk: RiskView }) {
  const map = risk.liquidationMap;
  const data = map.levels.map((level) => ({
    price: compactPrice((level.priceLow + level.priceHigh) / 2),
    long: level.longNotional,
    short: level.shortNotional,
    containsMark: map.mark >= level.priceLow && map.mark < level.priceHigh,
  }));
  const markLabel = data.find((row) => row.containsMark)?.price;
  return (
    <Card
      title="Liquidation map"
      testId="liquidation-map"
      note={`Notional liquidated if the price reaches each level (this market alone moving; other marks fixed). Longs liquidate below the mark, shorts above. Already liquidatable: ${formatUsd(map.liquidatableNow.longNotional + map.liquidatableNow.shortNotional)}; outside ±40 %: ${formatUsd(map.outsideRange.longNotional + map.outsideRange.shortNotional)}.`}
    >
      <ResponsiveContainer width="100%" height={260}>
        <BarChart data={data} barCategoryGap={1} margin={{ top: 18, right: 8 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="#1e293b" />
          <XAxis dataKey="price" tick={axisTick} interval={5} />
          <YAxis tick={axisTick} tickFormatter={compactUsd} width={60} />
          <Tooltip contentStyle={tooltipStyle} formatter={(value) => formatUsd(Number(value))} />
          <Legend />
          <Bar dataKey="long" name="Longs liquidated" stackId="side" fill="#f87171" isAnimationActive={false} />
          <Bar dataKey="short" name="Shorts liquidated" stackId="side" fill="#34d399" isAnimationActive={false} />
          {markLabel ? <ReferenceLine x={markLabel} stroke="#facc15" strokeDasharray="4 2" label={{ value: `mark ${formatPrice(map.mark)}`, fill: "#facc15", fontSize: 11, position: "top" }} /> : null}
        </BarChart>
      </ResponsiveContainer>
    </Card>
  );
}

function HealthHistogramChart({ risk }: { risk: RiskView }) {
  const histogram = risk.healthHistogram;
  const data = histogram.bins.map((bin, index) => ({ ...bin, liquidatable: index === 0 || (index < histogram.edges.length && histogram.edges[index] <= 1) }));
  return (
    <Card title="Account health" testId="health-histogram" note={`Accounts holding this market by equity / maintenance margin (below 1: liquidatable). ${histogram.accounts.toLocaleString("en-US")} accounts, ${histogram.liquidatable} liquidatable.`}>
      <ResponsiveContainer width="100%" height={260}>
        <BarChart data={data}>
          <CartesianGrid strokeDasharray="3 3" stroke="#1e293b" />
          <XAxis dataKey="label" tick={axisTick} />
          <YAxis tick={axisTick} allowDecimals={false} />
          <Tooltip contentStyle={tooltipStyle} />
          <Bar dataKey="accounts" name="Accounts" isAnimationActive={false}>
            {data.map((row) => (
              <Cell key={row.label} fill={row.liquidatable ? "#f87171" : "#60a5fa"} />
            ))}
          </Bar>
        </BarChart>
      </ResponsiveContainer>
    </Card>
  );
}

function StressChart({ risk }: { risk: RiskView }) {
  const data = risk.stress.map((point) => ({
    shock: `${(point.shock * 100).toFixed(1).replace(/\.0$/, "")} %`,
    liquidatedNotional: point.liquidatedNotional,
    badDebt: point.badDebt,
    insuranceFund: point.insuranceFund,
  }));
  return (
    <Card
      title="Stress: liquidation cascade"
      testId="stress-chart"
      note={`Shock of this market's price (others fixed), then liquidation waves with square-root market impact until none is left. Insurance fund before: ${formatUsd(risk.insuranceFund)}.`}
    >
      <ResponsiveContainer width="100%" height={280}>
        <ComposedChart data={data}>
          <CartesianGrid strokeDasharray="3 3" stroke="#1e293b" />
          <XAxis dataKey="shock" tick={axisTick} interval={3} />
          <YAxis yAxisId="notional" tick={axisTick} tickFormatter={compactUsd} width={60} />
          <YAxis yAxisId="fund" orientation="right" tick={axisTick} tickFormatter={compactUsd} width={60} />
          <Tooltip contentStyle={tooltipStyle} formatter={(value) => formatUsd(Number(value))} />
          <Legend />
          <Bar yAxisId="notional" dataKey="liquidatedNotional" name="Liquidated notional" fill="#64748b" isAnimationActive={false} />
          <Line yAxisId="fund" dataKey="insuranceFund" name="Insurance fund after" stroke="#34d399" dot={false} strokeWidth={2} isAnimationActive={false} />
          <Line yAxisId="fund" dataKey="badDebt" name="Bad debt" stroke="#f87171" dot={false} strokeWidth={2} isAnimationActive={false} />
        </ComposedChart>
      </ResponsiveContainer>
    </Card>
  );
}

function NearestTable({ risk }: { risk: RiskView }) {
  return (
    <Card title="Positions nearest liquidation" testId="nearest-liquidation" note="Positions not yet liquidatable, by the move of this market's price that reaches their liquidation price (other marks fixed). Liquidatable now are counted above.">
      <div className="overflow-x-auto">
        <table className="w-full text-xs" data-testid="nearest-table">
          <thead className="text-left text-slate-500">
            <tr>
              <th className="py-1">Account</th>
              <th>Mode</th>
              <th className="text-right">Size</th>
              <th className="text-right">Notional</th>
              <th className="text-right">Entry</th>
              <th className="text-right">Liq. price</th>
              <th className="text-right">Distance</th>
              <th className="text-right">Health</th>
            </tr>
          </thead>
          <tbody>
            {risk.nearestLiquidation.map((row) => (
              <tr key={`${row.accountId}-${row.size}`} className="border-t border-slate-800" data-testid="nearest-row">
                <td className="py-1 font-mono">{row.accountId}</td>
                <td>{row.mode}</td>
                <td className={`num text-right ${row.size > 0 ? "text-emerald-300" : "text-rose-300"}`}>{row.size.toLocaleString("en-US", { maximumFractionDigits: 6 })}</td>
                <td className="num text-right">{formatUsd(row.notional)}</td>
                <td className="num text-right">{formatPrice(row.entryPrice)}</td>
                <td className="num text-right">{formatPrice(row.liquidationPrice)}</td>
                <td className={`num text-right ${row.distance < 0.02 ? "text-amber-300" : ""}`}>{formatPercent(row.distance)}</td>
                <td className="num text-right">{row.accountHealth === null ? "—" : row.accountHealth.toFixed(3)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </Card>
  );
}

export function MarketRiskView({ market }: { market: string }) {
  const trpc = useTRPC();
  // Marks follow the live reference price server-side: refresh the view every 10 s.
  const query = useQuery({ ...trpc.risk.marketRisk.queryOptions({ market }), refetchInterval: 10_000 });
  if (query.isLoading) return <p className="text-slate-400">Loading {market}…</p>;
  if (query.error) return <p className="text-red-400" data-testid="market-risk-error">Cannot load {market}: {query.error.message}</p>;
  const data = query.data;
  if (!data) return null;
  const risk = data.risk;
  return (
    <div className="space-y-4" data-testid="market-risk-page">
      <div className="flex flex-wrap items-baseline gap-x-4 gap-y-1">
        <h1 className="text-2xl font-semibold">{data.market.id}</h1>
        <span className="text-slate-400">{data.market.name} · {data.market.tier}</span>
        {risk?.mark ? (
          <span className="num font-mono text-lg" data-testid="market-mark">
            {formatPrice(risk.mark.mark)} <span className="text-xs text-slate-500">({risk.mark.source === "live" ? "live reference" : "snapshot mark"})</span>
          </span>
        ) : null}
      </div>
      {risk?.market ? (
        <div className="grid grid-cols-2 gap-2 md:grid-cols-5" data-testid="market-totals">
          {[
            ["Positions", risk.market.positions.toLocaleString("en-US")],
            ["Long open interest", formatUsd(risk.market.longNotional)],
            ["Short open interest", formatUsd(risk.market.shortNotional)],
            ["Maintenance margin", formatUsd(risk.market.maintenanceMargin)],
            ["Liquidatable now", `${risk.market.liquidatablePositions} (${formatUsd(risk.market.notionalAtRisk)})`],
          ].map(([label, value]) => (
            <div key={label} className="rounded border border-slate-800 bg-slate-900/60 p-2">
              <div className="text-xs text-slate-400">{label}</div>
              <div className="num text-sm">{value}</div>
            </div>
          ))}
        </div>
      ) : null}
      {risk?.snapshot ? (
        <p className="text-xs text-slate-500" data-testid="market-snapshot-line">
          Positions snapshot #{risk.snapshot.id}{risk.snapshot.label ? ` “${risk.snapshot.label}”` : ""} ({risk.snapshot.source}): {risk.snapshot.accounts.toLocaleString("en-US")} accounts,{" "}
          {risk.snapshot.positions.toLocaleString("en-US")} positions, imported {new Date(risk.snapshot.createdAt).toLocaleString()}.{" "}
          <Link href="/snapshots" className="text-emerald-300 hover:underline">
            Snapshots →
          </Link>
        </p>
      ) : null}
      {data.unavailable ? <p className="rounded border border-amber-800 bg-amber-950/40 p-2 text-sm text-amber-200" data-testid="risk-unavailable">{data.unavailable}</p> : null}
      <div className="grid gap-4 lg:grid-cols-2">
        <ParametersCard data={data} />
        {risk ? <LiquidationMapChart risk={risk} /> : null}
        {risk ? <HealthHistogramChart risk={risk} /> : null}
        {risk ? <StressChart risk={risk} /> : null}
      </div>
      {risk ? <NearestTable risk={risk} /> : null}
      <RiskMonitorsCard market={data.market.id} />
    </div>
  );
}
