import { OraclesDashboard } from "@/components/oracles/oracles-dashboard";

export default function OraclesPage() {
  return (
    <div className="space-y-4">
      <div>
        <h1 className="text-2xl font-semibold">Oracles</h1>
        <p className="text-sm text-slate-400">Every feed&apos;s connection state and rates, each source&apos;s deviation from the reference (median of the other healthy sources), and a live chart per market.</p>
      </div>
      <OraclesDashboard />
    </div>
  );
}
