import { SnapshotsPanel } from "@/components/risk/snapshots-page";

export default function SnapshotsPage() {
  return (
    <div className="space-y-4">
      <div>
        <h1 className="text-2xl font-semibold">Positions snapshots</h1>
        <p className="text-sm text-slate-400">The books the risk engine margins, previews and stresses: one is active at a time. Import a venue export or a positions file, then check the markets.</p>
      </div>
      <SnapshotsPanel />
    </div>
  );
}
