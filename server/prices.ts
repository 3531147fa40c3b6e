// Latest prices per market as the detectors see them (reference = median of healthy sources).
// The feeds subsystem writes here; pages read a snapshot and then follow `prices.updated` on the bus.
import type { BusEvents, EventBus } from "./bus";

export type MarketPrices = BusEvents["prices.updated"];

export class PriceBoard {
  private readonly latest = new Map<string, MarketPrices>();
  constructor(private readonly bus: EventBus) {}

  update(prices: MarketPrices): void {
    this.latest.set(prices.market, prices);
    this.bus.publish("prices.updated", prices);
  }

  get(market: string): MarketPrices | undefined {
    return this.latest.get(market);
  }

  all(): MarketPrices[] {
    return [...this.latest.values()];
  }
}
