import { VotingPowerPanel } from "@/components/governance/voting-power-panel";

export default function VotingPowerPage() {
  return (
    <div className="space-y-4">
      <div>
        <h1 className="text-2xl font-semibold">Voting power</h1>
        <p className="text-sm text-slate-400">Imported snapshots (address → power at a block). A proposal freezes the snapshot in force when its vote opens.</p>
      </div>
      <VotingPowerPanel />
    </div>
  );
}
