// The alert as detectors and risk monitors report it, and conversions between Alert rows and the
// lib/alerts `Alert` the Notifier routes.
import { z } from "zod";
import type { Alert, AlertLabels } from "../../../lib/alerts/types";

/** Placeholder stored for "no market" / "no feed" (same as lib/alerts fingerprints). */
export const NO_PART = "-";

/**
 * An alert state change from the oracle detectors (lib/oracle AlertEvent), a risk monitor or the
 * dispatcher itself (`endpoint-disabled`). `value`/`threshold` are in the check's own unit.
 */
export const alertEventInputSchema = z.object({
  kind: z.enum(["firing", "resolved"]),
  fingerprint: z.string().min(1),
  check: z.string().min(1),
  market: z.string().nullable(),
  feed: z.string().nullable(),
  severity: z.string().min(1),
  value: z.number().finite(),
  threshold: z.number().finite(),
  /** Epoch ms: when it fired (firing) or resolved (resolved). */
  at: z.number().int(),
  summary: z.string().optional(),
  details: z.record(z.string(), z.unknown()).optional(),
  /** Where a payload links to (a risk monitor: the market page); default: the alert's own page. */
  link: z.url().optional(),
});
export type AlertEventInput = z.infer<typeof alertEventInputSchema>;

export function labelsFor(input: { check: string; market: string | null; feed: string | null; severity: string }): AlertLabels {
  const labels: AlertLabels = { check: input.check, severity: input.severity };
  if (input.market && input.market !== NO_PART) labels.market = input.market;
  if (input.feed && input.feed !== NO_PART) labels.feed = input.feed;
  return labels;
}

export type AlertRowLike = {
  fingerprint: string;
  check: string;
  market: string;
  feed: string | null;
  severity: string;
  value: number;
  threshold: number;
  labels: unknown;
  firedAt: Date;
  resolvedAt: Date | null;
  acknowledgedAt: Date | null;
  acknowledgedBy: string | null;
};

type StoredLabels = { labels?: AlertLabels; summary?: string; details?: Record<string, unknown>; link?: string };

function storedOf(value: unknown): StoredLabels {
  const parsed = typeof value === "string" ? (JSON.parse(value) as unknown) : value;
  return parsed && typeof parsed === "object" ? (parsed as StoredLabels) : {};
}

/** What the Alert.labels column holds: routing labels plus the summary/details for payloads. */
export function storedLabels(input: AlertEventInput): StoredLabels {
  return {
    labels: labelsFor(input),
    ...(input.summary ? { summary: input.summary } : {}),
    ...(input.details ? { details: input.details } : {}),
    ...(input.link ? { link: input.link } : {}),
  };
}

export function alertFromRow(row: AlertRowLike): Alert {
  const stored = storedOf(row.labels);
  return {
    fingerprint: row.fingerprint,
    labels: stored.labels ?? labelsFor(row),
    status: row.resolvedAt ? "resolved" : "firing",
    value: row.value,
    threshold: row.threshold,
    firedAtMs: row.firedAt.getTime(),
    resolvedAtMs: row.resolvedAt ? row.resolvedAt.getTime() : null,
    acknowledgedAtMs: row.acknowledgedAt ? row.acknowledgedAt.getTime() : null,
    acknowledgedBy: row.acknowledgedBy,
    ...(stored.summary ? { summary: stored.summary } : {}),
    ...(stored.details ? { details: stored.details } : {}),
    link: stored.link ?? null,
  };
}

export type AlertStatusView = "firing" | "acknowledged" | "resolved";

export function statusOf(row: { resolvedAt: Date | null; acknowledgedAt: Date | null }): AlertStatusView {
  if (row.resolvedAt) return "resolved";
  return row.acknowledgedAt ? "acknowledged" : "firing";
}
