// BOOK.json text → snapshot (contract risk-cli.md). Numbers may be JSON numbers or decimal
// strings; strings are kept verbatim (see book.ts). To keep full precision, write decimals as
// strings: JSON numbers go through a double when parsed.
import { parseBook } from "../book";
import { RiskInputError } from "../errors";
import type { Book } from "../types";

export function importBookJson(text: string, source = "book.json"): Book {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new RiskInputError(source, "$", `expected valid JSON, got ${(error as Error).message.split("\n")[0]}`);
  }
  return parseBook(raw, source);
}
