"use client";
// Proposal editor: title, rationale (markdown), parameter changes per market, and the impact
// preview recomputed on every change (debounced 250 ms) with the tier it implies and every
// invariant problem named by field.
import { useEffect, useMemo, useState } from "react";
import { useRouter } from "next/navigation";
import { keepPreviousData, useMutation, useQuery } from "@tanstack/react-query";
import { CHANGEABLE_PATHS } from "@/lib/governance/params";
import { useTRPC } from "@/components/trpc";
import { TierChip } from "./chips";
import { formatValue } from "./format";
import { ImpactCharts, ImpactSummary } from "./impact";

const EDITABLE_PATHS = CHANGEABLE_PATHS.filter((path) => !["volatilityMargin", "openInterestScaling", "cascade", "fundingClamp"].includes(path));

type Row = { market: string; path: string; value: string };
export type EditorInitial = { proposalId: string; title: string; rationaleMarkdown: string; changes: { market: string; path: string; to?: unknown }[] };

function parseValue(path: string, text: string): unknown {
  const trimmed = text.trim();
  if (trimmed === "") return undefined;
  if (path === "volatilityMargin.source") return trimmed;
  if (path === "maintenanceTiers") {
    try {
      return JSON.parse(trimmed);
    } catch {
      return trimmed;
    }
  }
  const number = Number(trimmed);
  return Number.isFinite(number) ? number : trimmed;
}

function useDebounced<T>(value: T, delayMs: number): T {
  const [debounced, setDebounced] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setDebounced(value), delayMs);
    return () => clearTimeout(timer);
  }, [value, delayMs]);
  return debounced;
}

function readPath(params: unknown, path: string): unknown {
  let value = params;
  for (const segment of path.split(".")) value = value && typeof value === "object" ? (value as Record<string, unknown>)[segment] : undefined;
  return value;
}

export function ProposalEditor({ initial }: { initial?: EditorInitial }) {
  const trpc = useTRPC();
  const router = useRouter();
  const active = useQuery(trpc.params.active.queryOptions());
  const markets = Object.keys(active.data?.set.markets ?? {});
  const [title, setTitle] = useState(initial?.title ?? "");
  const [rationale, setRationale] = useState(initial?.rationaleMarkdown ?? "");
  const [rows, setRows] = useState<Row[]>(
    initial?.changes.map((change) => ({ market: change.market, path: change.path, value: change.to === undefined ? "" : typeof change.to === "object" ? JSON.stringify(change.to) : String(change.to) })) ?? [
      { market: "", path: "maintenanceMarginFraction", value: "" },
    ],
  );
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (!initial && markets.length > 0) setRows((current) => current.map((row) => (row.market ? row : { ...row, market: markets[0] })));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [markets.join(",")]);

  const changes = useMemo(() => rows.filter((row) => row.market && row.path && row.value.trim() !== "").map((row) => ({ market: row.market, path: row.path, to: parseValue(row.path, row.value) })), [rows]);
  const debouncedChanges = useDebounced(changes, 250);
  const preview = useQuery({ ...trpc.proposal.preview.queryOptions({ changes: debouncedChanges }), enabled: debouncedChanges.length > 0, placeholderData: keepPreviousData });

  const create = useMutation(trpc.proposal.create.mutationOptions());
  const update = useMutation(trpc.proposal.update.mutationOptions());
  const submit = useMutation(trpc.proposal.submit.mutationOptions());
  const busy = create.isPending || update.isPending || submit.isPending;

  async function save(andSubmit: boolean) {
    setError(null);
    try {
      const saved = initial
        ? await update.mutateAsync({ proposalId: initial.proposalId, title, rationaleMarkdown: rationale, changes })
        : await create.mutateAsync({ title, rationaleMarkdown: rationale, changes });
      if (andSubmit) await submit.mutateAsync({ proposalId: saved.id });
      router.push(`/proposals/${saved.id}`);
    } catch (cause) {
      const issues = (cause as { data?: { issues?: { path: string; reason: string }[] | null } }).data?.issues;
      setError(issues?.length ? issues.map((issue) => `${issue.path}: ${issue.reason}`).join("\n") : cause instanceof Error ? cause.message : String(cause));
    }
  }

  const setRow = (index: number, patch: Partial<Row>) => setRows((current) => current.map((row, i) => (i === index ? { ...row, ...patch } : row)));
  const stale = preview.isFetching || JSON.stringify(debouncedChanges) !== JSON.stringify(changes);
  const result = debouncedChanges.length > 0 ? preview.data : undefined;

  return (
    <div className="grid gap-6 lg:grid-cols-[minmax(0,2fr)_minmax(0,3fr)]">
      <div className="space-y-3">
        <label className="block text-sm">
          <span className="text-slate-400">Title</span>
          <input value={title} onChange={(e) => setTitle(e.target.value)} className="mt-1 w-full rounded border border-slate-700 bg-slate-900 px-2 py-1" data-testid="editor-title" />
        </label>
        <label className="block text-sm">
          <span className="text-slate-400">Rationale (markdown)</span>
          <textarea value={rationale} onChange={(e) => setRationale(e.target.value)} rows={5} className="mt-1 w-full rounded border border-slate-700 bg-slate-900 px-2 py-1 font-mono text-xs" data-testid="editor-rationale" />
        </label>
        <div className="space-y-2">
          <div className="text-sm text-slate-400">Changes</div>
          {rows.map((row, index) => {
            const current = readPath(active.data?.set.markets[row.market], row.path);
            return (
              <div key={index} className="flex flex-wrap items-center gap-2 text-sm" data-testid={`change-row-${index}`}>
                <select value={row.market} onChange={(e) => setRow(index, { market: e.target.value })} className="rounded border border-slate-700 bg-slate-900 px-2 py-1" data-testid={`change-market-${index}`}>
                  {markets.map((market) => (
                    <option key={market} value={market}>
                      {market}
                    </option>
                  ))}
                </select>
                <select value={row.path} onChange={(e) => setRow(index, { path: e.target.value })} className="rounded border border-slate-700 bg-slate-900 px-2 py-1" data-testid={`change-path-${index}`}>
                  {EDITABLE_PATHS.map((path) => (
                    <option key={path} value={path}>
                      {path}
                    </option>
                  ))}
                </select>
                <input
                  value={row.value}
                  onChange={(e) => setRow(index, { value: e.target.value })}
                  placeholder={current === undefined ? "value" : String(typeof current === "object" ? JSON.stringify(current) : current)}
                  className="w-40 rounded border border-slate-700 bg-slate-900 px-2 py-1 font-mono"
                  data-testid={`change-value-${index}`}
                />
                <span className="text-xs text-slate-500">now {formatValue(current)}</span>
                <button onClick={() => setRows((all) => all.filter((_, i) => i !== index))} className="text-xs text-slate-500 hover:text-rose-300">
                  remove
                </button>
              </div>
            );
          })}
          <button onClick={() => setRows((all) => [...all, { market: markets[0] ?? "", path: "maintenanceMarginFraction", value: "" }])} className="text-xs text-emerald-300 hover:underline" data-testid="add-change">
            + add a change
          </button>
        </div>
        <div className="flex gap-2">
          <button disabled={busy || changes.length === 0} onClick={() => save(false)} className="rounded bg-slate-700 px-3 py-1 text-sm hover:bg-slate-600 disabled:opacity-50" data-testid="save-draft">
            Save draft
          </button>
          <button disabled={busy || changes.length === 0} onClick={() => save(true)} className="rounded bg-emerald-600 px-3 py-1 text-sm text-white hover:bg-emerald-500 disabled:opacity-50" data-testid="save-submit">
            Save and submit for review
          </button>
        </div>
        {error ? <pre className="whitespace-pre-wrap rounded border border-rose-800 bg-rose-950/50 p-2 text-xs text-rose-200" data-testid="editor-error">{error}</pre> : null}
      </div>
      <div className={`space-y-3 transition-opacity ${stale ? "opacity-70" : ""}`} data-testid="live-preview">
        <div className="flex items-center gap-2 text-sm">
          <span className="text-slate-400">Impact on open positions</span>
          {result ? <TierChip tier={result.tier} /> : null}
          {stale ? <span className="text-xs text-slate-500">recomputing…</span> : null}
        </div>
        {!result ? (
          <p className="text-sm text-slate-500">Enter a change to see its effect.</p>
        ) : (
          <>
            {result.issues.length > 0 ? (
              <ul className="space-y-1 rounded border border-amber-800 bg-amber-950/40 p-2 text-xs text-amber-200" data-testid="preview-issues">
                {result.issues.map((issue, i) => (
                  <li key={i}>
                    <span className="font-mono">{issue.path}</span>: {issue.reason}
                  </li>
                ))}
              </ul>
            ) : null}
            <ul className="text-xs text-slate-400">
              {result.classification.map((change, i) => (
                <li key={i}>
                  {change.market} {change.path}: <TierChip tier={change.tier} /> {change.reason}
                </li>
              ))}
            </ul>
            {result.preview ? (
              <>
                <ImpactSummary preview={result.preview} />
                <ImpactCharts preview={result.preview} />
              </>
            ) : result.issues.length === 0 ? (
              <p className="text-sm text-slate-500">No positions snapshot is active: nothing to preview against.</p>
            ) : null}
          </>
        )}
      </div>
    </div>
  );
}
