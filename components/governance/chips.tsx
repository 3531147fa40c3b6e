import type { ProposalState } from "@/lib/governance";
import { STATE_LABELS, STATE_STYLES } from "./format";

export function StateChip({ state }: { state: ProposalState }) {
  return (
    <span className={`inline-block rounded-full px-2 py-0.5 text-xs font-medium ${STATE_STYLES[state]}`} data-testid="state-chip" data-state={state}>
      {STATE_LABELS[state]}
    </span>
  );
}

export function TierChip({ tier }: { tier: "minor" | "major" }) {
  return (
    <span
      className={`inline-block rounded px-1.5 py-0.5 text-xs font-medium ${tier === "minor" ? "bg-slate-700 text-slate-200" : "bg-orange-900 text-orange-100"}`}
      title={tier === "minor" ? "Within steward bounds: Level 1 voting rules" : "Beyond steward bounds: Level 2 voting rules"}
      data-testid="tier-chip"
    >
      {tier}
    </span>
  );
}
