"use client";
// Voting-power snapshots: list, the signed-in user's power, and the import form (admin).
import { useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "@/components/trpc";
import { formatPower, formatTime } from "./format";

export function VotingPowerPanel() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const me = useQuery(trpc.system.whoami.queryOptions());
  const snapshots = useQuery(trpc.votingPower.snapshots.queryOptions());
  const mine = useQuery({ ...trpc.votingPower.get.queryOptions({}), enabled: Boolean(me.data) });
  const importSnapshot = useMutation(trpc.votingPower.import.mutationOptions({ onSuccess: () => queryClient.invalidateQueries() }));
  const [form, setForm] = useState({ name: "", format: "csv" as "csv" | "json", text: "", blockNumber: "" });
  const [message, setMessage] = useState<string | null>(null);
  return (
    <div className="space-y-4">
      {mine.data ? (
        <p className="text-sm" data-testid="my-power">
          Your power in the latest snapshot: <span className="num font-semibold">{formatPower(mine.data.breakdown.totalPower)}</span> ({(mine.data.breakdown.shareOfTotalBps / 100).toFixed(2)} % of {formatPower(mine.data.totalPower)})
        </p>
      ) : null}
      <table className="w-full text-sm [&_td]:px-2 [&_th]:px-2">
        <thead className="text-left text-xs uppercase text-slate-400">
          <tr>
            <th>Name</th>
            <th>Source</th>
            <th>Block</th>
            <th>Taken</th>
            <th className="text-right">Holders</th>
            <th className="text-right">Total power</th>
          </tr>
        </thead>
        <tbody>
          {(snapshots.data ?? []).map((s) => (
            <tr key={s.id} className="border-t border-slate-800">
              <td>{s.name}</td>
              <td>{s.source}</td>
              <td className="num">{s.blockNumber?.toString() ?? "—"}</td>
              <td>{formatTime(s.takenAt)}</td>
              <td className="num text-right">{s.entries}</td>
              <td className="num text-right">{formatPower(s.totalPower)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {me.data?.roles.includes("admin") ? (
        <div className="space-y-2 rounded border border-slate-800 p-3 text-sm">
          <div className="text-xs uppercase text-slate-400">Import a snapshot (admin)</div>
          <div className="flex flex-wrap gap-2">
            <input value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} placeholder="name" className="rounded border border-slate-700 bg-slate-900 px-2 py-1" />
            <select value={form.format} onChange={(e) => setForm({ ...form, format: e.target.value as "csv" | "json" })} className="rounded border border-slate-700 bg-slate-900 px-2 py-1">
              <option value="csv">CSV (address,power)</option>
              <option value="json">JSON</option>
            </select>
            <input value={form.blockNumber} onChange={(e) => setForm({ ...form, blockNumber: e.target.value })} placeholder="block number (optional)" className="rounded border border-slate-700 bg-slate-900 px-2 py-1" />
            <input
              type="file"
              accept=".csv,.json,text/csv,application/json"
              onChange={async (e) => {
                const file = e.target.files?.[0];
                if (file) setForm({ ...form, text: await file.text(), format: file.name.endsWith(".json") ? "json" : "csv", name: form.name || file.name });
              }}
              className="text-xs"
            />
          </div>
          <textarea value={form.text} onChange={(e) => setForm({ ...form, text: e.target.value })} rows={4} placeholder="or paste the file" className="w-full rounded border border-slate-700 bg-slate-900 px-2 py-1 font-mono text-xs" />
          <button
            onClick={async () => {
              setMessage(null);
              try {
                const result = await importSnapshot.mutateAsync({ name: form.name || "import", format: form.format, text: form.text, ...(/^\d+$/.test(form.blockNumber) ? { blockNumber: BigInt(form.blockNumber) } : {}) });
                setMessage(`Imported ${result.entries} holders, total ${formatPower(result.totalPower)}, hash ${result.hash}`);
              } catch (cause) {
                const issues = (cause as { data?: { issues?: { path: string; reason: string }[] | null } }).data?.issues;
                setMessage(issues?.length ? issues.slice(0, 20).map((i) => `${i.path}: ${i.reason}`).join("\n") : cause instanceof Error ? cause.message : String(cause));
              }
            }}
            disabled={!form.text}
            className="rounded bg-emerald-600 px-3 py-1 text-white disabled:opacity-50"
          >
            Import
          </button>
          {message ? <pre className="whitespace-pre-wrap text-xs text-amber-200">{message}</pre> : null}
        </div>
      ) : null}
    </div>
  );
}
