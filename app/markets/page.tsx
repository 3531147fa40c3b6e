import { MarketsList } from "@/components/risk/markets-list";

export default function MarketsPage() {
  return (
    <div className="space-y-4">
      <div>
        <h1 className="text-2xl font-semibold">Markets</h1>
        <p className="text-sm text-slate-400">Active risk parameters and the open positions of the active snapshot, margined at live marks. Open a market for its liquidation map, health and stress.</p>
      </div>
      <MarketsList />
    </div>
  );
}
