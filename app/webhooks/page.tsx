import { WebhooksPage } from "@/components/webhooks/webhooks-page";

export default function Webhooks() {
  return (
    <div className="space-y-4">
      <div>
        <h1 className="text-2xl font-semibold">Webhooks</h1>
        <p className="text-sm text-slate-400">Signed deliveries (Standard Webhooks, Slack, PagerDuty, Alertmanager), retried on the Standard Webhooks schedule. Entries from the config file are read-only here.</p>
      </div>
      <WebhooksPage />
    </div>
  );
}
