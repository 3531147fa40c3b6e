"use client";
// Live chart of one market: each source, the reference, a ± deviation band around the reference,
// and alert markers (fired / resolved). History from stored 1 s samples, then live via SSE.
import { useEffect, useRef } from "react";
import { useQuery } from "@tanstack/react-query";
import { useSubscription } from "@trpc/tanstack-react-query";
import { createChart, createSeriesMarkers, LineSeries, LineStyle, type IChartApi, type ISeriesApi, type UTCTimestamp, type SeriesMarker, type Time } from "lightweight-charts";
import { useTRPC } from "../trpc";

const COLORS = ["#38bdf8", "#f472b6", "#facc15", "#a78bfa", "#fb923c"];

export function MarketPriceChart({ market, deviationPct }: { market: string; deviationPct: number }) {
  const trpc = useTRPC();
  const container = useRef<HTMLDivElement>(null);
  const chart = useRef<IChartApi | null>(null);
  const series = useRef(new Map<string, ISeriesApi<"Line">>());
  const lastTime = useRef(new Map<string, number>());
  const history = useQuery({ ...trpc.oracles.history.queryOptions({ market, minutes: 15 }), refetchInterval: 15_000 });

  useEffect(() => {
    if (!container.current) return;
    const instance = createChart(container.current, {
      height: 340,
      layout: { background: { color: "#020617" }, textColor: "#94a3b8" },
      grid: { vertLines: { color: "#0f172a" }, horzLines: { color: "#0f172a" } },
      timeScale: { timeVisible: true, secondsVisible: true },
      rightPriceScale: { borderColor: "#1e293b" },
      autoSize: true,
    });
    chart.current = instance;
    const seriesMap = series.current;
    const timeMap = lastTime.current;
    return () => {
      instance.remove();
      chart.current = null;
      seriesMap.clear();
      timeMap.clear();
    };
  }, [market]);

  function lineFor(name: string): ISeriesApi<"Line"> | null {
    const instance = chart.current;
    if (!instance) return null;
    let line = series.current.get(name);
    if (!line) {
      const isReference = name === "reference";
      const isBand = name.startsWith("band");
      line = instance.addSeries(LineSeries, {
        color: isReference ? "#34d399" : isBand ? "#475569" : COLORS[series.current.size % COLORS.length],
        lineWidth: isReference ? 2 : 1,
        lineStyle: isBand ? LineStyle.Dashed : LineStyle.Solid,
        title: isBand ? "" : name,
        priceLineVisible: false,
        lastValueVisible: !isBand,
      });
      series.current.set(name, line);
    }
    return line;
  }

  function push(name: string, timeSeconds: number, value: number) {
    const previous = lastTime.current.get(name) ?? 0;
    if (timeSeconds <= previous) return; // lightweight-charts needs strictly increasing time
    lastTime.current.set(name, timeSeconds);
    lineFor(name)?.update({ time: timeSeconds as UTCTimestamp, value });
  }

  useEffect(() => {
    const data = history.data;
    if (!data || !chart.current) return;
    for (const [name, points] of Object.entries(data.series)) {
      const line = lineFor(name);
      if (!line) continue;
      line.setData(points.map((point) => ({ time: point.time as UTCTimestamp, value: point.value })));
      lastTime.current.set(name, points.at(-1)?.time ?? 0);
      if (name === "reference") {
        const band = deviationPct / 100;
        lineFor("band-upper")?.setData(points.map((p) => ({ time: p.time as UTCTimestamp, value: p.value * (1 + band) })));
        lineFor("band-lower")?.setData(points.map((p) => ({ time: p.time as UTCTimestamp, value: p.value * (1 - band) })));
        lastTime.current.set("band-upper", points.at(-1)?.time ?? 0);
        lastTime.current.set("band-lower", points.at(-1)?.time ?? 0);
      }
    }
    const reference = series.current.get("reference");
    if (reference) {
      const markers: SeriesMarker<Time>[] = [];
      for (const alert of data.alerts) {
        markers.push({ time: Math.floor(new Date(alert.firedAt).getTime() / 1000) as UTCTimestamp, position: "aboveBar", color: "#f87171", shape: "arrowDown", text: `${alert.check} ${alert.feed ?? ""}` });
        if (alert.resolvedAt) markers.push({ time: Math.floor(new Date(alert.resolvedAt).getTime() / 1000) as UTCTimestamp, position: "belowBar", color: "#34d399", shape: "arrowUp", text: "resolved" });
      }
      markers.sort((a, b) => (a.time as number) - (b.time as number));
      createSeriesMarkers(reference, markers);
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [history.data, deviationPct]);

  useSubscription(
    trpc.markets.livePrices.subscriptionOptions(undefined, {
      onData: (update) => {
        if (update.market !== market) return;
        const seconds = Math.floor(update.at / 1000);
        for (const [source, state] of Object.entries(update.sources)) push(source, seconds, state.price);
        if (update.reference !== null) {
          push("reference", seconds, update.reference);
          push("band-upper", seconds, update.reference * (1 + deviationPct / 100));
          push("band-lower", seconds, update.reference * (1 - deviationPct / 100));
        }
      },
    }),
  );

  return (
    <div className="rounded-lg border border-slate-800 p-2">
      <div className="mb-1 text-xs text-slate-400">{market} · sources, reference (green), ±{deviationPct} % deviation band, alert markers</div>
      <div ref={container} className="h-[340px] w-full" data-testid="market-price-chart" />
    </div>
  );
}
