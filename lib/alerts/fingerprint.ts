// Alert fingerprints: `check:market:feed`, the identity an alert keeps across fire/resolve cycles.
// It is readable on purpose (it appears in PagerDuty dedup keys and Slack messages) and matches the
// shared contract example `deviation:BTC-USD:binance-spot` (contracts/config-and-replay.md).

import type { AlertLabels, RiskMonitorName } from "./types";

/** Placeholder for a part that does not apply (a market-wide risk monitor has no feed). */
export const NO_PART = "-";

export interface FingerprintParts {
  check: string;
  market: string;
  feed: string;
}

function checkPart(name: string, value: string | undefined | null): string {
  if (value === undefined || value === null || value === "") return NO_PART;
  // ':' separates the parts; whitespace would make the key ambiguous in logs and headers.
  if (/[:\s]/.test(value)) {
    throw new Error(`fingerprint ${name} must not contain ':' or whitespace, got ${JSON.stringify(value)}`);
  }
  return value;
}

export function alertFingerprint(parts: { check: string; market?: string | null; feed?: string | null }): string {
  if (!parts.check) throw new Error("fingerprint check is required");
  return [checkPart("check", parts.check), checkPart("market", parts.market), checkPart("feed", parts.feed)].join(":");
}

/** Oracle detector alert, e.g. `deviation:BTC-USD:binance-spot`; feed-wide checks may omit market. */
export function oracleFingerprint(check: string, market: string | null | undefined, feed: string): string {
  return alertFingerprint({ check, market, feed });
}

/** Risk monitor alert, e.g. `risk-insurance-coverage:ETH-USD:-`. */
export function riskFingerprint(monitor: RiskMonitorName, market: string): string {
  return alertFingerprint({ check: `risk-${monitor}`, market, feed: null });
}

export function fingerprintFromLabels(labels: AlertLabels): string {
  if (!labels.check) throw new Error("labels.check is required to build a fingerprint");
  return alertFingerprint({ check: labels.check, market: labels.market, feed: labels.feed });
}

export function parseFingerprint(fingerprint: string): FingerprintParts {
  const parts = fingerprint.split(":");
  if (parts.length !== 3 || parts.some((p) => p === "")) {
    throw new Error(`not a check:market:feed fingerprint: ${JSON.stringify(fingerprint)}`);
  }
  return { check: parts[0], market: parts[1], feed: parts[2] };
}
