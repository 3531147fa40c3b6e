import { StewardPanel } from "@/components/governance/steward-panel";

export default function StewardPage() {
  return (
    <div className="space-y-4">
      <div>
        <h1 className="text-2xl font-semibold">Risk steward (fast lane)</h1>
        <p className="text-sm text-slate-400">Committee updates without a token vote, within per-parameter bounds and minimum delays (as Aave&apos;s RiskSteward). Every update is audited.</p>
      </div>
      <StewardPanel />
    </div>
  );
}
