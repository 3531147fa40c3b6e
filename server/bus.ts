// The event bus everything live goes through (tRPC subscriptions, webhooks, detectors).
// In-process by default: one instance of the app. Topics are typed so publishers and subscribers agree.
// (Several instances would need a Postgres LISTEN/NOTIFY or Redis transport behind the same interface.)
import { EventEmitter, on } from "node:events";

export type BusEvents = {
  /** Reference and per-source prices of one market, at most a few per second. */
  "prices.updated": { market: string; reference: number | null; sources: Record<string, { price: number; ageMs: number; healthy: boolean }>; at: number };
  "feeds.status": { feeds: { id: string; state: string; lastMessageAt: number | null }[]; at: number };
  "alert.changed": { fingerprint: string; status: "firing" | "acknowledged" | "resolved"; at: number };
  "params.activated": { market: string; version: number; parameterSetId: number; at: number };
  "proposal.event": { type: string; proposalId: string; at: number; data?: Record<string, unknown> };
  "snapshot.activated": { snapshotId: number; at: number };
  /** Outbox rows were committed: the webhook dispatcher claims them now instead of at its next poll. */
  "outbox.enqueued": { count: number; at: number };
  /** Webhook endpoints, routes or silences changed (UI): the alerting engine reloads them. */
  "alerting.config.changed": { what: "endpoints" | "routes" | "silences"; at: number };
  /** A market's risk monitor thresholds changed (UI): the risk monitors reload them. */
  "risk.monitors.changed": { market: string; at: number };
};
export type BusTopic = keyof BusEvents;

export class EventBus {
  private readonly emitter = new EventEmitter();

  constructor() {
    // Every open browser tab subscribes; the default limit of 10 would warn at 11 tabs.
    this.emitter.setMaxListeners(0);
  }

  publish<T extends BusTopic>(topic: T, payload: BusEvents[T]): void {
    this.emitter.emit(topic, payload);
  }

  subscribe<T extends BusTopic>(topic: T, listener: (payload: BusEvents[T]) => void): () => void {
    this.emitter.on(topic, listener);
    return () => this.emitter.off(topic, listener);
  }

  /** Async iterator for tRPC subscriptions (async generators); ends when `signal` aborts. */
  async *stream<T extends BusTopic>(topic: T, signal?: AbortSignal): AsyncGenerator<BusEvents[T]> {
    try {
      for await (const [payload] of on(this.emitter, topic, { signal })) {
        yield payload as BusEvents[T];
      }
    } catch (error) {
      if ((error as { name?: string }).name !== "AbortError") throw error;
    }
  }
}
