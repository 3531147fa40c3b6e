// Impact tier of a proposal from the size of its change: "minor" when every change is one a risk
// steward could make (within its per-parameter bound, on an unrestricted market, on a parameter
// the steward may touch), otherwise "major". Mirrors Aave's split between Level 1 and Level 2:
// the bigger the possible impact, the stricter the voting rules (settings.ts). Debounce and the
// pause switch are deliberately not part of the size rule: they limit when the fast lane may act,
// not how large a change is.
import type { ParamChange } from "./params";
import type { GovernanceSettings, ImpactTier } from "./settings";
import { checkChangeAgainstBounds, type StewardErrorCode } from "./steward";

export interface ClassifiedChange extends ParamChange {
  tier: ImpactTier;
  /** Why the change is minor or major, for the proposal page. */
  reason: string;
  /** Steward rule that made it major, when it is. */
  code?: StewardErrorCode;
}

export interface TierClassification {
  tier: ImpactTier;
  changes: ClassifiedChange[];
}

/** Classifies each change and the set: major as soon as one change is major; an empty set is major. */
export function classifyChangeSet(changes: readonly ParamChange[], settings: GovernanceSettings): TierClassification {
  const classified = changes.map((change): ClassifiedChange => {
    const issue = checkChangeAgainstBounds(change, settings);
    if (issue) return { ...change, tier: "major", code: issue.code, reason: issue.reason };
    const bound = settings.steward.bounds[change.path];
    const limit = bound.maxChangeRelative !== undefined ? `±${bound.maxChangeRelative * 100} %` : `±${bound.maxChangeAbsolute}`;
    return { ...change, tier: "minor", reason: `within the steward bound ${limit}` };
  });
  const tier: ImpactTier = classified.length > 0 && classified.every((change) => change.tier === "minor") ? "minor" : "major";
  return { tier, changes: classified };
}
