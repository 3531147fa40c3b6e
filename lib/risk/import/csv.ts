// Positions CSV → snapshot. One row per position (or per position-less cross account), header
// required, comma-separated, RFC 4180 quoting ("a,b" and "" inside quotes):
//
//   account,mode,collateral,market,size,entryPrice,margin,mark
//   a1,cross,1000,ETH-USD,-1.5,3000,,3000
//   a1,cross,1000,SOL-USD,10,175,,175
//   a2,isolated,,ETH-USD,-3,3000,1000,3000
//
// - account: id; rows of one account may be anywhere, in order of their positions;
// - mode: cross | isolated (default cross);
// - collateral: cross accounts, quote amount before unrealised PnL, same on every row of the account;
// - market, size (signed, long > 0), entryPrice: the position; empty market = account without position;
// - margin: isolated positions only;
// - mark: mark price of the row's market (same on every row of a market); optional when marks are
//   passed separately.
// Numbers are kept as the exact text (Book.exact) beside the double.
import { RiskInputError } from "../errors";
import type { Account, Book, Position } from "../types";
import { formatDecimal } from "./decimal";
import { readDecimal } from "./fields";

export const positionsCsvColumns = ["account", "mode", "collateral", "market", "size", "entryPrice", "margin", "mark"] as const;

/** Splits CSV text into rows of fields (RFC 4180: quotes, doubled quotes, CRLF). */
export function parseCsvRows(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"') quoted = true;
    else if (char === ",") {
      row.push(field);
      field = "";
    } else if (char === "\n" || char === "\r") {
      if (char === "\r" && text[i + 1] === "\n") i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
    } else field += char;
  }
  if (field !== "" || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows.filter((cells) => !(cells.length === 1 && cells[0].trim() === ""));
}

export function importPositionsCsv(text: string, source = "positions.csv", options: { marks?: Record<string, number | string>; insuranceFund?: number } = {}): Book {
  const rows = parseCsvRows(text);
  if (rows.length === 0) throw new RiskInputError(source, "line 1", "expected a header row, got an empty file");
  const header = rows[0].map((cell) => cell.trim());
  const column: Record<string, number> = {};
  header.forEach((name, index) => (column[name] = index));
  for (const required of ["account", "market", "size", "entryPrice"]) {
    if (column[required] === undefined) throw new RiskInputError(source, "line 1", `expected a column "${required}" (columns: ${positionsCsvColumns.join(",")}), got ${header.join(",")}`);
  }
  const marks: Record<string, number> = {};
  const exactMarks: Record<string, string> = {};
  for (const [market, raw] of Object.entries(options.marks ?? {})) {
    const mark = readDecimal(source, `marks[${JSON.stringify(market)}]`, raw);
    marks[market] = mark.value;
    exactMarks[market] = mark.text;
  }
  const accounts = new Map<string, Account>();
  const collateralText = new Map<string, string>();
  rows.slice(1).forEach((cells, rowIndex) => {
    const line = rowIndex + 2;
    const cell = (name: string) => (column[name] === undefined ? "" : (cells[column[name]] ?? "").trim());
    const where = (name: string) => `line ${line}, column ${name}`;
    const id = cell("account");
    if (id === "") throw new RiskInputError(source, where("account"), "expected an account id, got nothing");
    const modeText = cell("mode") || "cross";
    if (modeText !== "cross" && modeText !== "isolated") throw new RiskInputError(source, where("mode"), `expected "cross" or "isolated", got ${JSON.stringify(modeText)}`);
    let account = accounts.get(id);
    if (!account) {
      account = { id, mode: modeText, collateral: 0, positions: [] };
      accounts.set(id, account);
      if (modeText === "cross") {
        const collateral = readDecimal(source, where("collateral"), cell("collateral") || "0");
        account.collateral = collateral.value;
        account.exact = { collateral: formatDecimal(collateral.decimal) };
        collateralText.set(id, formatDecimal(collateral.decimal));
      }
    } else if (account.mode !== modeText) {
      throw new RiskInputError(source, where("mode"), `expected ${JSON.stringify(account.mode)} like the account's earlier rows, got ${JSON.stringify(modeText)}`);
    } else if (modeText === "cross" && cell("collateral") !== "" && formatDecimal(readDecimal(source, where("collateral"), cell("collateral")).decimal) !== collateralText.get(id)) {
      throw new RiskInputError(source, where("collateral"), `expected ${collateralText.get(id)} like the account's earlier rows, got ${JSON.stringify(cell("collateral"))}`);
    }
    const market = cell("market");
    if (market === "") return;
    const size = readDecimal(source, where("size"), cell("size"));
    const entryPrice = readDecimal(source, where("entryPrice"), cell("entryPrice"));
    if (!(entryPrice.value > 0)) throw new RiskInputError(source, where("entryPrice"), `expected a positive number, got ${JSON.stringify(cell("entryPrice"))}`);
    const position: Position = { market, size: size.value, entryPrice: entryPrice.value, exact: { size: size.text, entryPrice: entryPrice.text } };
    if (modeText === "isolated") {
      const margin = readDecimal(source, where("margin"), cell("margin"));
      position.margin = margin.value;
      position.exact!.margin = margin.text;
    }
    const markText = cell("mark");
    if (markText !== "") {
      const mark = readDecimal(source, where("mark"), markText);
      if (!(mark.value > 0)) throw new RiskInputError(source, where("mark"), `expected a positive number, got ${JSON.stringify(markText)}`);
      if (exactMarks[market] !== undefined && formatDecimal(readDecimal(source, where("mark"), exactMarks[market]).decimal) !== formatDecimal(mark.decimal)) {
        throw new RiskInputError(source, where("mark"), `expected ${exactMarks[market]} like earlier rows of ${market}, got ${JSON.stringify(markText)}`);
      }
      marks[market] = mark.value;
      exactMarks[market] = mark.text;
    } else if (marks[market] === undefined) {
      throw new RiskInputError(source, where("mark"), `expected a mark price for ${market} (on this row or passed separately), got nothing`);
    }
    account.positions.push(position);
  });
  return { marks, accounts: [...accounts.values()], insuranceFund: options.insuranceFund ?? 0, exact: { marks: exactMarks } };
}
