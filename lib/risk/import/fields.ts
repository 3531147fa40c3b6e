// Shared readers for importers: decimal fields with JSON paths in errors.
import { RiskInputError, describeValue, isRecord } from "../errors";
import { decimalToNumber, isDecimalString, parseDecimal, type Decimal } from "./decimal";

export interface DecimalField {
  decimal: Decimal;
  /** The venue's text, verbatim (trimmed). */
  text: string;
  value: number;
}

/** A decimal given as a string (or a JSON number, whose shortest text is taken). */
export function readDecimal(source: string, path: string, raw: unknown): DecimalField {
  if (typeof raw === "number" && Number.isFinite(raw)) {
    const text = String(raw);
    return { decimal: parseDecimal(text), text, value: raw };
  }
  if (typeof raw === "string" && isDecimalString(raw)) {
    const text = raw.trim();
    const decimal = parseDecimal(text);
    return { decimal, text, value: decimalToNumber(decimal) };
  }
  throw new RiskInputError(source, path, `expected a decimal number (string), got ${describeValue(raw)}`);
}

export function readObject(source: string, path: string, raw: unknown): Record<string, unknown> {
  if (!isRecord(raw)) throw new RiskInputError(source, path, `expected an object, got ${describeValue(raw)}`);
  return raw;
}

export function readString(source: string, path: string, raw: unknown): string {
  if (typeof raw !== "string" || raw === "") throw new RiskInputError(source, path, `expected a non-empty string, got ${describeValue(raw)}`);
  return raw;
}
