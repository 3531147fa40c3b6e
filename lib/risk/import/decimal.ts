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
