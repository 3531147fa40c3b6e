// The alert and event model shared by detectors, risk monitors, the router/notifier and the payload
// formats. Times are epoch milliseconds (UTC) everywhere; formats convert to ISO or seconds at the
// edge.

/** Oracle detector checks, named as in shared contract `config-and-replay.md`. */
export const ORACLE_CHECKS = ["staleness", "deviation", "jump", "confidence", "frozen", "feed-error"] as const;
export type OracleCheck = (typeof ORACLE_CHECKS)[number];

/** Risk monitors (see `risk-monitors.ts`); their check label is `risk-<name>`. */
export const RISK_MONITORS = [
  "near-liquidation-oi",
  "liquidatable-accounts",
  "predicted-liquidations",
  "insurance-coverage",
] as const;
export type RiskMonitorName = (typeof RISK_MONITORS)[number];
export type RiskCheck = `risk-${RiskMonitorName}`;

/** Governance events a route may send; informational, they never resolve. */
export const GOVERNANCE_EVENT_TYPES = [
  "proposal.created",
  "proposal.approved",
  "proposal.active",
  "proposal.succeeded",
  "proposal.defeated",
  "proposal.queued",
  "proposal.executed",
  "proposal.canceled",
  "steward.updated",
] as const;
export type GovernanceEventType = (typeof GOVERNANCE_EVENT_TYPES)[number];

export const SEVERITIES = ["critical", "error", "warning", "info"] as const;
export type Severity = (typeof SEVERITIES)[number];

/**
 * Labels are the only thing routes, silences and inhibit rules look at. Well-known keys are typed;
 * any other string label (e.g. `team`) may be added. A missing label matches as the empty string,
 * as in Alertmanager.
 */
export interface AlertLabels {
  check?: string;
  market?: string;
  feed?: string;
  severity?: string;
  eventType?: string;
  [label: string]: string | undefined;
}

export type AlertStatus = "firing" | "resolved";

export interface Alert {
  /** Stable identity across fire/resolve cycles; see `fingerprint.ts`. */
  fingerprint: string;
  labels: AlertLabels;
  status: AlertStatus;
  /**
   * Condition value and threshold in the check's own unit (deviation as a fraction 0.052 = 5.2 %,
   * staleness in ms, coverage ratio, …). Floats: these are display/comparison values, not money
   * that is summed, so double precision is ample.
   */
  value: number | null;
  threshold: number | null;
  firedAtMs: number;
  resolvedAtMs: number | null;
  /** Set from the UI; stops repeat notifications while the alert keeps firing. */
  acknowledgedAtMs: number | null;
  acknowledgedBy?: string | null;
  /** Human summary shown in Slack/PagerDuty; built from labels when absent. */
  summary?: string;
  /** Deep link back to the alert page in Riskwarden. */
  link: string | null;
  /** Free-form extra context (e.g. per-source prices) copied into payload details. */
  details?: Record<string, unknown>;
}

/**
 * An informational event (governance). It is routed like an alert (labels) but is sent once per
 * matching endpoint, never grouped, repeated or resolved.
 */
export interface InfoEvent {
  /** Unique id of this occurrence, e.g. `proposal.executed:42`; used as the webhook message id seed. */
  id: string;
  eventType: string;
  labels: AlertLabels;
  occurredAtMs: number;
  summary?: string;
  link: string | null;
  data: Record<string, unknown>;
}

export type NotificationReason =
  /** First notification of a group (after groupWait). */
  | "initial"
  /** Alerts fired that the endpoint was not told about in the previous notification. */
  | "new-firing"
  /** Alerts the endpoint was told are firing have resolved. */
  | "resolved"
  /** Nothing changed but repeatInterval elapsed and the firing alerts are not all acknowledged. */
  | "repeat"
  /** An informational event. */
  | "event";

/** One notification to one endpoint; formats turn it into HTTP requests. */
export interface Notification {
  /** Deterministic id (route, endpoint, group, time, reason), usable as outbox key / webhook-id seed. */
  id: string;
  endpointId: string;
  routeId: string;
  groupKey: string;
  groupLabels: Record<string, string>;
  reason: NotificationReason;
  atMs: number;
  /** Firing alerts first, then resolved ones; each a snapshot taken at `atMs`. */
  alerts: Alert[];
  /** Present when reason = "event". */
  event?: InfoEvent;
}
