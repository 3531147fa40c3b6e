import { AlertsPage } from "@/components/alerts/alerts-page";

export default function Alerts() {
  return (
    <div className="space-y-4">
      <div>
        <h1 className="text-2xl font-semibold">Alerts</h1>
        <p className="text-sm text-slate-400">Oracle and risk alerts. One open alert per fingerprint; acknowledging stops repeat notifications, the resolve is always sent to whoever was paged.</p>
      </div>
      <AlertsPage />
    </div>
  );
}
