"use client";
// Alerts: firing / acknowledged / resolved tabs, filters by market, check and severity, on-call
// acknowledgement, and each alert's history. Live: every committed alert change refreshes the list.
import Link from "next/link";
import { useEffect, useRef, useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useSubscription } from "@trpc/tanstack-react-query";
import { useTRPC } from "../trpc";
import { AlertHistory } from "./alert-history";
import { formatAlertValue, formatTime, severityClass } from "./alert-format";

type Status = "firing" | "acknowledged" | "resolved";
const TABS: Status[] = ["firing", "acknowledged", "resolved"];

export function AlertsPage() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [status, setStatus] = useState<Status>("firing");
  const [filters, setFilters] = useState({ market: "", check: "", severity: "" });
  const [open, setOpen] = useState<string | null>(null);
  const me = useQuery(trpc.system.whoami.queryOptions());
  const isOncall = me.data?.roles.includes("oncall") ?? false;
  const input = {
    status,
    ...(filters.market ? { market: filters.market } : {}),
    ...(filters.check ? { check: filters.check } : {}),
    ...(filters.severity ? { severity: filters.severity } : {}),
  };
  const list = useQuery(trpc.alerts.list.queryOptions(input));
  const counts = useQuery(trpc.alerts.counts.queryOptions());
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.alerts.pathKey() });
  // An incident can change hundreds of alerts a second: refetch at most once a second.
  const pending = useRef<ReturnType<typeof setTimeout> | null>(null);
  const refreshSoon = () => {
    pending.current ??= setTimeout(() => {
      pending.current = null;
      void refresh();
    }, 1000);
  };
  useEffect(() => () => {
    if (pending.current) clearTimeout(pending.current);
  }, []);
  useSubscription(trpc.alerts.live.subscriptionOptions(undefined, { onData: refreshSoon }));
  const ack = useMutation(trpc.alerts.acknowledge.mutationOptions({ onSuccess: () => void refresh() }));

  return (
    <div className="space-y-3">
      <div className="flex flex-wrap items-end gap-2">
        <div className="flex rounded border border-slate-800" role="tablist">
          {TABS.map((tab) => (
            <button
              key={tab}
              role="tab"
              aria-selected={status === tab}
              data-testid={`tab-${tab}`}
              onClick={() => setStatus(tab)}
              className={`px-3 py-1.5 text-sm capitalize ${status === tab ? "bg-slate-800 text-white" : "text-slate-400 hover:text-white"}`}
            >
              {tab} <span className="num text-xs text-slate-500">{counts.data?.[tab] ?? "…"}</span>
            </button>
          ))}
        </div>
        {(["market", "check", "severity"] as const).map((key) => (
          <label key={key} className="text-xs text-slate-400">
            {key}
            <input
              value={filters[key]}
              onChange={(e) => setFilters({ ...filters, [key]: e.target.value.trim() })}
              placeholder={key === "market" ? "BTC-USD" : key === "check" ? "deviation" : "critical"}
              className="ml-1 w-28 rounded border border-slate-700 bg-slate-900 px-2 py-1 text-sm text-slate-100"
              data-testid={`filter-${key}`}
            />
          </label>
        ))}
      </div>
      {ack.error ? <p className="text-sm text-red-400">Acknowledge failed: {ack.error.message}</p> : null}
      {list.isLoading ? <p className="text-slate-400">Loading alerts…</p> : null}
      {list.error ? <p className="text-red-400">Cannot load alerts: {list.error.message}</p> : null}
      {list.data && list.data.alerts.length === 0 ? <p className="text-slate-400">No {status} alerts{Object.keys(input).length > 1 ? " matching the filters" : ""}.</p> : null}
      {list.data && list.data.alerts.length > 0 ? (
        <div className="overflow-x-auto rounded-lg border border-slate-800">
          <table className="w-full text-sm" data-testid="alerts-table">
            <thead className="bg-slate-900 text-left text-xs uppercase text-slate-400">
              <tr>
                <th className="px-3 py-2">Severity</th>
                <th className="px-3 py-2">Check</th>
                <th className="px-3 py-2">Market</th>
                <th className="px-3 py-2">Feed</th>
                <th className="px-3 py-2 text-right">Value / threshold</th>
                <th className="px-3 py-2">Fired</th>
                <th className="px-3 py-2">{status === "resolved" ? "Resolved" : status === "acknowledged" ? "Acknowledged" : ""}</th>
                <th className="px-3 py-2" />
              </tr>
            </thead>
            <tbody>
              {list.data.alerts.map((alert) => (
                <FragmentRow key={String(alert.id)} expanded={open === alert.fingerprint + String(alert.id)}>
                  <tr className="border-t border-slate-800" data-testid={`alert-row-${alert.fingerprint}`}>
                    <td className="px-3 py-2"><span className={`rounded px-1.5 py-0.5 text-xs ${severityClass(alert.severity)}`}>{alert.severity}</span></td>
                    <td className="px-3 py-2">{alert.check}</td>
                    <td className="px-3 py-2">
                      {alert.market === "-" ? (
                        "—"
                      ) : alert.check.startsWith("risk-") ? (
                        // Risk monitor alerts are about the market's book: its risk page explains them.
                        <Link href={`/markets/${encodeURIComponent(alert.market)}`} className="text-emerald-300 hover:underline">
                          {alert.market}
                        </Link>
                      ) : (
                        alert.market
                      )}
                    </td>
                    <td className="px-3 py-2 text-slate-300">{alert.feed ?? "—"}</td>
                    <td className="num px-3 py-2 text-right font-mono">{formatAlertValue(alert.check, alert.value)} / {formatAlertValue(alert.check, alert.threshold)}</td>
                    <td className="px-3 py-2 text-xs text-slate-300">{formatTime(alert.firedAt)}</td>
                    <td className="px-3 py-2 text-xs text-slate-300">
                      {alert.resolvedAt ? formatTime(alert.resolvedAt) : alert.acknowledgedAt ? `${formatTime(alert.acknowledgedAt)} by ${alert.acknowledgedBy ?? "?"}` : ""}
                    </td>
                    <td className="space-x-2 whitespace-nowrap px-3 py-2 text-right">
                      {alert.status === "firing" && isOncall ? (
                        <button
                          onClick={() => ack.mutate({ fingerprint: alert.fingerprint })}
                          disabled={ack.isPending}
                          className="rounded bg-amber-600 px-2 py-1 text-xs text-white hover:bg-amber-500 disabled:opacity-50"
                          data-testid={`ack-${alert.fingerprint}`}
                        >
                          Acknowledge
                        </button>
                      ) : null}
                      <button onClick={() => setOpen(open === alert.fingerprint + String(alert.id) ? null : alert.fingerprint + String(alert.id))} className="text-xs text-emerald-300 hover:underline">
                        History
                      </button>
                      <Link href={`/alerts/${encodeURIComponent(alert.fingerprint)}`} className="text-xs text-slate-400 hover:underline">Open</Link>
                    </td>
                  </tr>
                  <tr className="border-t border-slate-900 bg-slate-950">
                    <td colSpan={8} className="px-3 py-2">
                      <AlertHistory fingerprint={alert.fingerprint} />
                    </td>
                  </tr>
                </FragmentRow>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {!isOncall && me.data ? <p className="text-xs text-slate-500">Acknowledging needs the oncall role.</p> : null}
    </div>
  );
}

/** The row, plus its detail row only while expanded. */
function FragmentRow({ children, expanded }: { children: [React.ReactNode, React.ReactNode]; expanded: boolean }) {
  return (
    <>
      {children[0]}
      {expanded ? children[1] : null}
    </>
  );
}
