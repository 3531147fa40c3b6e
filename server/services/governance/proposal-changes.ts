// Normalising and validating a proposal's change list against the active parameter set: `from`
// is filled from the active set (so the stored diff is "active → proposed"), then lib/governance
// refuses unknown fields, duplicates, stale `from`, no-ops and every broken invariant with its path.
import { classifyChangeSet, readMarketParam, validateProposalChanges, type GovernanceSettings, type GovernedParameterSet, type ParamChange, type TierClassification } from "../../../lib/governance";
import { invalidInput } from "../../errors";

export type ChangeInput = { market: string; path: string; to?: unknown; from?: unknown };

/** Changes with `from` set to the active value; throws BAD_REQUEST with every field and reason. */
export function checkedChanges(input: readonly ChangeInput[], active: GovernedParameterSet, settings: GovernanceSettings): { changes: ParamChange[]; classification: TierClassification } {
  const unknownMarkets = input.filter((change) => change.market && !active.markets[change.market]);
  if (unknownMarkets.length > 0) {
    throw invalidInput(unknownMarkets.map((change) => ({ path: `markets[${JSON.stringify(change.market)}]`, reason: `no active parameter set for market ${change.market} (known: ${Object.keys(active.markets).join(", ") || "none"})` })));
  }
  const issues = validateProposalChanges(input as ParamChange[], active);
  if (issues.length > 0) throw invalidInput(issues);
  const changes = input.map((change) => ({ market: change.market, path: change.path, from: readMarketParam(active, change.market, change.path), to: change.to }));
  return { changes, classification: classifyChangeSet(changes, settings) };
}
