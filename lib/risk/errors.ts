/**
 * Bad input to the risk engine (a book, a parameter set, a shock). The message is one line:
 * `<source>: <JSON path>: expected <what>, got <value>`, ready to print as the CLI's stderr line.
 */
export class RiskInputError extends Error {
  constructor(
    readonly source: string,
    readonly path: string,
    readonly reason: string,
  ) {
    super(`${source}: ${path}: ${reason}`);
    this.name = "RiskInputError";
  }
}

/** Short rendering of an offending value for an error message (JSON, truncated to one line). */
export function describeValue(value: unknown): string {
  if (value === undefined) return "nothing";
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  text = text.replace(/\s+/g, " ");
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** JSON path segment for an object key: `.key` when it is an identifier, `["key"]` otherwise. */
export function keyPath(base: string, key: string): string {
  const segment = /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
  return base === "" ? segment.replace(/^\./, "") : `${base}${segment}`;
}

/** Decimal number as a string: what importers receive from venue APIs. */
export const decimalStringPattern = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
