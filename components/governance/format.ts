// Governance display helpers.
import type { ProposalState } from "@/lib/governance";

export const STATE_STYLES: Record<ProposalState, string> = {
  Draft: "bg-slate-700 text-slate-100",
  CommitteeReview: "bg-indigo-800 text-indigo-100",
  Pending: "bg-sky-900 text-sky-100",
  Active: "bg-emerald-700 text-white",
  Succeeded: "bg-teal-800 text-teal-100",
  Defeated: "bg-rose-900 text-rose-100",
  Queued: "bg-amber-700 text-amber-50",
  Executed: "bg-emerald-900 text-emerald-200",
  Expired: "bg-slate-800 text-slate-400",
  Canceled: "bg-slate-800 text-slate-400 line-through",
};

export const STATE_LABELS: Record<ProposalState, string> = {
  Draft: "Draft",
  CommitteeReview: "Committee review",
  Pending: "Pending",
  Active: "Voting",
  Succeeded: "Succeeded",
  Defeated: "Defeated",
  Queued: "Queued",
  Executed: "Executed",
  Expired: "Expired",
  Canceled: "Canceled",
};

const WEI = 10n ** 18n;

/** Token power: 18-decimal amounts (≥ 10^15 units) as whole tokens, small test powers as they are. */
export function formatPower(power: bigint | string | null | undefined): string {
  if (power === null || power === undefined) return "—";
  const value = typeof power === "bigint" ? power : BigInt(power);
  if (value >= 10n ** 15n) {
    const tokens = Number(value / 10n ** 14n) / 10_000;
    return `${tokens.toLocaleString("en-US", { maximumFractionDigits: 2 })}`;
  }
  return value.toLocaleString("en-US");
}

export function powerShare(part: bigint, whole: bigint): string {
  if (whole === 0n) return "—";
  return `${(Number((part * 1_000_000n) / whole) / 10_000).toFixed(2)} %`;
}

export function formatValue(value: unknown): string {
  if (value === undefined) return "—";
  if (typeof value === "number") return Math.abs(value) < 1 && value !== 0 ? `${value} (${(value * 100).toFixed(3).replace(/\.?0+$/, "")} %)` : value.toLocaleString("en-US");
  return JSON.stringify(value);
}

export function formatDuration(ms: number): string {
  const abs = Math.abs(ms);
  if (abs < 60_000) return `${Math.round(abs / 1000)} s`;
  if (abs < 3_600_000) return `${Math.round(abs / 60_000)} min`;
  if (abs < 2 * 86_400_000) return `${(abs / 3_600_000).toFixed(1)} h`;
  return `${(abs / 86_400_000).toFixed(1)} d`;
}

export function formatTime(ms: number | Date | null | undefined): string {
  if (ms === null || ms === undefined) return "—";
  const date = ms instanceof Date ? ms : new Date(ms);
  return date.toISOString().replace("T", " ").slice(0, 16) + " UTC";
}

export { WEI };
