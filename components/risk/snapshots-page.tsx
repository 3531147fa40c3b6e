"use client";
// Positions snapshots: the list (which one is active, which one the risk engine has loaded),
// activation, and the upload of a snapshot file (BOOK.json, positions CSV, dYdX v4 indexer
// responses, Hyperliquid clearinghouseState). Importing and activating need the tier of
// risk.importSnapshot / risk.activateSnapshot (admin). The file goes as the raw body of
// POST /api/snapshots/import (server/trpc/snapshot-upload.ts), so the browser streams it and
// reports upload progress; no 100 MB JSON string is built on either side.
import { useRef, useState } from "react";
import Link from "next/link";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "@/components/trpc";
import { formatUsd } from "@/components/format";
import { formatTime } from "@/components/governance/format";
import type { ImportSnapshotResult } from "@/server/services/positions/import-snapshot";

const FORMATS = [
  { value: "auto", label: "Auto-detect" },
  { value: "csv", label: "Positions CSV" },
  { value: "book", label: "BOOK.json" },
  { value: "dydx", label: "dYdX v4 indexer responses" },
  { value: "hyperliquid", label: "Hyperliquid clearinghouseState" },
] as const;

type Issue = { path: string; reason: string };
type UploadState =
  | { phase: "idle" }
  | { phase: "uploading"; loaded: number; total: number }
  | { phase: "importing"; total: number; startedAt: number }
  | { phase: "done"; file: string; result: ImportSnapshotResult & { detectedFormat?: string } }
  | { phase: "failed"; file: string; status: number; message: string; issues: Issue[] | null };

function megabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(bytes < 1e7 ? 2 : 1)} MB`;
}

function duration(ms: number): string {
  return ms < 1000 ? `${Math.max(1, Math.round(ms))} ms` : `${(ms / 1000).toFixed(2)} s`;
}

/** POSTs the file with upload progress (fetch reports none); resolves with the status and JSON body. */
function upload(url: string, file: File, onProgress: (loaded: number, total: number) => void, onUploaded: () => void): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open("POST", url);
    request.setRequestHeader("content-type", "application/octet-stream");
    request.upload.onprogress = (event) => onProgress(event.loaded, event.lengthComputable ? event.total : file.size);
    request.upload.onload = onUploaded;
    request.onload = () => {
      let body: unknown = null;
      try {
        body = JSON.parse(request.responseText);
      } catch {
        body = { error: `the server answered ${request.status} without JSON` };
      }
      resolve({ status: request.status, body });
    };
    request.onerror = () => reject(new Error("the upload failed (network error)"));
    request.send(file);
  });
}

function UploadForm({ onImported }: { onImported: () => void }) {
  const [file, setFile] = useState<File | null>(null);
  const [format, setFormat] = useState<(typeof FORMATS)[number]["value"]>("auto");
  const [label, setLabel] = useState("");
  const [activate, setActivate] = useState(true);
  const [state, setState] = useState<UploadState>({ phase: "idle" });
  const fileInput = useRef<HTMLInputElement>(null);
  const busy = state.phase === "uploading" || state.phase === "importing";

  async function submit() {
    if (!file) return;
    const query = new URLSearchParams({ format, activate: activate ? "1" : "0" });
    const chosenLabel = label.trim() || file.name;
    query.set("label", chosenLabel);
    setState({ phase: "uploading", loaded: 0, total: file.size });
    try {
      const response = await upload(
        `/api/snapshots/import?${query}`,
        file,
        (loaded, total) => setState({ phase: "uploading", loaded, total }),
        () => setState({ phase: "importing", total: file.size, startedAt: Date.now() }),
      );
      if (response.status === 200) {
        setState({ phase: "done", file: file.name, result: response.body as ImportSnapshotResult });
        onImported();
      } else {
        const body = response.body as { error?: string; issues?: Issue[] | null };
        setState({ phase: "failed", file: file.name, status: response.status, message: body.error ?? `HTTP ${response.status}`, issues: body.issues ?? null });
      }
    } catch (error) {
      setState({ phase: "failed", file: file.name, status: 0, message: error instanceof Error ? error.message : String(error), issues: null });
    }
  }

  return (
    <section className="space-y-3 rounded-lg border border-slate-800 bg-slate-900/40 p-3" data-testid="snapshot-upload">
      <h2 className="text-sm font-semibold text-slate-200">Import a positions snapshot</h2>
      <form
        className="flex flex-wrap items-end gap-3 text-sm"
        onSubmit={(event) => {
          event.preventDefault();
          void submit();
        }}
      >
        <label className="flex flex-col text-xs text-slate-400">
          File
          <input
            ref={fileInput}
            type="file"
            accept=".csv,.json,text/csv,application/json"
            onChange={(event) => {
              setFile(event.target.files?.[0] ?? null);
              setState({ phase: "idle" });
            }}
            className="mt-1 text-sm text-slate-200 file:mr-2 file:rounded file:border-0 file:bg-slate-700 file:px-2 file:py-1 file:text-slate-100"
            data-testid="snapshot-file"
          />
        </label>
        <label className="flex flex-col text-xs text-slate-400">
          Format
          <select value={format} onChange={(event) => setFormat(event.target.value as typeof format)} className="mt-1 rounded border border-slate-700 bg-slate-900 px-2 py-1 text-sm text-slate-100" data-testid="snapshot-format">
            {FORMATS.map((option) => (
              <option key={option.value} value={option.value}>
                {option.label}
              </option>
            ))}
          </select>
        </label>
        <label className="flex flex-col text-xs text-slate-400">
          Label
          <input value={label} onChange={(event) => setLabel(event.target.value)} placeholder={file?.name ?? "defaults to the file name"} maxLength={200} className="mt-1 w-56 rounded border border-slate-700 bg-slate-900 px-2 py-1 text-sm text-slate-100" data-testid="snapshot-label" />
        </label>
        <label className="flex items-center gap-2 pb-1 text-xs text-slate-300">
          <input type="checkbox" checked={activate} onChange={(event) => setActivate(event.target.checked)} data-testid="snapshot-activate" />
          Activate after import
        </label>
        <button type="submit" disabled={!file || busy} className="rounded bg-emerald-600 px-3 py-1 text-white hover:bg-emerald-500 disabled:opacity-50" data-testid="snapshot-import">
          {busy ? "Importing…" : "Import"}
        </button>
      </form>
      <p className="text-xs text-slate-500">
        CSV columns <code>account,mode,collateral,market,size,entryPrice,margin,mark</code>; JSON: BOOK.json, <code>{"{perpetualMarkets, subaccounts, perpetualPositions?}"}</code> from the dYdX v4 indexer, or <code>{"{users: [{user, clearinghouseState}], allMids?}"}</code> from Hyperliquid. Amounts are stored as the exact decimals of the file (up to 18 decimal places). Up to 200 MB here; <code>riskwarden import</code> for more.
      </p>
      <UploadStatus state={state} />
    </section>
  );
}

function UploadStatus({ state }: { state: UploadState }) {
  if (state.phase === "idle") return null;
  if (state.phase === "uploading") {
    const percent = state.total > 0 ? (100 * state.loaded) / state.total : 0;
    return (
      <div className="space-y-1" data-testid="snapshot-progress">
        <div className="h-2 overflow-hidden rounded bg-slate-800">
          <div className="h-full bg-emerald-500" style={{ width: `${percent}%` }} />
        </div>
        <p className="text-xs text-slate-400">
          Uploading {megabytes(state.loaded)} of {megabytes(state.total)} ({percent.toFixed(0)} %)
        </p>
      </div>
    );
  }
  if (state.phase === "importing") {
    return (
      <p className="text-xs text-slate-300" data-testid="snapshot-progress">
        Uploaded {megabytes(state.total)}; the server is checking every row and writing the snapshot (about 5 s per million positions)…
      </p>
    );
  }
  if (state.phase === "failed") {
    return (
      <div className="rounded border border-rose-800 bg-rose-950/40 p-2 text-sm" data-testid="import-error">
        <p className="font-medium text-rose-200">
          {state.file} was not imported{state.status ? ` (HTTP ${state.status})` : ""}; nothing was written.
        </p>
        {state.issues?.length ? (
          <ul className="mt-1 space-y-0.5">
            {state.issues.map((issue, index) => (
              <li key={index} className="text-rose-100" data-testid="import-error-issue">
                <code className="text-rose-300">{issue.path}</code>: {issue.reason}
              </li>
            ))}
          </ul>
        ) : (
          <p className="mt-1 text-rose-100">{state.message}</p>
        )}
      </div>
    );
  }
  const { result } = state;
  return (
    <div className="rounded border border-emerald-800 bg-emerald-950/30 p-2 text-sm" data-testid="import-result">
      <p className="text-emerald-100">
        Snapshot <span className="font-semibold">#{result.snapshotId}</span> imported from {state.file}
        {result.detectedFormat ? ` (detected: ${result.detectedFormat})` : ` (${result.format})`}:{" "}
        <span data-testid="import-result-positions">{result.positionCount.toLocaleString("en-US")} positions</span> in{" "}
        <span data-testid="import-result-accounts">{result.accountCount.toLocaleString("en-US")} accounts</span>, markets {result.markets.join(", ") || "—"}
        {result.active ? ", now active." : ", not active."}
      </p>
      <p className="text-xs text-slate-400">
        Checked in {duration(result.timings.parseMs)}, written in {duration(result.timings.writeMs)}.
      </p>
      {result.warnings.length ? (
        <ul className="mt-1 space-y-0.5 text-xs text-amber-200" data-testid="import-warnings">
          {result.warnings.map((warning) => (
            <li key={warning}>⚠ {warning}</li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

export function SnapshotsPanel() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const me = useQuery(trpc.system.whoami.queryOptions());
  const canImport = me.data?.roles.includes("admin") ?? false;
  const snapshots = useQuery(trpc.risk.snapshots.queryOptions({ limit: 100 }));
  const engine = useQuery({ ...trpc.risk.status.queryOptions(), refetchInterval: 5_000 });
  // The risk queries (margin, market pages) follow the active snapshot: refetch them, not everything.
  const refresh = () => queryClient.invalidateQueries(trpc.risk.pathFilter());
  const activate = useMutation(trpc.risk.activateSnapshot.mutationOptions({ onSuccess: refresh }));
  const loaded = engine.data?.snapshot;

  return (
    <div className="space-y-4">
      {canImport ? (
        <UploadForm onImported={refresh} />
      ) : (
        <p className="rounded border border-slate-800 p-3 text-sm text-slate-400" data-testid="snapshot-upload-denied">
          Importing and activating snapshots needs the admin role{me.data ? "" : " (sign in first)"}. The same import is available as <code>riskwarden import</code> and the <code>risk.importSnapshot</code> API.
        </p>
      )}
      <p className="text-xs text-slate-500" data-testid="engine-snapshot">
        {loaded
          ? `Risk engine: snapshot #${loaded.id} loaded, ${loaded.accounts.toLocaleString("en-US")} accounts, ${loaded.positions.toLocaleString("en-US")} positions${loaded.excludedPositions ? ` (${loaded.excludedPositions.toLocaleString("en-US")} in markets without parameters left out: ${loaded.excludedMarkets.join(", ")})` : ""}.`
          : engine.isLoading
            ? "Risk engine: loading…"
            : "Risk engine: no active snapshot loaded."}{" "}
        <Link href="/markets" className="text-emerald-300 hover:underline">
          Markets →
        </Link>
      </p>
      {activate.error ? <p className="text-sm text-rose-300">Activation failed: {activate.error.message}</p> : null}
      <div className="overflow-x-auto rounded-lg border border-slate-800">
        <table className="w-full text-sm" data-testid="snapshots-table">
          <thead className="bg-slate-900 text-left text-xs uppercase text-slate-400">
            <tr>
              <th className="px-3 py-2">#</th>
              <th className="px-3 py-2">Label</th>
              <th className="px-3 py-2">Format</th>
              <th className="px-3 py-2">Imported</th>
              <th className="px-3 py-2 text-right">Accounts</th>
              <th className="px-3 py-2 text-right">Positions</th>
              <th className="px-3 py-2">Markets</th>
              <th className="px-3 py-2 text-right">Insurance fund</th>
              <th className="px-3 py-2">Status</th>
            </tr>
          </thead>
          <tbody>
            {snapshots.isLoading ? (
              <tr>
                <td colSpan={9} className="px-3 py-2 text-slate-400">
                  Loading snapshots…
                </td>
              </tr>
            ) : (snapshots.data ?? []).length === 0 ? (
              <tr>
                <td colSpan={9} className="px-3 py-2 text-slate-400">
                  No snapshots yet.
                </td>
              </tr>
            ) : (
              (snapshots.data ?? []).map((snapshot) => (
                <tr key={snapshot.id} className={`border-t border-slate-800 ${snapshot.active ? "bg-emerald-950/20" : ""}`} data-testid={`snapshot-row-${snapshot.id}`} data-active={snapshot.active ? "true" : "false"}>
                  <td className="num px-3 py-2">{snapshot.id}</td>
                  <td className="px-3 py-2">{snapshot.label ?? "—"}</td>
                  <td className="px-3 py-2 text-slate-300">{snapshot.source}</td>
                  <td className="px-3 py-2 text-xs text-slate-400">{formatTime(snapshot.createdAt)}</td>
                  <td className="num px-3 py-2 text-right">{snapshot.accountCount.toLocaleString("en-US")}</td>
                  <td className="num px-3 py-2 text-right">{snapshot.positionCount.toLocaleString("en-US")}</td>
                  <td className="px-3 py-2 text-xs text-slate-300" title={snapshot.markets.join(", ")}>
                    {snapshot.markets.length <= 4 ? snapshot.markets.join(", ") : `${snapshot.markets.slice(0, 4).join(", ")} +${snapshot.markets.length - 4}`}
                  </td>
                  <td className="num px-3 py-2 text-right">{formatUsd(Number(snapshot.insuranceFund))}</td>
                  <td className="px-3 py-2">
                    {snapshot.active ? (
                      <span className="rounded bg-emerald-700/60 px-1.5 py-0.5 text-xs text-emerald-100" data-testid="snapshot-active">
                        active{loaded?.id === snapshot.id ? " · loaded" : ""}
                      </span>
                    ) : canImport ? (
                      <button
                        onClick={() => activate.mutate({ snapshotId: snapshot.id })}
                        disabled={activate.isPending}
                        className="rounded border border-slate-600 px-2 py-0.5 text-xs text-slate-200 hover:bg-slate-800 disabled:opacity-50"
                        data-testid={`snapshot-activate-${snapshot.id}`}
                      >
                        Activate
                      </button>
                    ) : (
                      <span className="text-xs text-slate-500">—</span>
                    )}
                  </td>
                </tr>
              ))
            )}
          </tbody>
        </table>
      </div>
    </div>
  );
}
