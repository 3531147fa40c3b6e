"use client";
// The market's risk monitors: what each reads now against its warning/critical levels and the
// alert state after hysteresis, and the thresholds. On-call edits them here (saved and audited);
// a market whose thresholds come from the config file shows them read-only, badged.
import { useEffect, useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "@/components/trpc";
import { formatPercent, formatUsd } from "@/components/format";
import { severityClass } from "@/components/alerts/alert-format";
import type { RiskMonitorThresholds } from "@/lib/alerts/risk-monitors";

type Unit = "share" | "usd" | "ratio";

const MONITORS: Record<string, { title: (t: RiskMonitorThresholds, move: number | null) => string; unit: Unit; below?: boolean }> = {
  "near-liquidation-oi": { title: (t) => `Open interest within ${t.nearLiquidation.withinPct} % of liquidation`, unit: "share" },
  "liquidatable-accounts": { title: () => "Liquidatable notional at current marks", unit: "usd" },
  "predicted-liquidations": { title: (_t, move) => `Liquidated by a one-day 99 % move${move !== null ? ` (${formatPercent(move, 1)})` : ""}`, unit: "share" },
  "insurance-coverage": { title: () => "Insurance fund / stressed bad debt", unit: "ratio", below: true },
};

function formatValue(unit: Unit, value: number | null): string {
  if (value === null) return "—";
  return unit === "usd" ? formatUsd(value) : formatPercent(value, 1);
}

/** Editable fields by group. Percent fields are percent, as in the config file. */
const FIELDS: { group: string; section: keyof RiskMonitorThresholds | null; key: string; label: string; suffix: string }[] = [
  { group: "Hysteresis", section: null, key: "forMs", label: "hold before firing", suffix: "ms" },
  { group: "Hysteresis", section: null, key: "clearForMs", label: "clear before resolving", suffix: "ms" },
  { group: "Near liquidation", section: "nearLiquidation", key: "withinPct", label: "within", suffix: "%" },
  { group: "Near liquidation", section: "nearLiquidation", key: "warningOiSharePct", label: "warning at OI share", suffix: "%" },
  { group: "Near liquidation", section: "nearLiquidation", key: "criticalOiSharePct", label: "critical at OI share", suffix: "%" },
  { group: "Liquidatable now", section: "liquidatable", key: "warningNotionalUsd", label: "warning from", suffix: "USD" },
  { group: "Liquidatable now", section: "liquidatable", key: "criticalNotionalUsd", label: "critical from", suffix: "USD" },
  { group: "Predicted liquidations", section: "predictedLiquidations", key: "z", label: "move quantile z", suffix: "σ" },
  { group: "Predicted liquidations", section: "predictedLiquidations", key: "warningOiSharePct", label: "warning at OI share", suffix: "%" },
  { group: "Predicted liquidations", section: "predictedLiquidations", key: "criticalOiSharePct", label: "critical at OI share", suffix: "%" },
  { group: "Insurance coverage", section: "insuranceCoverage", key: "z", label: "stress move quantile z", suffix: "σ" },
  { group: "Insurance coverage", section: "insuranceCoverage", key: "warningBelowPct", label: "warning below", suffix: "%" },
  { group: "Insurance coverage", section: "insuranceCoverage", key: "criticalBelowPct", label: "critical below", suffix: "%" },
];
const GROUPS = [...new Set(FIELDS.map((field) => field.group))];

function fieldId(field: (typeof FIELDS)[number]): string {
  return field.section ? `${field.section}.${field.key}` : field.key;
}

function readField(t: RiskMonitorThresholds, field: (typeof FIELDS)[number]): number {
  const holder = (field.section ? t[field.section] : t) as unknown as Record<string, number>;
  return holder[field.key];
}

function formValues(t: RiskMonitorThresholds): Record<string, string> {
  return Object.fromEntries(FIELDS.map((field) => [fieldId(field), String(readField(t, field))]));
}

function toThresholds(values: Record<string, string>): Record<string, unknown> {
  const out: Record<string, Record<string, unknown> | unknown> = {};
  for (const field of FIELDS) {
    const text = values[fieldId(field)]?.trim() ?? "";
    // Sent as typed: a non-number reaches the server's validation and comes back with the field's path.
    const value = text !== "" && Number.isFinite(Number(text)) ? Number(text) : text;
    if (field.section) ((out[field.section] ??= {}) as Record<string, unknown>)[field.key] = value;
    else out[field.key] = value;
  }
  return out as Record<string, unknown>;
}

export function RiskMonitorsCard({ market }: { market: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const me = useQuery(trpc.system.whoami.queryOptions());
  const state = useQuery({ ...trpc.riskMonitors.market.queryOptions({ market }), refetchInterval: 5_000 });
  const [values, setValues] = useState<Record<string, string> | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.riskMonitors.market.queryKey({ market }) });
  const save = useMutation(
    trpc.riskMonitors.setThresholds.mutationOptions({
      onSuccess: (result) => {
        setSaved(`Saved${result.updatedAt ? ` at ${new Date(result.updatedAt).toLocaleTimeString()}` : ""}; the change is in the audit log.`);
        setValues(formValues(result.thresholds));
        void refresh();
      },
    }),
  );
  const reset = useMutation(
    trpc.riskMonitors.resetThresholds.mutationOptions({
      onSuccess: (result) => {
        setSaved("Back to the defaults; the change is in the audit log.");
        setValues(formValues(result.thresholds));
        void refresh();
      },
    }),
  );
  const data = state.data;
  // The form starts from the thresholds in force; after a save or reset, from what the server stored.
  useEffect(() => {
    if (data && values === null) setValues(formValues(data.thresholds));
  }, [data, values]);

  if (state.error) return <p className="text-sm text-slate-400">Risk monitors: {state.error.message}</p>;
  if (!data) return null;
  const isOncall = me.data?.roles.includes("oncall") ?? false;
  const fromFile = data.source === "file";
  const editable = isOncall && !fromFile;
  const error = save.error ?? reset.error;
  return (
    <section className="rounded-lg border border-slate-800 bg-slate-900/40 p-3" data-testid="risk-monitors">
      <div className="flex flex-wrap items-center gap-2">
        <h2 className="text-sm font-semibold text-slate-200">Risk monitors</h2>
        {fromFile ? (
          <span className="rounded bg-sky-900 px-1.5 py-0.5 text-xs text-sky-200" data-testid="risk-monitors-source">from config file</span>
        ) : data.source === "database" ? (
          <span className="rounded bg-emerald-900/60 px-1.5 py-0.5 text-xs text-emerald-200" data-testid="risk-monitors-source">
            custom{data.updatedBy ? ` · ${data.updatedBy.slice(0, 6)}…${data.updatedBy.slice(-4)}` : ""}{data.updatedAt ? ` · ${new Date(data.updatedAt).toLocaleString()}` : ""}
          </span>
        ) : (
          <span className="rounded bg-slate-800 px-1.5 py-0.5 text-xs text-slate-300" data-testid="risk-monitors-source">defaults</span>
        )}
        <span className="ml-auto text-xs text-slate-500">
          {data.evaluatedAtMs ? `evaluated ${new Date(data.evaluatedAtMs).toLocaleTimeString()}` : "not evaluated yet"}
          {data.volatility ? ` · σ ${formatPercent(data.volatility.annual, 0)}/yr (${data.volatility.source === "live" ? "live EWMA" : data.volatility.source === "parameters" ? "parameter set" : "cascade model"})` : ""}
        </span>
      </div>
      <p className="mb-2 text-xs text-slate-500">
        Alerts fire after the condition holds for {data.thresholds.forMs / 1000} s and resolve after it is gone for {data.thresholds.clearForMs / 1000} s; they are routed to on-call like oracle alerts (checks risk-…, label market={market}).
      </p>
      <table className="w-full text-xs" data-testid="risk-monitors-readings">
        <thead className="text-left text-slate-500">
          <tr>
            <th className="py-1">Monitor</th>
            <th className="text-right">Now</th>
            <th className="text-right">Warning</th>
            <th className="text-right">Critical</th>
            <th className="pl-3">Alert</th>
          </tr>
        </thead>
        <tbody>
          {(data.readings ?? []).map((reading) => {
            const spec = MONITORS[reading.monitor];
            return (
              <tr key={reading.monitor} className="border-t border-slate-800" data-testid={`risk-monitor-${reading.monitor}`}>
                <td className="py-1 pr-2" title={reading.summary ?? reading.reason ?? ""}>{spec.title(data.thresholds, data.moveFraction)}</td>
                <td className={`num text-right ${reading.severity ? "text-amber-300" : ""}`}>{reading.evaluated ? formatValue(spec.unit, reading.value) : <span className="text-slate-500" title={reading.reason ?? ""}>n/a</span>}</td>
                <td className="num text-right">{spec.below ? "< " : "≥ "}{formatValue(spec.unit, reading.warning)}</td>
                <td className="num text-right">{spec.below ? "< " : "≥ "}{formatValue(spec.unit, reading.critical)}</td>
                <td className="pl-3">
                  {reading.status === "firing" ? (
                    <span className={`rounded px-1.5 py-0.5 ${severityClass(reading.alertSeverity ?? "warning")}`}>firing · {reading.alertSeverity}</span>
                  ) : reading.status === "pending" ? (
                    <span className="text-amber-300">pending ({reading.severity})</span>
                  ) : reading.evaluated ? (
                    <span className="text-emerald-300">ok</span>
                  ) : (
                    <span className="text-slate-500">{reading.reason}</span>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {data.readings === null ? <p className="text-xs text-slate-500">No reading yet for this market (no positions in the active snapshot, or the first pass is still running).</p> : null}

      <h3 className="mt-4 text-xs font-semibold uppercase text-slate-400">Thresholds</h3>
      {fromFile ? (
        <p className="text-xs text-slate-400" data-testid="risk-monitors-readonly">
          Set in the config file at <span className="font-mono">markets.{market}.riskMonitors</span>; read-only here.
        </p>
      ) : !isOncall ? (
        <p className="text-xs text-slate-500">On-call can change these thresholds.</p>
      ) : null}
      {values ? (
        <form
          className="mt-1 grid grid-cols-1 gap-x-6 gap-y-3 text-xs sm:grid-cols-2 lg:grid-cols-3"
          data-testid="risk-monitors-form"
          onSubmit={(event) => {
            event.preventDefault();
            setSaved(null);
            save.mutate({ market, thresholds: toThresholds(values) });
          }}
        >
          {GROUPS.map((group) => (
            <fieldset key={group} className="space-y-1">
              <legend className="mb-1 text-slate-300">{group}</legend>
              {FIELDS.filter((field) => field.group === group).map((field) => (
                <label key={fieldId(field)} className="flex items-center justify-between gap-2">
                  <span className="text-slate-400">{field.label}</span>
                  <span className="flex items-center gap-1">
                    <input
                      name={fieldId(field)}
                      value={values[fieldId(field)] ?? ""}
                      disabled={!editable}
                      onChange={(event) => setValues({ ...values, [fieldId(field)]: event.target.value })}
                      className="num w-28 rounded border border-slate-700 bg-slate-900 px-1 py-0.5 text-right disabled:opacity-60"
                      inputMode="decimal"
                    />
                    <span className="w-8 text-slate-500">{field.suffix}</span>
                  </span>
                </label>
              ))}
            </fieldset>
          ))}
          {editable ? (
            <div className="col-span-full mt-2 flex items-center gap-3">
              <button disabled={save.isPending} className="rounded bg-emerald-600 px-3 py-1 text-white hover:bg-emerald-500 disabled:opacity-50" data-testid="risk-monitors-save">
                Save thresholds
              </button>
              {data.source === "database" ? (
                <button type="button" onClick={() => reset.mutate({ market })} disabled={reset.isPending} className="text-amber-300 hover:underline" data-testid="risk-monitors-reset">
                  Reset to defaults
                </button>
              ) : null}
              {saved ? <span className="text-emerald-300" data-testid="risk-monitors-saved">{saved}</span> : null}
              {error ? <span className="text-red-400" data-testid="risk-monitors-error">{error.message}</span> : null}
            </div>
          ) : null}
        </form>
      ) : null}
    </section>
  );
}
