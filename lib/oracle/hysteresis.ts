// Alert hysteresis with Alertmanager/Prometheus `for` semantics: a condition must hold `forMs`
// before the alert fires, and must have been gone `clearForMs` before it resolves
// (prometheus.io/docs/prometheus/latest/configuration/alerting_rules: "for" and "keep_firing_for").
// Flapping faster than either window therefore neither fires nor resolves.
//
// Times are exact, not quantised to the evaluation interval: each evaluation passes `since`, the
// instant the condition's current state (active or not) began, so firedAt = since + forMs even if
// the evaluation that notices it runs a little later.

export interface HysteresisTransition {
  kind: "firing" | "resolved";
  at: number;
  firedAt: number;
}

export class Hysteresis {
  firing = false;
  firedAt: number | null = null;
  private pendingSince: number | null = null;
  private clearingSince: number | null = null;

  constructor(
    readonly forMs: number,
    readonly clearForMs: number,
  ) {}

  /**
   * Feed one evaluation. `active`: the condition holds at `nowMs`; `sinceMs` (≤ nowMs): when it
   * started to hold (or stopped holding, when inactive). Returns the transition, if any.
   */
  update(active: boolean, sinceMs: number, nowMs: number): HysteresisTransition | null {
    const since = Math.min(sinceMs, nowMs);
    if (!this.firing) {
      if (!active) {
        this.pendingSince = null;
        return null;
      }
      if (this.pendingSince === null) this.pendingSince = since;
      if (nowMs - this.pendingSince >= this.forMs) {
        this.firing = true;
        this.firedAt = this.pendingSince + this.forMs;
        this.pendingSince = null;
        this.clearingSince = null;
        return { kind: "firing", at: this.firedAt, firedAt: this.firedAt };
      }
      return null;
    }
    if (active) {
      this.clearingSince = null;
      return null;
    }
    if (this.clearingSince === null) this.clearingSince = Math.max(since, this.firedAt ?? since);
    if (nowMs - this.clearingSince >= this.clearForMs) {
      const firedAt = this.firedAt ?? this.clearingSince;
      const at = this.clearingSince + this.clearForMs;
      this.firing = false;
      this.firedAt = null;
      this.clearingSince = null;
      return { kind: "resolved", at, firedAt };
    }
    return null;
  }
}
