// What the Oracles page shows: every feed's state and rates, per-market source deviation and
// confidence, and recent price history with alert markers.
import type { Runtime } from "../../runtime-types";
import type { FeedsSubsystem } from "./feeds-subsystem";
import { detectorThresholdsFor } from "../../../lib/config/riskwarden-config";
import { demoMarketsConfig } from "../../feeds/simulator";

function feedsOf(runtime: Runtime): FeedsSubsystem | undefined {
  return runtime.subsystems.get("feeds") as FeedsSubsystem | undefined;
}

/** Message and rejection rates are computed between successive calls (per-process sliding window). */
const previousCounts = new Map<string, { atMs: number; messages: number; rejections: number }>();

export function oracleStatus(runtime: Runtime) {
  const feeds = feedsOf(runtime);
  if (!feeds) return { feeds: [], markets: [], openAlerts: [], atMs: Date.now() };
  const status = feeds.status();
  const markets = runtime.config?.markets ?? (runtime.env.demo ? demoMarketsConfig() : {});
  return {
    atMs: status.atMs,
    feeds: status.feeds.map((feed) => {
      const previous = previousCounts.get(feed.feed);
      previousCounts.set(feed.feed, { atMs: status.atMs, messages: feed.messages, rejections: feed.rejections });
      const seconds = previous ? Math.max(0.001, (status.atMs - previous.atMs) / 1000) : null;
      return {
        id: feed.feed,
        kind: feed.kind,
        state: feed.state,
        heartbeatMs: feed.heartbeatMs,
        markets: feed.markets,
        lastMessageAgeMs: feed.lastMessageAtMs === null ? null : status.atMs - feed.lastMessageAtMs,
        lastTickAgeMs: feed.lastTickAtMs === null ? null : status.atMs - feed.lastTickAtMs,
        messages: feed.messages,
        ticks: feed.ticks,
        rejections: feed.rejections,
        rejectionsByReason: feed.rejectionsByReason,
        reconnects: feed.reconnects,
        lastError: feed.lastError,
        messagesPerSecond: previous && seconds ? (feed.messages - previous.messages) / seconds : null,
        rejectionsPerSecond: previous && seconds ? (feed.rejections - previous.rejections) / seconds : null,
      };
    }),
    markets: Object.values(status.markets).map((market) => ({
      ...market,
      thresholds: detectorThresholdsFor({ markets }, market.market),
    })),
    openAlerts: status.openAlerts,
  };
}

/** Price samples of one market since `sinceMs`, per source and the reference, plus alerts in the window. */
export async function priceHistory(runtime: Runtime, input: { market: string; sinceMs: number }) {
  const since = new Date(input.sinceMs);
  const [samples, alerts] = await Promise.all([
    runtime.database.prisma.priceSample.findMany({
      where: { market: input.market, at: { gte: since } },
      orderBy: { at: "asc" },
      select: { feed: true, at: true, price: true },
      take: 20_000,
    }),
    runtime.database.prisma.alert.findMany({
      where: { market: input.market, OR: [{ firedAt: { gte: since } }, { resolvedAt: null }] },
      orderBy: { firedAt: "asc" },
      select: { fingerprint: true, check: true, feed: true, severity: true, firedAt: true, resolvedAt: true, value: true, threshold: true },
    }),
  ]);
  const series: Record<string, { time: number; value: number }[]> = {};
  for (const sample of samples) {
    (series[sample.feed] ??= []).push({ time: Math.floor(sample.at.getTime() / 1000), value: sample.price });
  }
  return { series, alerts };
}
