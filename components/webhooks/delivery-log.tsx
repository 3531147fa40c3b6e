"use client";
// The delivery log: every delivery with every attempt (status, latency, response excerpt), replay
// of dead-lettered ones. Refreshes every 5 s while open.
import { Fragment, useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "../trpc";
import { formatTime } from "../alerts/alert-format";

type Status = "pending" | "delivering" | "delivered" | "dead";

export function DeliveryLog({ isOncall }: { isOncall: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [filter, setFilter] = useState<{ endpointId: string; status: "" | Status }>({ endpointId: "", status: "" });
  const [open, setOpen] = useState<string | null>(null);
  const input = { ...(filter.endpointId ? { endpointId: filter.endpointId } : {}), ...(filter.status ? { status: filter.status } : {}) };
  const log = useQuery({ ...trpc.webhooks.deliveries.queryOptions(input), enabled: isOncall, refetchInterval: 5000 });
  const replay = useMutation(trpc.webhooks.replay.mutationOptions({ onSuccess: () => void queryClient.invalidateQueries({ queryKey: trpc.webhooks.deliveries.queryKey() }) }));
  if (!isOncall) return <p className="text-sm text-slate-500">The delivery log needs the oncall role.</p>;
  return (
    <section className="space-y-2">
      <div className="flex items-end gap-2">
        <h2 className="text-lg font-semibold">Delivery log</h2>
        <input value={filter.endpointId} onChange={(e) => setFilter({ ...filter, endpointId: e.target.value.trim() })} placeholder="endpoint id" className="ml-4 w-36 rounded border border-slate-700 bg-slate-900 px-2 py-1 text-sm" />
        <select value={filter.status} onChange={(e) => setFilter({ ...filter, status: e.target.value as "" | Status })} className="rounded border border-slate-700 bg-slate-900 px-2 py-1 text-sm" data-testid="delivery-status-filter">
          <option value="">any status</option>
          {(["pending", "delivering", "delivered", "dead"] as const).map((s) => <option key={s}>{s}</option>)}
        </select>
      </div>
      {replay.error ? <p className="text-sm text-red-400">{replay.error.message}</p> : null}
      {log.error ? <p className="text-sm text-red-400">{log.error.message}</p> : null}
      <div className="overflow-x-auto rounded-lg border border-slate-800">
        <table className="w-full text-sm" data-testid="delivery-log">
          <thead className="bg-slate-900 text-left text-xs uppercase text-slate-400">
            <tr>
              <th className="px-3 py-2">#</th>
              <th className="px-3 py-2">Created</th>
              <th className="px-3 py-2">Endpoint</th>
              <th className="px-3 py-2">Event</th>
              <th className="px-3 py-2">Status</th>
              <th className="px-3 py-2 text-right">Attempts</th>
              <th className="px-3 py-2">Last error</th>
              <th className="px-3 py-2" />
            </tr>
          </thead>
          <tbody>
            {log.data?.deliveries.map((d) => {
              const key = String(d.id);
              return (
                <Fragment key={key}>
                  <tr className="cursor-pointer border-t border-slate-800 hover:bg-slate-900" onClick={() => setOpen(open === key ? null : key)} data-testid={`delivery-${key}`}>
                    <td className="px-3 py-2 font-mono text-xs">{key}</td>
                    <td className="px-3 py-2 text-xs">{formatTime(d.createdAt)}</td>
                    <td className="px-3 py-2">{d.endpointId}</td>
                    <td className="px-3 py-2 text-xs">{d.eventType}{d.fingerprints.length ? <div className="font-mono text-slate-500">{d.fingerprints.join(", ")}</div> : null}</td>
                    <td className={`px-3 py-2 text-xs ${d.status === "delivered" ? "text-emerald-300" : d.status === "dead" ? "text-red-300" : "text-amber-300"}`}>{d.status}</td>
                    <td className="num px-3 py-2 text-right">{d.attempts}</td>
                    <td className="max-w-xs truncate px-3 py-2 text-xs text-slate-400" title={d.lastError ?? ""}>{d.lastError ?? ""}</td>
                    <td className="px-3 py-2 text-right">
                      {d.status === "dead" ? (
                        <button onClick={(e) => { e.stopPropagation(); replay.mutate({ deliveryId: d.id }); }} className="rounded bg-amber-600 px-2 py-0.5 text-xs text-white hover:bg-amber-500" data-testid={`replay-${key}`}>
                          Replay
                        </button>
                      ) : null}
                    </td>
                  </tr>
                  {open === key ? (
                    <tr className="bg-slate-950">
                      <td colSpan={8} className="px-3 py-2 text-xs">
                        <div className="mb-1 text-slate-400">webhook-id <span className="font-mono">{d.messageId}</span></div>
                        <table className="w-full">
                          <thead className="text-left text-slate-500">
                            <tr><th className="pr-3">Attempt at</th><th className="pr-3">Status</th><th className="pr-3 text-right">Latency</th><th>Response excerpt / error</th></tr>
                          </thead>
                          <tbody>
                            {d.attemptLog.map((a) => (
                              <tr key={String(a.id)} className="align-top">
                                <td className="pr-3 font-mono">{formatTime(a.at)}</td>
                                <td className={`pr-3 ${a.statusCode !== null && a.statusCode < 300 ? "text-emerald-300" : "text-red-300"}`}>{a.statusCode ?? "—"}</td>
                                <td className="num pr-3 text-right">{a.latencyMs} ms</td>
                                <td className="break-all font-mono text-slate-300">{a.error ?? a.responseExcerpt ?? ""}</td>
                              </tr>
                            ))}
                          </tbody>
                        </table>
                        <pre className="mt-2 max-h-40 overflow-auto whitespace-pre-wrap break-all text-slate-500">{d.bodyExcerpt}</pre>
                      </td>
                    </tr>
                  ) : null}
                </Fragment>
              );
            })}
          </tbody>
        </table>
        {log.data && log.data.deliveries.length === 0 ? <p className="px-3 py-2 text-sm text-slate-400">No deliveries.</p> : null}
      </div>
    </section>
  );
}
