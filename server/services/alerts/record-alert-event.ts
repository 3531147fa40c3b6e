// Records an alert state change from the oracle detectors, a risk monitor or the dispatcher: the Alert
// and AlertEvent rows, the outbox rows the Notifier decides and the Notifier state commit together
// (see alerting-engine.ts). Publishing `alert.changed` happens after the commit (engine onCommitted).
import type { Alert } from "../../../lib/alerts/types";
import type { AlertEvent as OracleAlertEvent } from "../../../lib/oracle/types";
import { invalidInput } from "../../errors";
import { alertEventInputSchema, NO_PART, type AlertEventInput } from "./alert-model";
import type { AlertingEngine, RecordResult } from "./alerting-engine";

export type { AlertEventInput, RecordResult };

/**
 * firing: inserts the alert unless one with this fingerprint is open (then a no-op, `changed:false`);
 * resolved: sets resolvedAt on the open alert (no open alert: a no-op).
 */
export async function recordAlertEvent(engine: AlertingEngine, event: AlertEventInput): Promise<RecordResult> {
  const parsed = alertEventInputSchema.safeParse(event);
  if (!parsed.success) {
    throw invalidInput(parsed.error.issues.map((issue) => ({ path: issue.path.join(".") || "event", reason: issue.message })));
  }
  return engine.record(parsed.data);
}

/** lib/oracle detector event → alert event (feed-wide checks have no market). */
export function fromOracleEvent(event: OracleAlertEvent): AlertEventInput {
  return {
    kind: event.kind,
    fingerprint: event.fingerprint,
    check: event.check,
    market: event.market,
    feed: event.feed,
    severity: event.severity,
    value: event.value,
    threshold: event.threshold,
    at: event.at,
  };
}

/** lib/alerts risk monitor alert (riskAlertFromCondition) → alert event. */
export function fromRiskAlert(alert: Alert): AlertEventInput {
  return {
    kind: alert.status,
    fingerprint: alert.fingerprint,
    check: alert.labels.check ?? alert.fingerprint.split(":")[0],
    market: alert.labels.market ?? null,
    feed: alert.labels.feed && alert.labels.feed !== NO_PART ? alert.labels.feed : null,
    severity: alert.labels.severity ?? "warning",
    value: alert.value ?? 0,
    threshold: alert.threshold ?? 0,
    at: alert.status === "resolved" && alert.resolvedAtMs !== null ? alert.resolvedAtMs : alert.firedAtMs,
    ...(alert.summary ? { summary: alert.summary } : {}),
    ...(alert.details ? { details: alert.details } : {}),
    ...(alert.link ? { link: alert.link } : {}),
  };
}
