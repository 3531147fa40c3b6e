// Fire/resolve decisions of the risk monitors, per alert fingerprint (`risk-<monitor>:<market>:-`,
// lib/alerts fingerprint.ts): the hysteresis of the oracle detectors (lib/oracle hysteresis.ts,
// Prometheus `for` / `keep_firing_for`): a condition must hold `forMs` before its alert fires and be
// gone `clearForMs` before it resolves, so a value hovering at a threshold neither pages nor
// resolves on every evaluation.
//
// Severity: an alert fires with the severity its condition has at that moment. A warning that turns
// critical and stays critical for `forMs` escalates: the warning alert resolves and a critical one
// fires at the same instant (the alerting engine keeps one open alert per fingerprint and does not
// update an open alert's severity; a new alert re-pages the on-call, which an escalation should).
// A critical alert is not downgraded while it keeps firing (a page is not withdrawn by halves).
//
// Pure: no clock, no database. The caller records the returned alerts (record-alert-event.ts).
import { Hysteresis } from "../../../lib/oracle/hysteresis";
import { riskAlertFromCondition, type RiskCondition } from "../../../lib/alerts/risk-monitors";
import type { Alert } from "../../../lib/alerts/types";

export type TrackerTimes = { forMs: number; clearForMs: number };

/** What the UI shows per monitor: pending = condition holds, waiting for `forMs`. */
export type TrackedStatus = "ok" | "pending" | "firing";

type Entry = {
  hysteresis: Hysteresis;
  escalation: Hysteresis;
  /** The open alert as last recorded; null when none is firing. */
  open: Alert | null;
  last: RiskCondition | null;
};

function moveState(from: Hysteresis, times: TrackerTimes): Hysteresis {
  const next = new Hysteresis(times.forMs, times.clearForMs);
  next.firing = from.firing;
  next.firedAt = from.firedAt;
  return next;
}

export class RiskAlertTracker {
  private readonly entries = new Map<string, Entry>();

  /** An alert still open in the database (after a restart): it resolves through the usual clear time. */
  restore(alert: Alert, times: TrackerTimes): void {
    const entry = this.entry(alert.fingerprint, times);
    entry.hysteresis.firing = true;
    entry.hysteresis.firedAt = alert.firedAtMs;
    entry.open = alert;
  }

  /**
   * One evaluation of one condition at `nowMs`. Returns the alerts to record, in order: a firing,
   * a resolve, or a resolve + firing (escalation).
   */
  observe(condition: RiskCondition, times: TrackerTimes, nowMs: number, link: string | null): Alert[] {
    const entry = this.entry(condition.fingerprint, times);
    entry.last = condition;
    const out: Alert[] = [];
    const transition = entry.hysteresis.update(condition.severity !== null, nowMs, nowMs);
    if (transition?.kind === "firing") {
      const fired = riskAlertFromCondition(condition, null, transition.at, link);
      if (fired) {
        entry.open = fired;
        out.push(fired);
      }
      entry.escalation = new Hysteresis(times.forMs, times.clearForMs);
      return out;
    }
    if (transition?.kind === "resolved") {
      if (entry.open) out.push(this.resolved(entry.open, transition.at, condition.value));
      entry.open = null;
      return out;
    }
    if (entry.hysteresis.firing && entry.open && entry.open.labels.severity !== "critical") {
      const escalation = entry.escalation.update(condition.severity === "critical", nowMs, nowMs);
      if (escalation?.kind === "firing") {
        out.push(this.resolved(entry.open, escalation.at, condition.value));
        const critical = riskAlertFromCondition(condition, null, escalation.at, link);
        if (critical) {
          entry.open = critical;
          out.push(critical);
        }
        entry.escalation = new Hysteresis(times.forMs, times.clearForMs);
      }
    }
    return out;
  }

  /** The market left the book (or has no positions): its conditions no longer hold. */
  observeGone(fingerprint: string, times: TrackerTimes, nowMs: number): Alert[] {
    if (!this.entries.has(fingerprint)) return [];
    const entry = this.entry(fingerprint, times);
    entry.last = null;
    const transition = entry.hysteresis.update(false, nowMs, nowMs);
    if (transition?.kind === "resolved" && entry.open) {
      const resolved = this.resolved(entry.open, transition.at, entry.open.value);
      entry.open = null;
      return [resolved];
    }
    if (!entry.hysteresis.firing) this.entries.delete(fingerprint);
    return [];
  }

  status(fingerprint: string): { status: TrackedStatus; severity: string | null; firedAtMs: number | null } {
    const entry = this.entries.get(fingerprint);
    if (entry?.hysteresis.firing && entry.open) return { status: "firing", severity: entry.open.labels.severity ?? null, firedAtMs: entry.open.firedAtMs };
    if (entry?.last?.severity) return { status: "pending", severity: entry.last.severity, firedAtMs: null };
    return { status: "ok", severity: null, firedAtMs: null };
  }

  fingerprints(): string[] {
    return [...this.entries.keys()];
  }

  private resolved(open: Alert, atMs: number, value: number | null): Alert {
    return { ...open, status: "resolved", resolvedAtMs: atMs, value: value ?? open.value };
  }

  private entry(fingerprint: string, times: TrackerTimes): Entry {
    let entry = this.entries.get(fingerprint);
    if (!entry) {
      entry = { hysteresis: new Hysteresis(times.forMs, times.clearForMs), escalation: new Hysteresis(times.forMs, times.clearForMs), open: null, last: null };
      this.entries.set(fingerprint, entry);
    } else if (entry.hysteresis.forMs !== times.forMs || entry.hysteresis.clearForMs !== times.clearForMs) {
      // Thresholds edited: keep firing state; a pending condition starts its hold time again.
      entry.hysteresis = moveState(entry.hysteresis, times);
      entry.escalation = new Hysteresis(times.forMs, times.clearForMs);
    }
    return entry;
  }
}
