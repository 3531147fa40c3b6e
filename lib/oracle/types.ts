// Normalised feed data shared by the venue parsers, the detectors, replay and the live connections.
//
// Float precision: prices are IEEE doubles. Venue prices carry at most ~12 significant digits
// (Pyth int64 × 10^expo, exchange decimal strings, Data Streams int192/1e18 rounded), the detectors
// compare relative moves of ≥ 0.01 %, and nothing here sums money, so a double's 15-16
// significant digits are ample. Decimal strings are converted with Number(), which is
// correctly rounded; Pyth's mantissa × 10^expo is built as the string "m e expo" for the same reason.

import type { OracleCheck, Severity } from "../alerts/types";

export type { OracleCheck, Severity };

export interface Tick {
  /** Feed id from the config (e.g. "pyth-main"). */
  feed: string;
  /** Market (e.g. "BTC-USD") when the venue symbol is mapped in the feed's `symbols`. */
  market?: string;
  /** The venue's own symbol (Pyth price id without 0x, BTCUSDT, BTC-USD, BTC/USD, feed id…). */
  symbol: string;
  price: number;
  /** Confidence half-width in price units (Pyth conf; Data Streams (ask − bid) / 2). */
  conf?: number;
  /** Venue publish/event time, epoch ms, when the frame carries one. */
  publishTimeMs?: number;
  /** Local receive time, epoch ms (wall clock live, virtual clock in replay). */
  receivedAtMs: number;
}

/** Reasons a frame is rejected. Fixed texts: counters are keyed by them. */
export const REJECTION_REASONS = {
  notJson: "frame is not valid JSON",
  oversized: "frame exceeds the size limit",
  badPrice: "price is not a positive finite number", // contract text (config-and-replay.md)
  absurdExponent: "absurd exponent",
  malformed: "malformed message",
  unrecognised: "unrecognised message",
  venueError: "venue error message",
  badReport: "report cannot be decoded",
} as const;
export type RejectionReason = (typeof REJECTION_REASONS)[keyof typeof REJECTION_REASONS];

export interface Rejection {
  reason: RejectionReason;
  /** Short detail for the one-time log sample (never used as a counter key). */
  detail?: string;
}

/** Connection-relevant signals found in a frame; the connection acts on them, detectors ignore them. */
export type ControlSignal =
  | { type: "subscribed" }
  /** Binance `serverShutdown`: the server is going away; reconnect proactively. */
  | { type: "server-shutdown" }
  | { type: "venue-error"; message: string };

export interface ParseResult {
  ticks: Tick[];
  rejections: Rejection[];
  /** Heartbeats, subscription acks and other frames that are neither ticks nor rejections. */
  keepAlive?: true;
  /** Frames deliberately dropped without being an error (Data Streams duplicate reports). */
  ignored?: "duplicate report";
  control?: ControlSignal;
}

export interface FeedParser {
  readonly feed: string;
  parseFrame(text: string, receivedAtMs: number): ParseResult;
}

export interface AlertEvent {
  kind: "firing" | "resolved";
  fingerprint: string;
  check: OracleCheck;
  /** null for feed-wide checks (feed-error), whose fingerprint has "-" as market. */
  market: string | null;
  feed: string;
  severity: Severity;
  /** Condition value and threshold in the check's unit: fractions for deviation/jump/confidence
   * (0.052 = 5.2 %), milliseconds for staleness/frozen, rejected frames for feed-error. */
  value: number;
  threshold: number;
  /** firing: when the condition had held forMs; resolved: when it had been gone clearForMs. */
  at: number;
  /** For resolved events, the time the alert fired. */
  firedAt: number;
}
