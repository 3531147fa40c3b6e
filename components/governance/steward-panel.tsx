"use client";
// The fast lane: steward bounds and debounce clocks per market·parameter, an update form (committee),
// the pause switch, volatility-driven recommendations with their preview, and the update history.
import { useState } from "react";
import { useRouter } from "next/navigation";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "@/components/trpc";
import { shortAddress } from "@/components/format";
import { TierChip } from "./chips";
import { formatDuration, formatTime, formatValue } from "./format";
import { ImpactSummary } from "./impact";

export function StewardPanel() {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const me = useQuery(trpc.system.whoami.queryOptions());
  const isCommittee = Boolean(me.data?.roles.includes("committee"));
  const bounds = useQuery(trpc.steward.bounds.queryOptions());
  const history = useQuery(trpc.steward.history.queryOptions({ limit: 50 }));
  const recommendations = useQuery({ ...trpc.steward.recommendations.queryOptions({}), enabled: isCommittee });
  const active = useQuery(trpc.params.active.queryOptions());
  const refresh = () => queryClient.invalidateQueries();
  const update = useMutation(trpc.steward.update.mutationOptions({ onSuccess: refresh }));
  const setPaused = useMutation(trpc.steward.setPaused.mutationOptions({ onSuccess: refresh }));
  const createProposal = useMutation(trpc.proposal.create.mutationOptions());
  const [form, setForm] = useState({ market: "", path: "maintenanceMarginFraction", value: "", note: "" });
  const [message, setMessage] = useState<string | null>(null);

  const markets = Object.keys(active.data?.set.markets ?? {});
  const market = form.market || markets[0] || "";
  const run = async (fn: () => Promise<unknown>, ok: string) => {
    setMessage(null);
    try {
      await fn();
      setMessage(ok);
    } catch (cause) {
      const issues = (cause as { data?: { issues?: { path: string; reason: string }[] | null } }).data?.issues;
      setMessage(issues?.length ? issues.map((i) => `${i.path}: ${i.reason}`).join("\n") : cause instanceof Error ? cause.message : String(cause));
    }
  };
  const b = bounds.data;
  return (
    <div className="space-y-6">
      <section className="space-y-2">
        <div className="flex items-center gap-3">
          <h2 className="text-sm uppercase text-slate-400">Bounds</h2>
          {b ? (
            <span className={`rounded px-2 py-0.5 text-xs ${b.paused ? "bg-rose-900 text-rose-100" : "bg-emerald-900 text-emerald-100"}`} data-testid="steward-status">
              {b.paused ? "paused" : "active"}
            </span>
          ) : null}
          {isCommittee && b ? (
            <button onClick={() => run(() => setPaused.mutateAsync({ paused: !b.paused }), b.paused ? "Steward resumed" : "Steward paused")} className="rounded bg-slate-700 px-2 py-0.5 text-xs hover:bg-slate-600" data-testid="steward-toggle-pause">
              {b.paused ? "Resume" : "Pause"}
            </button>
          ) : null}
          {b?.restrictedMarkets.length ? <span className="text-xs text-slate-400">restricted: {b.restrictedMarkets.join(", ")}</span> : null}
        </div>
        <table className="w-full text-xs [&_td]:px-2 [&_th]:px-2" data-testid="steward-bounds">
          <thead className="text-left text-slate-500">
            <tr>
              <th>Parameter</th>
              <th>Max change per update</th>
              <th>Min delay</th>
              <th>Next allowed (per market)</th>
            </tr>
          </thead>
          <tbody>
            {Object.entries(b?.bounds ?? {}).map(([path, bound]) => (
              <tr key={path} className="border-t border-slate-800">
                <td className="font-mono">{path}</td>
                <td>{bound.maxChangeRelative !== undefined ? `±${bound.maxChangeRelative * 100} % of the current value` : `±${bound.maxChangeAbsolute} absolute`}</td>
                <td>{formatDuration(bound.minDelayMs)}</td>
                <td className="text-slate-400">
                  {(b?.parameters ?? [])
                    .filter((p) => p.path === path && p.nextAllowedAtMs !== null && p.nextAllowedAtMs > (b?.nowMs ?? 0))
                    .map((p) => `${p.market} ${formatTime(p.nextAllowedAtMs)}`)
                    .join(", ") || "now"}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>

      {isCommittee ? (
        <section className="space-y-2">
          <h2 className="text-sm uppercase text-slate-400">Steward update (no token vote)</h2>
          <div className="flex flex-wrap items-center gap-2 text-sm">
            <select value={market} onChange={(e) => setForm({ ...form, market: e.target.value })} className="rounded border border-slate-700 bg-slate-900 px-2 py-1" data-testid="steward-market">
              {markets.map((m) => (
                <option key={m}>{m}</option>
              ))}
            </select>
            <select value={form.path} onChange={(e) => setForm({ ...form, path: e.target.value })} className="rounded border border-slate-700 bg-slate-900 px-2 py-1" data-testid="steward-path">
              {Object.keys(b?.bounds ?? {}).map((path) => (
                <option key={path}>{path}</option>
              ))}
            </select>
            <input value={form.value} onChange={(e) => setForm({ ...form, value: e.target.value })} placeholder="new value" className="w-32 rounded border border-slate-700 bg-slate-900 px-2 py-1 font-mono" data-testid="steward-value" />
            <input value={form.note} onChange={(e) => setForm({ ...form, note: e.target.value })} placeholder="note (audited)" className="w-64 rounded border border-slate-700 bg-slate-900 px-2 py-1" />
            <button
              onClick={() => run(() => update.mutateAsync({ changes: [{ market, path: form.path, to: Number(form.value) }], note: form.note || undefined }), "Applied: the new version is active")}
              className="rounded bg-emerald-600 px-3 py-1 text-white hover:bg-emerald-500"
              data-testid="steward-apply"
            >
              Apply
            </button>
          </div>
          {message ? <pre className="whitespace-pre-wrap text-xs text-amber-200" data-testid="steward-message">{message}</pre> : null}
        </section>
      ) : null}

      {isCommittee ? (
        <section className="space-y-2">
          <h2 className="text-sm uppercase text-slate-400">Volatility recommendations</h2>
          {recommendations.data?.recommendations.length === 0 ? <p className="text-xs text-slate-500">Every market's maintenance fraction covers its live volatility floor.</p> : null}
          {recommendations.data?.recommendations.map((r) => (
            <div key={r.market} className="space-y-2 rounded border border-slate-800 p-2 text-xs" data-testid={`recommendation-${r.market}`}>
              <div className="flex flex-wrap items-center gap-2">
                <span className="font-semibold">{r.market}</span>
                <span>
                  σ {(r.liveAnnualVolatility * 100).toFixed(1)} % → floor {(r.floorFraction * 100).toFixed(2)} % &gt; maintenance {(r.maintenanceFraction * 100).toFixed(2)} %
                </span>
                <TierChip tier={r.tier} />
                <span className="text-slate-400">{r.reason}</span>
              </div>
              <ul>
                {r.changes.map((c) => (
                  <li key={c.path}>
                    <span className="font-mono">{c.path}</span>: {formatValue(c.from)} → {formatValue(c.to)}
                  </li>
                ))}
              </ul>
              {r.preview ? <ImpactSummary preview={r.preview} /> : null}
              <div className="flex gap-2">
                {r.stewardEligible ? (
                  <button onClick={() => run(() => update.mutateAsync({ changes: r.changes.map((c) => ({ market: c.market, path: c.path, to: c.to })), note: `volatility: ${r.reason}` }), "Applied")} className="rounded bg-emerald-700 px-2 py-0.5 text-white">
                    Apply as steward update
                  </button>
                ) : null}
                <button
                  onClick={() =>
                    run(async () => {
                      const created = await createProposal.mutateAsync({ title: `${r.market}: raise maintenance to the volatility floor`, rationaleMarkdown: r.reason, changes: r.changes.map((c) => ({ market: c.market, path: c.path, to: c.to })) });
                      router.push(`/proposals/${created.id}`);
                    }, "Draft created")
                  }
                  className="rounded bg-slate-700 px-2 py-0.5"
                >
                  Draft as proposal
                </button>
              </div>
            </div>
          ))}
        </section>
      ) : null}

      <section className="space-y-2">
        <h2 className="text-sm uppercase text-slate-400">History</h2>
        <table className="w-full text-xs [&_td]:px-2 [&_th]:px-2" data-testid="steward-history">
          <thead className="text-left text-slate-500">
            <tr>
              <th>When</th>
              <th>Market</th>
              <th>Parameter</th>
              <th>From → to</th>
              <th>By</th>
            </tr>
          </thead>
          <tbody>
            {(history.data ?? []).map((row) => (
              <tr key={row.id} className="border-t border-slate-800">
                <td>{formatTime(row.at)}</td>
                <td>{row.marketId}</td>
                <td className="font-mono">{row.parameter}</td>
                <td>
                  {formatValue(row.fromValue)} → {formatValue(row.toValue)}
                </td>
                <td className="font-mono">{shortAddress(row.actor)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </div>
  );
}
