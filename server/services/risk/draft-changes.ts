// A parameter draft as the proposal editor sends it: `{market: partialParams}`, merged over the
// active set and validated with governance's rules (lib/governance validateGovernedMarketParams), so
// the preview of a draft refuses exactly what a proposal would refuse, with the field and reason.
//
// Merge: a top-level key replaces the active value (`maintenanceTiers` is one schedule); the object
// blocks (volatilityMargin, openInterestScaling, cascade, fundingClamp) merge leaf by leaf; `null`
// removes an optional field or block.
import { keyPath, validateGovernedMarketParams } from "../../../lib/governance";
import { invalidInput } from "../../errors";

export type DraftChanges = Record<string, Record<string, unknown>>;

const mergedBlocks = new Set(["volatilityMargin", "openInterestScaling", "cascade", "fundingClamp"]);

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function mergeMarketDraft(active: Record<string, unknown> | undefined, draft: Record<string, unknown>): Record<string, unknown> {
  const merged: Record<string, unknown> = structuredClone(active ?? {});
  for (const [key, value] of Object.entries(draft)) {
    if (value === null) delete merged[key];
    else if (mergedBlocks.has(key) && isPlainObject(value) && isPlainObject(merged[key])) {
      const block = { ...(merged[key] as Record<string, unknown>) };
      for (const [leaf, leafValue] of Object.entries(value)) {
        if (leafValue === null) delete block[leaf];
        else block[leaf] = leafValue;
      }
      merged[key] = block;
    } else merged[key] = structuredClone(value);
  }
  return merged;
}

/**
 * The touched markets' full parameters after the draft; throws AppError BAD_REQUEST listing every
 * issue with a path like `changes["ETH-USD"].maintenanceMarginFraction`.
 */
export function applyDraftChanges(active: Record<string, Record<string, unknown>>, changes: DraftChanges): Record<string, Record<string, unknown>> {
  const issues: { path: string; reason: string }[] = [];
  const proposed: Record<string, Record<string, unknown>> = {};
  if (Object.keys(changes).length === 0) throw invalidInput([{ path: "changes", reason: "expected at least one market to change" }]);
  for (const [market, draft] of Object.entries(changes)) {
    const base = keyPath("changes", market);
    if (!active[market]) {
      issues.push({ path: base, reason: `expected a market with active parameters (${Object.keys(active).sort().join(", ")}), got ${JSON.stringify(market)}` });
      continue;
    }
    if (!isPlainObject(draft)) {
      issues.push({ path: base, reason: "expected an object of parameter changes" });
      continue;
    }
    const merged = mergeMarketDraft(active[market], draft);
    issues.push(...validateGovernedMarketParams(merged, base));
    proposed[market] = merged;
  }
  if (issues.length > 0) throw invalidInput(issues);
  return proposed;
}
