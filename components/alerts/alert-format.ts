// Display of alert values in each check's unit (lib/oracle AlertEvent: fractions for deviation,
// jump and confidence; milliseconds for staleness and frozen; counts for feed-error; lib/alerts risk
// monitors: OI shares and the insurance coverage ratio as fractions, liquidatable notional in USD).
export function formatAlertValue(check: string, value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "—";
  if (check === "deviation" || check === "jump" || check === "confidence") return `${(value * 100).toFixed(2)} %`;
  if (check === "risk-near-liquidation-oi" || check === "risk-predicted-liquidations" || check === "risk-insurance-coverage") return `${(value * 100).toFixed(1)} %`;
  if (check === "risk-liquidatable-accounts") return `$${Math.round(value).toLocaleString("en-US")}`;
  if (check === "staleness" || check === "frozen") return value >= 1000 ? `${(value / 1000).toFixed(1)} s` : `${Math.round(value)} ms`;
  return Number.isInteger(value) ? String(value) : value.toPrecision(4);
}

export function formatTime(value: Date | string | null | undefined): string {
  if (!value) return "—";
  const date = typeof value === "string" ? new Date(value) : value;
  return date.toISOString().replace("T", " ").replace(/\.\d+Z$/, " UTC");
}

export function severityClass(severity: string): string {
  if (severity === "critical") return "bg-red-900 text-red-200";
  if (severity === "error") return "bg-orange-900 text-orange-200";
  if (severity === "warning") return "bg-amber-900 text-amber-200";
  return "bg-slate-800 text-slate-300";
}
