"use client";
// Endpoints: "from config file" badges, state (enabled, failing since, paused by Retry-After),
// create with the secret shown ONCE, enable/disable, delete, and test-send.
import { useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "../trpc";
import { formatTime } from "../alerts/alert-format";

const FORMATS = ["standard", "slack", "pagerduty", "alertmanager"] as const;

export function EndpointsPanel({ isAdmin, isOncall }: { isAdmin: boolean; isOncall: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const endpoints = useQuery(trpc.webhooks.endpoints.queryOptions());
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.webhooks.pathKey() });
  const [form, setForm] = useState({ id: "", format: "standard" as (typeof FORMATS)[number], url: "", secret: "" });
  const [revealed, setRevealed] = useState<{ id: string; secret: string } | null>(null);
  const create = useMutation(
    trpc.webhooks.createEndpoint.mutationOptions({
      onSuccess: (result) => {
        setRevealed({ id: result.endpoint.id, secret: result.secret });
        setForm({ id: "", format: "standard", url: "", secret: "" });
        void refresh();
      },
    }),
  );
  const setEnabled = useMutation(trpc.webhooks.setEndpointEnabled.mutationOptions({ onSuccess: () => void refresh() }));
  const remove = useMutation(trpc.webhooks.deleteEndpoint.mutationOptions({ onSuccess: () => void refresh() }));
  const testSend = useMutation(trpc.webhooks.testSend.mutationOptions({ onSuccess: () => void refresh() }));
  const error = create.error ?? setEnabled.error ?? remove.error ?? testSend.error;

  return (
    <section className="space-y-2">
      <h2 className="text-lg font-semibold">Endpoints</h2>
      {error ? <p className="text-sm text-red-400">{error.message}</p> : null}
      {revealed ? (
        <div className="rounded border border-amber-600 bg-amber-950 p-3 text-sm" data-testid="secret-reveal">
          <p className="text-amber-200">Signing secret of <b>{revealed.id}</b>. Copy it now: it is stored encrypted and will not be shown again.</p>
          <code className="mt-1 block break-all font-mono text-amber-100">{revealed.secret}</code>
          <button onClick={() => setRevealed(null)} className="mt-2 text-xs text-amber-300 hover:underline">I have stored it</button>
        </div>
      ) : null}
      {endpoints.isLoading ? <p className="text-slate-400">Loading…</p> : null}
      {endpoints.error ? <p className="text-sm text-slate-400">{endpoints.error.message}</p> : null}
      {endpoints.data ? (
        <div className="overflow-x-auto rounded-lg border border-slate-800">
          <table className="w-full text-sm" data-testid="endpoints-table">
            <thead className="bg-slate-900 text-left text-xs uppercase text-slate-400">
              <tr>
                <th className="px-3 py-2">Endpoint</th>
                <th className="px-3 py-2">Format</th>
                <th className="px-3 py-2">URL</th>
                <th className="px-3 py-2">State</th>
                <th className="px-3 py-2">Secret</th>
                <th className="px-3 py-2">Deliveries</th>
                <th className="px-3 py-2" />
              </tr>
            </thead>
            <tbody>
              {endpoints.data.map((e) => (
                <tr key={e.id} className="border-t border-slate-800" data-testid={`endpoint-${e.id}`}>
                  <td className="px-3 py-2 font-medium">
                    {e.id}
                    {e.managedByFile ? <span className="ml-2 rounded bg-sky-900 px-1.5 py-0.5 text-xs text-sky-200" data-testid="from-config">from config file</span> : null}
                  </td>
                  <td className="px-3 py-2">{e.format}</td>
                  <td className="max-w-xs truncate px-3 py-2 font-mono text-xs" title={e.url}>{e.url}</td>
                  <td className="px-3 py-2 text-xs">
                    {e.enabled ? <span className="text-emerald-300">enabled</span> : <span className="text-red-300">disabled: {e.disabledReason ?? "—"}</span>}
                    {e.failingSince ? <div className="text-amber-300">failing since {formatTime(e.failingSince)}</div> : null}
                    {e.pausedUntil && new Date(e.pausedUntil).getTime() > Date.now() ? <div className="text-amber-300">paused until {formatTime(e.pausedUntil)} (Retry-After)</div> : null}
                  </td>
                  <td className="px-3 py-2 font-mono text-xs">{e.secretHint ?? "none"}</td>
                  <td className="px-3 py-2 text-xs">
                    {Object.entries(e.deliveries).map(([status, n]) => (
                      <span key={status} className="mr-2">{status} {n}</span>
                    ))}
                  </td>
                  <td className="space-x-2 whitespace-nowrap px-3 py-2 text-right text-xs">
                    {isOncall ? <button onClick={() => testSend.mutate({ endpointId: e.id })} className="text-emerald-300 hover:underline" data-testid={`test-send-${e.id}`}>Test send</button> : null}
                    {isAdmin ? (
                      <button onClick={() => setEnabled.mutate({ id: e.id, enabled: !e.enabled })} className="text-amber-300 hover:underline">
                        {e.enabled ? "Disable" : "Enable"}
                      </button>
                    ) : null}
                    {isAdmin && !e.managedByFile ? (
                      <button onClick={() => confirm(`Delete endpoint ${e.id} and its delivery log?`) && remove.mutate({ id: e.id })} className="text-red-300 hover:underline">Delete</button>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {testSend.data ? <p className="text-xs text-slate-400">Test message {testSend.data.messageId} queued: see the delivery log below.</p> : null}
      {isAdmin ? (
        <form
          className="flex flex-wrap items-end gap-2 text-sm"
          onSubmit={(event) => {
            event.preventDefault();
            create.mutate({ id: form.id, format: form.format, url: form.url, ...(form.secret ? { secret: form.secret } : {}) });
          }}
        >
          <input required value={form.id} onChange={(e) => setForm({ ...form, id: e.target.value })} placeholder="id (oncall-generic)" className="rounded border border-slate-700 bg-slate-900 px-2 py-1" data-testid="endpoint-id" />
          <select value={form.format} onChange={(e) => setForm({ ...form, format: e.target.value as (typeof FORMATS)[number] })} className="rounded border border-slate-700 bg-slate-900 px-2 py-1">
            {FORMATS.map((f) => <option key={f}>{f}</option>)}
          </select>
          <input required value={form.url} onChange={(e) => setForm({ ...form, url: e.target.value })} placeholder="https://hooks.example.com/riskwarden" className="w-80 rounded border border-slate-700 bg-slate-900 px-2 py-1" data-testid="endpoint-url" />
          {form.format === "pagerduty" ? (
            <input required value={form.secret} onChange={(e) => setForm({ ...form, secret: e.target.value })} placeholder="PagerDuty integration key" className="rounded border border-slate-700 bg-slate-900 px-2 py-1" />
          ) : null}
          <button disabled={create.isPending} className="rounded bg-emerald-600 px-3 py-1 text-white hover:bg-emerald-500 disabled:opacity-50" data-testid="endpoint-create">
            Add endpoint
          </button>
          <span className="text-xs text-slate-500">A whsec_ signing secret is generated and shown once.</span>
        </form>
      ) : null}
    </section>
  );
}
