"use client";
// Routes (every matching route sends, in order) and silences. File routes and silences are
// read-only here (change them in the config file).
import { useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "../trpc";
import { formatTime } from "../alerts/alert-format";

/** "severity=critical,warning; market=BTC-USD" → { severity: ["critical","warning"], market: "BTC-USD" } */
function parseMatch(text: string): Record<string, string | string[]> {
  const match: Record<string, string | string[]> = {};
  for (const part of text.split(";").map((p) => p.trim()).filter(Boolean)) {
    const [name, values = ""] = part.split("=");
    const list = values.split(",").map((v) => v.trim()).filter(Boolean);
    match[name.trim()] = list.length === 1 ? list[0] : list;
  }
  return match;
}

function formatMatch(match: unknown): string {
  const entries = Object.entries((match ?? {}) as Record<string, string | string[]>);
  if (entries.length === 0) return "everything";
  return entries.map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(",") : v}`).join("; ");
}

/** UI silences carry the on-call's address (shortened); file silences a free-text createdBy. */
function shortAuthor(author: string): string {
  return /^0x[0-9a-fA-F]{40}$/.test(author) ? `${author.slice(0, 6)}…${author.slice(-4)}` : author;
}

export function RoutesPanel({ isOncall }: { isOncall: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const routes = useQuery(trpc.webhooks.routes.queryOptions());
  const silences = useQuery(trpc.alerts.silences.queryOptions({}));
  const refresh = () => Promise.all([queryClient.invalidateQueries({ queryKey: trpc.webhooks.routes.queryKey() }), queryClient.invalidateQueries({ queryKey: trpc.alerts.silences.queryKey() })]);
  const [route, setRoute] = useState({ match: "severity=critical", webhooks: "", groupWaitMs: 30000, groupIntervalMs: 300000, repeatIntervalMs: 14400000 });
  const [silence, setSilence] = useState({ matchers: 'market="BTC-USD"', hours: 2, comment: "" });
  const createRoute = useMutation(trpc.webhooks.createRoute.mutationOptions({ onSuccess: () => void refresh() }));
  const deleteRoute = useMutation(trpc.webhooks.deleteRoute.mutationOptions({ onSuccess: () => void refresh() }));
  const createSilence = useMutation(trpc.alerts.createSilence.mutationOptions({ onSuccess: () => void refresh() }));
  const expireSilence = useMutation(trpc.alerts.expireSilence.mutationOptions({ onSuccess: () => void refresh() }));
  const error = createRoute.error ?? deleteRoute.error ?? createSilence.error ?? expireSilence.error;

  return (
    <section className="grid gap-6 lg:grid-cols-2">
      <div className="space-y-2">
        <h2 className="text-lg font-semibold">Routes</h2>
        {error ? <p className="text-sm text-red-400">{error.message}</p> : null}
        {routes.error ? <p className="text-sm text-slate-400">{routes.error.message}</p> : null}
        <ol className="space-y-1 text-sm" data-testid="routes-list">
          {routes.data?.map((r) => (
            <li key={r.id} className="rounded border border-slate-800 px-3 py-2">
              <div className="flex items-center gap-2">
                <span className="font-mono text-xs text-slate-400">{r.id}</span>
                {r.managedByFile ? <span className="rounded bg-sky-900 px-1.5 py-0.5 text-xs text-sky-200">from config file</span> : null}
                {isOncall && !r.managedByFile ? <button onClick={() => deleteRoute.mutate({ id: r.id })} className="ml-auto text-xs text-red-300 hover:underline">Delete</button> : null}
              </div>
              <div>match <span className="font-mono">{formatMatch(r.match)}</span> → {(r.webhookIds as string[]).join(", ")}</div>
              <div className="text-xs text-slate-500">wait {r.groupWaitMs / 1000} s · interval {r.groupIntervalMs / 1000} s · repeat {r.repeatIntervalMs / 3_600_000} h{r.groupBy ? ` · group by ${(r.groupBy as string[]).join(",")}` : ""}</div>
            </li>
          ))}
        </ol>
        {isOncall ? (
          <form
            className="flex flex-wrap items-end gap-2 text-sm"
            onSubmit={(e) => {
              e.preventDefault();
              createRoute.mutate({ match: parseMatch(route.match), webhookIds: route.webhooks.split(",").map((w) => w.trim()).filter(Boolean), groupWaitMs: route.groupWaitMs, groupIntervalMs: route.groupIntervalMs, repeatIntervalMs: route.repeatIntervalMs });
            }}
          >
            <input value={route.match} onChange={(e) => setRoute({ ...route, match: e.target.value })} placeholder="severity=critical,warning; market=BTC-USD" className="w-64 rounded border border-slate-700 bg-slate-900 px-2 py-1" />
            <input required value={route.webhooks} onChange={(e) => setRoute({ ...route, webhooks: e.target.value })} placeholder="endpoint ids, comma-separated" className="w-48 rounded border border-slate-700 bg-slate-900 px-2 py-1" />
            <label className="text-xs text-slate-400">wait ms <input type="number" value={route.groupWaitMs} onChange={(e) => setRoute({ ...route, groupWaitMs: Number(e.target.value) })} className="w-20 rounded border border-slate-700 bg-slate-900 px-1 py-1" /></label>
            <button className="rounded bg-emerald-600 px-3 py-1 text-white hover:bg-emerald-500">Add route</button>
          </form>
        ) : null}
      </div>
      <div className="space-y-2">
        <h2 className="text-lg font-semibold">Silences</h2>
        {silences.data && silences.data.length === 0 ? <p className="text-sm text-slate-400">No active silences.</p> : null}
        <ul className="space-y-1 text-sm" data-testid="silences-list">
          {silences.data?.map((s) => (
            <li key={s.id} className="rounded border border-slate-800 px-3 py-2" data-testid={`silence-${s.id}`}>
              <div className="flex items-center gap-2">
                <span className="font-mono text-xs">{(s.matchers as { name: string; type: string; value: string }[]).map((m) => `${m.name}${m.type}"${m.value}"`).join(", ")}</span>
                {s.managedByFile ? <span className="rounded bg-sky-900 px-1.5 py-0.5 text-xs text-sky-200">from config file</span> : null}
                {isOncall && !s.managedByFile ? <button onClick={() => expireSilence.mutate({ id: s.id })} className="ml-auto text-xs text-amber-300 hover:underline">Expire now</button> : null}
              </div>
              <div className="text-xs text-slate-400">
                {s.managedByFile ? <span className="font-mono">{s.id} · </span> : null}
                {formatTime(s.startsAt)} → {formatTime(s.endsAt)} · {shortAuthor(s.author)} · {s.comment}
              </div>
            </li>
          ))}
        </ul>
        {isOncall ? (
          <form
            className="flex flex-wrap items-end gap-2 text-sm"
            onSubmit={(e) => {
              e.preventDefault();
              createSilence.mutate({ matchers: silence.matchers.split(",").map((m) => m.trim()).filter(Boolean), endsAt: new Date(Date.now() + silence.hours * 3_600_000), comment: silence.comment });
            }}
          >
            <input value={silence.matchers} onChange={(e) => setSilence({ ...silence, matchers: e.target.value })} placeholder='market="BTC-USD", check=~"dev.*"' className="w-56 rounded border border-slate-700 bg-slate-900 px-2 py-1" />
            <label className="text-xs text-slate-400">hours <input type="number" min={0.1} step={0.1} value={silence.hours} onChange={(e) => setSilence({ ...silence, hours: Number(e.target.value) })} className="w-16 rounded border border-slate-700 bg-slate-900 px-1 py-1" /></label>
            <input required value={silence.comment} onChange={(e) => setSilence({ ...silence, comment: e.target.value })} placeholder="why" className="w-40 rounded border border-slate-700 bg-slate-900 px-2 py-1" />
            <button className="rounded bg-emerald-600 px-3 py-1 text-white hover:bg-emerald-500">Silence</button>
          </form>
        ) : null}
      </div>
    </section>
  );
}
