// The feeds subsystem: connects the configured feeds (or, in demo mode without configured feeds, the
// in-process demo simulator), broadcasts prices, persists downsampled price samples and feed state,
// and hands detector alert events to the alerting subsystem without losing any.
import type { Runtime, Subsystem } from "../../runtime-types";
import { FeedManager, type FeedManagerEvent, type FeedManagerStatus } from "../../feeds/feed-manager";
import { startDemoFeeds } from "../../feeds/simulator";
import type { AlertEvent } from "../../../lib/oracle/types";
import { batchInsert } from "../../demo/seed";

export type FeedsSubsystem = Subsystem & {
  status(): FeedManagerStatus;
  manager: FeedManager;
};

/** Sink for detector alert events, provided by the alerting subsystem. */
export type OracleAlertSink = { recordOracleEvent(event: AlertEvent): Promise<void> };

const PRICE_BROADCAST_MS = 500;
/** Samples are downsampled to one per source per second and written in one batch every 5 s. */
const SAMPLE_FLUSH_MS = 5_000;
const FEED_STATE_FLUSH_MS = 5_000;
const RETENTION_SWEEP_MS = 60 * 60_000;

export async function startFeeds(runtime: Runtime): Promise<FeedsSubsystem> {
  const pendingAlerts: AlertEvent[] = [];
  let draining = false;
  const onEvent = (event: FeedManagerEvent) => {
    if (event.type === "alert") {
      pendingAlerts.push(event.event);
      void drainAlerts();
    }
  };
  // Alert events go to the database one at a time, in order; on failure they stay queued and are
  // retried, so a database hiccup loses none of them.
  async function drainAlerts() {
    if (draining) return;
    draining = true;
    try {
      while (pendingAlerts.length > 0) {
        const sink = runtime.subsystems.get("alerting") as (Subsystem & Partial<OracleAlertSink>) | undefined;
        if (!sink?.recordOracleEvent) {
          runtime.bus.publish("alert.changed", { fingerprint: pendingAlerts[0].fingerprint, status: pendingAlerts[0].kind, at: pendingAlerts[0].at });
          pendingAlerts.shift();
          continue;
        }
        try {
          await sink.recordOracleEvent(pendingAlerts[0]);
          pendingAlerts.shift();
        } catch (error) {
          console.error(`[feeds] recording alert ${pendingAlerts[0].fingerprint} failed, will retry: ${error instanceof Error ? error.message : error}`);
          await new Promise((resolve) => setTimeout(resolve, 1000));
        }
      }
    } finally {
      draining = false;
    }
  }

  const configuredFeeds = runtime.config?.feeds ?? [];
  let manager: FeedManager;
  let stopFeeds: () => Promise<void>;
  if (configuredFeeds.length === 0 && runtime.env.demo) {
    const demo = await startDemoFeeds({ port: 0, onEvent, log: (line) => console.log(`[feeds] ${line}`) });
    manager = demo.manager;
    stopFeeds = demo.stop;
  } else {
    manager = new FeedManager({
      config: { markets: runtime.config?.markets ?? {}, feeds: configuredFeeds },
      onEvent,
      log: (line) => console.log(`[feeds] ${line}`),
    });
    manager.start();
    stopFeeds = () => manager.stop();
  }

  const lastSampleSecond = new Map<string, number>();
  const sampleRows: unknown[][] = [];

  const broadcastTimer = setInterval(() => {
    const status = manager.status();
    const now = status.atMs;
    for (const snapshot of Object.values(status.markets)) {
      const sources: Record<string, { price: number; ageMs: number; healthy: boolean }> = {};
      for (const [feed, source] of Object.entries(snapshot.sources)) {
        if (source.price === null) continue;
        sources[feed] = { price: source.price, ageMs: source.ageMs ?? 0, healthy: source.healthy };
        collectSample(snapshot.market, feed, now, source.price, source.conf);
      }
      if (snapshot.reference !== null) collectSample(snapshot.market, "reference", now, snapshot.reference, null);
      runtime.prices.update({ market: snapshot.market, reference: snapshot.reference, sources, at: now });
    }
  }, PRICE_BROADCAST_MS);

  function collectSample(market: string, feed: string, atMs: number, price: number, conf: number | null) {
    const key = `${market}|${feed}`;
    const second = Math.floor(atMs / 1000);
    if (lastSampleSecond.get(key) === second) return;
    lastSampleSecond.set(key, second);
    sampleRows.push([market, feed, new Date(second * 1000), price, conf]);
  }

  const sampleTimer = setInterval(() => void flushSamples(), SAMPLE_FLUSH_MS);
  async function flushSamples() {
    if (sampleRows.length === 0) return;
    const rows = sampleRows.splice(0, sampleRows.length);
    try {
      await batchInsert(runtime, `"PriceSample" ("market", "feed", "at", "price", "conf")`, rows);
    } catch (error) {
      console.error(`[feeds] writing ${rows.length} price samples failed: ${error instanceof Error ? error.message : error}`);
    }
  }

  const feedStateTimer = setInterval(() => void flushFeedState(), FEED_STATE_FLUSH_MS);
  async function flushFeedState() {
    const status = manager.status();
    const feedsById = new Map((runtime.config?.feeds ?? []).map((feed) => [feed.id, feed]));
    try {
      await runtime.database.prisma.$transaction(
        status.feeds.map((feed) =>
          runtime.database.prisma.feed.upsert({
            where: { id: feed.feed },
            create: {
              id: feed.feed,
              kind: feed.kind,
              url: feedsById.get(feed.feed)?.url ?? "demo",
              heartbeatMs: feed.heartbeatMs,
              symbols: feedsById.get(feed.feed)?.symbols ?? {},
              managedByFile: feedsById.has(feed.feed),
              state: feed.state,
              lastMessageAt: feed.lastMessageAtMs ? new Date(feed.lastMessageAtMs) : null,
              counters: { messages: feed.messages, ticks: feed.ticks, rejected: feed.rejectionsByReason },
            },
            update: {
              state: feed.state,
              lastMessageAt: feed.lastMessageAtMs ? new Date(feed.lastMessageAtMs) : null,
              counters: { messages: feed.messages, ticks: feed.ticks, rejected: feed.rejectionsByReason },
            },
          }),
        ),
      );
      runtime.bus.publish("feeds.status", { feeds: status.feeds.map((feed) => ({ id: feed.feed, state: feed.state, lastMessageAt: feed.lastMessageAtMs })), at: status.atMs });
    } catch (error) {
      console.error(`[feeds] writing feed state failed: ${error instanceof Error ? error.message : error}`);
    }
  }

  const retentionDays = runtime.env.priceSampleRetentionDays;
  const retentionTimer = setInterval(() => {
    const cutoff = new Date(Date.now() - retentionDays * 86_400_000);
    runtime.database.prisma.priceSample.deleteMany({ where: { at: { lt: cutoff } } }).catch((error: Error) => console.error(`[feeds] retention sweep failed: ${error.message}`));
  }, RETENTION_SWEEP_MS);

  return {
    name: "feeds",
    manager,
    status: () => manager.status(),
    health() {
      const status = manager.status();
      return {
        feeds: status.feeds.map((feed) => ({
          id: feed.feed,
          kind: feed.kind,
          state: feed.state,
          lastMessageAgeMs: feed.lastMessageAtMs === null ? null : status.atMs - feed.lastMessageAtMs,
          messages: feed.messages,
          rejections: feed.rejections,
        })),
      };
    },
    async stop() {
      for (const timer of [broadcastTimer, sampleTimer, feedStateTimer, retentionTimer]) clearInterval(timer);
      await stopFeeds();
      await flushSamples();
    },
  };
}
