"use client";
// One fingerprint's history: every fire/resolve cycle with its events, and the deliveries that carried it.
import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "../trpc";
import { formatAlertValue, formatTime } from "./alert-format";

export function AlertHistory({ fingerprint }: { fingerprint: string }) {
  const trpc = useTRPC();
  const history = useQuery(trpc.alerts.history.queryOptions({ fingerprint }));
  if (history.isLoading) return <p className="text-xs text-slate-400">Loading history…</p>;
  if (history.error) return <p className="text-xs text-red-400">{history.error.message}</p>;
  const data = history.data;
  if (!data) return null;
  return (
    <div className="grid gap-4 text-xs md:grid-cols-2" data-testid={`history-${fingerprint}`}>
      <div>
        <h3 className="mb-1 font-semibold text-slate-300">Events ({data.alerts.length} cycle{data.alerts.length === 1 ? "" : "s"})</h3>
        <ul className="space-y-0.5">
          {data.alerts.flatMap((alert) =>
            alert.events.map((event) => (
              <li key={String(event.id)} className="font-mono text-slate-300">
                {formatTime(event.at)} <span className="text-slate-100">{event.kind}</span>
                {event.value !== null ? ` ${formatAlertValue(alert.check, event.value)}` : ""}
                {event.severity ? ` ${event.severity}` : ""}
                {event.actor ? ` by ${event.actor}` : ""}
              </li>
            )),
          )}
        </ul>
      </div>
      <div>
        <h3 className="mb-1 font-semibold text-slate-300">Notifications ({data.deliveries.length})</h3>
        {data.deliveries.length === 0 ? <p className="text-slate-500">None sent (no matching route, silenced, or within group wait).</p> : null}
        <ul className="space-y-0.5">
          {data.deliveries.map((d) => (
            <li key={String(d.id)} className="font-mono text-slate-300">
              {formatTime(d.createdAt)} {d.eventType} → {d.endpointId}: <span className={d.status === "delivered" ? "text-emerald-300" : d.status === "dead" ? "text-red-300" : "text-amber-300"}>{d.status}</span> ({d.attempts} attempt{d.attempts === 1 ? "" : "s"})
            </li>
          ))}
        </ul>
      </div>
    </div>
  );
}
