// Exact decimal arithmetic on strings (BigInt scaled integers) for importers: venue APIs send
// amounts as decimal strings, and a snapshot stored in the database (NUMERIC) must hold exactly
// what the venue sent, or exact sums/products of it (e.g. collateral = USDC + Σ size·entry).
import { decimalStringPattern } from "../errors";

export interface Decimal {
  /** value = units / 10^scale */
  units: bigint;
  scale: number;
}

export function isDecimalString(text: string): boolean {
  return decimalStringPattern.test(text.trim());
}

export function parseDecimal(text: string): Decimal {
  const trimmed = text.trim();
  if (!isDecimalString(trimmed)) throw new RangeError(`not a decimal number: ${JSON.stringify(text)}`);
  const match = /^([+-]?)(\d*)\.?(\d*)(?:[eE]([+-]?\d+))?$/.exec(trimmed)!;
  const [, sign, whole, fraction, exponentText] = match;
  const exponent = exponentText ? Number(exponentText) : 0;
  let digits = `${whole}${fraction}`.replace(/^0+(?=\d)/, "") || "0";
  let scale = fraction.length - exponent;
  if (scale < 0) {
    digits += "0".repeat(-scale);
    scale = 0;
  }
  const units = BigInt(digits) * (sign === "-" ? -1n : 1n);
  return { units, scale };
}

function align(a: Decimal, b: Decimal): [bigint, bigint, number] {
  const scale = Math.max(a.scale, b.scale);
  return [a.units * 10n ** BigInt(scale - a.scale), b.units * 10n ** BigInt(scale - b.scale), scale];
}

export function addDecimal(a: Decimal, b: Decimal): Decimal {
  const [x, y, scale] = align(a, b);
  return { units: x + y, scale };
}

export function subtractDecimal(a: Decimal, b: Decimal): Decimal {
  const [x, y, scale] = align(a, b);
  return { units: x - y, scale };
}

export function multiplyDecimal(a: Decimal, b: Decimal): Decimal {
  return { units: a.units * b.units, scale: a.scale + b.scale };
}

export function negateDecimal(a: Decimal): Decimal {
  return { units: -a.units, scale: a.scale };
}

export function absDecimal(a: Decimal): Decimal {
  return a.units < 0n ? negateDecimal(a) : a;
}

/** Plain decimal string without trailing fractional zeros ("-12.5", "0", "100"). */
export function formatDecimal(a: Decimal): string {
  const negative = a.units < 0n;
  let digits = (negative ? -a.units : a.units).toString();
  if (a.scale > 0) {
    digits = digits.padStart(a.scale + 1, "0");
    const whole = digits.slice(0, digits.length - a.scale);
    const fraction = digits.slice(digits.length - a.scale).replace(/0+$/, "");
    digits = fraction ? `${whole}.${fraction}` : whole;
  }
  return negative && digits !== "0" ? `-${digits}` : digits;
}

export function decimalToNumber(a: Decimal): number {
  return Number(formatDecimal(a));
}

/** Bounds of a decimal stored exactly, e.g. a NUMERIC(38,18) column: 20 integer, 18 fraction digits. */
export type DecimalLimits = { maxIntegerDigits: number; maxFractionDigits: number };

/**
 * Whether `text` is a plain decimal (`-12.50`, `+5`, `5.`, `.25`; no exponent, no spaces) and, with
 * `limits`, whether its value fits them (leading integer and trailing fraction zeros do not count):
 * "fits", "fraction" or "integer" (the bound it exceeds), or null when it is not a plain decimal.
 * One pass over the characters, no allocation: the per-cell check of million-row imports.
 */
export function plainDecimalFit(text: string, limits?: DecimalLimits): "fits" | "fraction" | "integer" | null {
  const length = text.length;
  let i = 0;
  let code = text.charCodeAt(0);
  if (code === 43 || code === 45) i++;
  let digits = 0;
  let integerDigits = 0;
  for (; i < length; i++) {
    code = text.charCodeAt(i);
    if (code < 48 || code > 57) break;
    digits++;
    if (integerDigits > 0 || code !== 48) integerDigits++;
  }
  let fractionDigits = 0;
  if (i < length && code === 46) {
    i++;
    for (let place = 1; i < length; i++, place++) {
      code = text.charCodeAt(i);
      if (code < 48 || code > 57) return null;
      digits++;
      if (code !== 48) fractionDigits = place;
    }
  }
  if (i !== length || digits === 0) return null;
  if (!limits) return "fits";
  if (fractionDigits > limits.maxFractionDigits) return "fraction";
  if (integerDigits > limits.maxIntegerDigits) return "integer";
  return "fits";
}

/**
 * Checks that a decimal string (any form `decimalStringPattern` accepts) is stored exactly within
 * `limits`; returns null when it is, else the reason ("expected at most 18 decimal places …").
 * Throws RangeError when `text` is not a decimal.
 */
export function decimalLimitProblem(text: string, limits: DecimalLimits): string | null {
  let fit = plainDecimalFit(text, limits);
  if (fit === null) fit = plainDecimalFit(formatDecimal(parseDecimal(text)), limits);
  if (fit === "fraction") return `expected at most ${limits.maxFractionDigits} decimal places (stored exactly), got ${text}`;
  if (fit === "integer") return `expected at most ${limits.maxIntegerDigits} integer digits, got ${text}`;
  return null;
}
