"use client";
// Audit log: steward updates, executions, cancels, vetoes, imports, role grants, risk monitor
// threshold changes, newest first.
import { useState } from "react";
import { useInfiniteQuery } from "@tanstack/react-query";
import { useTRPC } from "@/components/trpc";
import { shortAddress } from "@/components/format";
import { formatTime } from "./format";

const ACTIONS = ["", "steward.", "proposal.", "role.", "votingPower.", "riskMonitors.", "demo."];

export function AuditLog() {
  const trpc = useTRPC();
  const [action, setAction] = useState("");
  const log = useInfiniteQuery(
    trpc.params.auditLog.infiniteQueryOptions({ ...(action ? { action } : {}), limit: 100 }, { getNextPageParam: (page) => page.nextCursor ?? undefined }),
  );
  if (log.error) return <p className="text-red-400">{log.error.message.includes("Sign in") ? "Sign in to read the audit log." : `Cannot load the audit log: ${log.error.message}`}</p>;
  const items = log.data?.pages.flatMap((page) => page.items) ?? [];
  return (
    <div className="space-y-2">
      <select value={action} onChange={(e) => setAction(e.target.value)} className="rounded border border-slate-700 bg-slate-900 px-2 py-1 text-sm" data-testid="audit-filter">
        {ACTIONS.map((a) => (
          <option key={a} value={a}>
            {a ? `${a}*` : "all actions"}
          </option>
        ))}
      </select>
      <table className="w-full text-sm" data-testid="audit-table">
        <thead className="text-left text-xs uppercase text-slate-400">
          <tr>
            <th>When</th>
            <th>Actor</th>
            <th>Action</th>
            <th>Target</th>
            <th>Details</th>
          </tr>
        </thead>
        <tbody>
          {items.map((item) => (
            <tr key={item.id.toString()} className="border-t border-slate-800 align-top" data-testid="audit-row">
              <td className="num whitespace-nowrap text-xs text-slate-400">{formatTime(item.at)}</td>
              <td className="font-mono text-xs">{item.actor.startsWith("0x") ? shortAddress(item.actor) : item.actor}</td>
              <td className="text-xs">{item.action}</td>
              <td className="text-xs">{item.target ?? ""}</td>
              <td className="max-w-xl truncate font-mono text-xs text-slate-400" title={JSON.stringify(item.details)}>
                {JSON.stringify(item.details)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {log.hasNextPage ? (
        <button onClick={() => log.fetchNextPage()} className="text-xs text-emerald-300 hover:underline">
          older entries
        </button>
      ) : null}
    </div>
  );
}
