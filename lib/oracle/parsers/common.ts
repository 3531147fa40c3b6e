// Helpers shared by the venue parsers: guarded JSON parsing, price conversion, symbol maps.
// Every helper returns a value or a rejection; none throws, so a frame can never crash a feed.
import { REJECTION_REASONS, type ParseResult, type Rejection, type RejectionReason, type Tick } from "../types";

export const DEFAULT_MAX_FRAME_BYTES = 64 * 1024;

/** Pyth exponents are small negatives (-8, -5…); anything beyond ±30 is corruption, not a price. */
export const MAX_ABS_EXPONENT = 30;

export interface ParserOptions {
  feed: string;
  /** market → venue symbol, as in the config. */
  symbols: Record<string, string>;
  maxFrameBytes?: number;
}

export const KEEP_ALIVE: ParseResult = Object.freeze({ ticks: [], rejections: [], keepAlive: true }) as ParseResult;

export function reject(reason: RejectionReason, detail?: string): ParseResult {
  const rejection: Rejection = detail === undefined ? { reason } : { reason, detail: detail.slice(0, 200) };
  return { ticks: [], rejections: [rejection] };
}

export function oneTick(tick: Tick): ParseResult {
  return { ticks: [tick], rejections: [] };
}

/**
 * Size guard. `text.length` counts UTF-16 units, which is ≤ the UTF-8 byte length; the live
 * connection checks the raw byte length before decoding, so this is the second line of defence
 * (and the only one in replay).
 */
export function oversized(text: string, maxFrameBytes: number): ParseResult | undefined {
  if (text.length > maxFrameBytes) return reject(REJECTION_REASONS.oversized, `${text.length} > ${maxFrameBytes}`);
  return undefined;
}

export type JsonObject = Record<string, unknown>;

/** JSON.parse that never throws; returns the rejection when the text is not a JSON object. */
export function parseJsonObject(text: string): JsonObject | ParseResult {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return reject(REJECTION_REASONS.notJson, text.slice(0, 80));
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) return reject(REJECTION_REASONS.malformed, "not a JSON object");
  return value as JsonObject;
}

export function isParseResult(value: JsonObject | ParseResult): value is ParseResult {
  return Array.isArray((value as ParseResult).ticks) && Array.isArray((value as ParseResult).rejections);
}

export function isObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

const decimalPattern = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d{1,3})?$/;
const integerPattern = /^[+-]?\d{1,40}$/;

/**
 * A venue decimal (string like "21932.98" or a JSON number) as a double, or NaN when it is not a
 * number at all. Positivity is checked separately so the rejection reason can say so.
 */
export function decimalToNumber(value: unknown): number {
  if (typeof value === "number") return value;
  if (typeof value === "string" && value.length <= 64 && decimalPattern.test(value)) return Number(value);
  return Number.NaN;
}

export function isPositiveFinite(value: number): boolean {
  return value > 0 && Number.isFinite(value);
}

/**
 * mantissa × 10^expo (Pyth: https://docs.pyth.network/price-feeds/best-practices#fixed-point-numeric-representation).
 * Built as the decimal string "<mantissa>e<expo>" so Number() rounds once, correctly.
 * Returns a rejection reason for a bad exponent or mantissa.
 */
export function scaledToNumber(mantissa: unknown, expo: unknown): number | RejectionReason {
  if (typeof expo !== "number" || !Number.isInteger(expo)) return REJECTION_REASONS.malformed;
  if (Math.abs(expo) > MAX_ABS_EXPONENT) return REJECTION_REASONS.absurdExponent;
  let digits: string;
  if (typeof mantissa === "string" && integerPattern.test(mantissa)) digits = mantissa;
  else if (typeof mantissa === "number" && Number.isSafeInteger(mantissa)) digits = String(mantissa);
  else return REJECTION_REASONS.badPrice;
  return Number(`${digits}e${expo}`);
}

/** venue symbol → market; venue symbols are compared case-insensitively and without a 0x prefix. */
export function invertSymbols(symbols: Record<string, string>): Map<string, string> {
  const bySymbol = new Map<string, string>();
  for (const [market, symbol] of Object.entries(symbols)) bySymbol.set(normaliseSymbol(symbol), market);
  return bySymbol;
}

export function normaliseSymbol(symbol: string): string {
  const lower = symbol.toLowerCase();
  return lower.startsWith("0x") ? lower.slice(2) : lower;
}

/** Epoch ms from seconds/ms numbers or ISO strings; undefined when absent or unusable. */
export function isoToMs(value: unknown): number | undefined {
  if (typeof value !== "string") return undefined;
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? ms : undefined;
}
