import Link from "next/link";
import { AlertHistory } from "@/components/alerts/alert-history";

export default async function AlertPage({ params }: { params: Promise<{ fingerprint: string }> }) {
  const { fingerprint } = await params;
  const decoded = decodeURIComponent(fingerprint);
  return (
    <div className="space-y-4">
      <div>
        <Link href="/alerts" className="text-xs text-slate-400 hover:underline">← Alerts</Link>
        <h1 className="font-mono text-xl font-semibold">{decoded}</h1>
      </div>
      <AlertHistory fingerprint={decoded} />
    </div>
  );
}
