import { OverviewMarkets } from "@/components/overview-markets";

export default function OverviewPage() {
  return (
    <div className="space-y-4">
      <div>
        <h1 className="text-2xl font-semibold">Overview</h1>
        <p className="text-sm text-slate-400">Markets, their active risk parameters, and live reference prices (median of healthy sources).</p>
      </div>
      <OverviewMarkets />
    </div>
  );
}
