// BOOK.json parsing (contract risk-cli.md, "BOOK.json"). Numbers may arrive as JSON numbers or
// as decimal strings ("1234.5678"); strings are kept verbatim in `exact` so a database import can
// store the exact NUMERIC while the engine computes with the double.
import { RiskInputError, decimalStringPattern, describeValue, isRecord, keyPath } from "./errors";
import type { Account, Book, ParamsSet, Position } from "./types";

interface NumberRead {
  value: number;
  exact?: string;
}

type NumberRule = "finite" | "positive" | "nonNegative";

const ruleText: Record<NumberRule, string> = {
  finite: "a finite number",
  positive: "a positive number",
  nonNegative: "a number >= 0",
};

function readNumber(source: string, path: string, raw: unknown, rule: NumberRule): NumberRead {
  let value: number;
  let exact: string | undefined;
  if (typeof raw === "number") {
    value = raw;
  } else if (typeof raw === "string" && decimalStringPattern.test(raw.trim())) {
    exact = raw.trim();
    value = Number(exact);
  } else {
    throw new RiskInputError(source, path, `expected ${ruleText[rule]}, got ${describeValue(raw)}`);
  }
  const ok = Number.isFinite(value) && (rule === "finite" || (rule === "positive" ? value > 0 : value >= 0));
  if (!ok) throw new RiskInputError(source, path, `expected ${ruleText[rule]}, got ${describeValue(raw)}`);
  return exact === undefined ? { value } : { value, exact };
}

/**
 * Parses a BOOK object (already JSON-decoded). Throws RiskInputError naming the first problem,
 * e.g. `book.json: accounts[3].positions[0].size: expected a finite number, got "abc"`.
 * Checks: marks positive; account ids non-empty and unique; mode "cross" | "isolated"; cross
 * accounts have `collateral`, isolated positions have `margin`; entry prices positive; every
 * market a position uses has a mark.
 */
export function parseBook(value: unknown, source = "book.json"): Book {
  if (!isRecord(value)) throw new RiskInputError(source, "$", `expected an object {"marks", "accounts"}, got ${describeValue(value)}`);
  if (!isRecord(value.marks)) throw new RiskInputError(source, "marks", `expected an object of market -> mark price, got ${describeValue(value.marks)}`);
  const marks: Record<string, number> = {};
  const exactMarks: Record<string, string> = {};
  for (const [market, raw] of Object.entries(value.marks)) {
    const read = readNumber(source, keyPath("marks", market), raw, "positive");
    marks[market] = read.value;
    if (read.exact !== undefined) exactMarks[market] = read.exact;
  }
  if (!Array.isArray(value.accounts)) throw new RiskInputError(source, "accounts", `expected an array of accounts, got ${describeValue(value.accounts)}`);
  const seenIds = new Set<string>();
  const accounts: Account[] = value.accounts.map((rawAccount: unknown, accountIndex: number) => {
    const accountPath = `accounts[${accountIndex}]`;
    if (!isRecord(rawAccount)) throw new RiskInputError(source, accountPath, `expected an account object, got ${describeValue(rawAccount)}`);
    const id = typeof rawAccount.id === "number" ? String(rawAccount.id) : rawAccount.id;
    if (typeof id !== "string" || id === "") throw new RiskInputError(source, `${accountPath}.id`, `expected a non-empty string, got ${describeValue(rawAccount.id)}`);
    if (seenIds.has(id)) throw new RiskInputError(source, `${accountPath}.id`, `expected a unique account id, got ${describeValue(id)} twice`);
    seenIds.add(id);
    const mode = rawAccount.mode ?? "cross";
    if (mode !== "cross" && mode !== "isolated") throw new RiskInputError(source, `${accountPath}.mode`, `expected "cross" or "isolated", got ${describeValue(mode)}`);
    const account: Account = { id, mode, collateral: 0, positions: [] };
    if (mode === "cross") {
      if (rawAccount.collateral === undefined) throw new RiskInputError(source, `${accountPath}.collateral`, "expected a finite number (cross accounts need collateral), got nothing");
      const collateral = readNumber(source, `${accountPath}.collateral`, rawAccount.collateral, "finite");
      account.collateral = collateral.value;
      if (collateral.exact !== undefined) account.exact = { collateral: collateral.exact };
    }
    const rawPositions = rawAccount.positions ?? [];
    if (!Array.isArray(rawPositions)) throw new RiskInputError(source, `${accountPath}.positions`, `expected an array of positions, got ${describeValue(rawPositions)}`);
    account.positions = rawPositions.map((rawPosition: unknown, positionIndex: number): Position => {
      const positionPath = `${accountPath}.positions[${positionIndex}]`;
      if (!isRecord(rawPosition)) throw new RiskInputError(source, positionPath, `expected a position object, got ${describeValue(rawPosition)}`);
      const market = rawPosition.market;
      if (typeof market !== "string" || market === "") throw new RiskInputError(source, `${positionPath}.market`, `expected a market name, got ${describeValue(market)}`);
      if (!(market in marks)) throw new RiskInputError(source, `${positionPath}.market`, `expected a market with a mark in "marks", got ${describeValue(market)}`);
      const size = readNumber(source, `${positionPath}.size`, rawPosition.size, "finite");
      const entryPrice = readNumber(source, `${positionPath}.entryPrice`, rawPosition.entryPrice, "positive");
      const position: Position = { market, size: size.value, entryPrice: entryPrice.value };
      const exact: NonNullable<Position["exact"]> = {};
      if (size.exact !== undefined) exact.size = size.exact;
      if (entryPrice.exact !== undefined) exact.entryPrice = entryPrice.exact;
      if (mode === "isolated") {
        if (rawPosition.margin === undefined) throw new RiskInputError(source, `${positionPath}.margin`, "expected a finite number (isolated positions need margin), got nothing");
        const margin = readNumber(source, `${positionPath}.margin`, rawPosition.margin, "finite");
        position.margin = margin.value;
        if (margin.exact !== undefined) exact.margin = margin.exact;
      }
      if (Object.keys(exact).length > 0) position.exact = exact;
      return position;
    });
    return account;
  });
  let insuranceFund = 0;
  let exactInsuranceFund: string | undefined;
  if (value.insuranceFund !== undefined) {
    const read = readNumber(source, "insuranceFund", value.insuranceFund, "nonNegative");
    insuranceFund = read.value;
    exactInsuranceFund = read.exact;
  }
  const book: Book = { marks, accounts, insuranceFund };
  if (Object.keys(exactMarks).length > 0 || exactInsuranceFund !== undefined) {
    book.exact = {};
    if (Object.keys(exactMarks).length > 0) book.exact.marks = exactMarks;
    if (exactInsuranceFund !== undefined) book.exact.insuranceFund = exactInsuranceFund;
  }
  return book;
}

/** Throws when the book uses a market the parameter set does not cover. */
export function assertParamsCoverBook(book: Book, params: ParamsSet, paramsSource = "params.json"): void {
  for (const market of Object.keys(book.marks)) {
    if (params.markets[market]) continue;
    const used = book.accounts.some((account) => account.positions.some((position) => position.market === market));
    if (used) throw new RiskInputError(paramsSource, keyPath("markets", market), `expected parameters for market ${market} (used in the book), got nothing`);
  }
}
