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
import { decimalStringPattern } from "../errors";
import { formatDecimal, parseDecimal } from "./decimal";
import { readDecimal } from "./fields";

/**
 * A decimal cell as text and double, without the BigInt round trip: for a decimal string,
 * Number(text) is the correctly rounded value of the exact decimal, i.e. the same double as
 * Number(formatDecimal(parseDecimal(text))). Zeros take the exact path (its sign rules).
 */
function readDecimalCell(source: string, line: number, columnName: string, text: string): { text: string; value: number } {
  const value = decimalStringPattern.test(text) ? Number(text) : 0;
  // Not a decimal (the usual error), or a zero whose sign the exact path decides ("-1e-400" is −0).
  if (value === 0) return readDecimal(source, `line ${line}, column ${columnName}`, text);
  return { text, value };
}

/** Canonical text of a decimal cell (equal amounts written differently compare equal). */
const plainDecimal = /^([+-]?)(\d+)(?:\.(\d*))?$/;
function canonicalDecimal(text: string): string {
  const match = plainDecimal.exec(text);
  if (!match) return formatDecimal(parseDecimal(text)); // exponents, ".5": the BigInt path
  // Same text as formatDecimal: no leading zeros, no trailing fractional zeros, no "-0".
  const whole = match[2].replace(/^0+(?=\d)/, "");
  const fraction = (match[3] ?? "").replace(/0+$/, "");
  const digits = fraction ? `${whole}.${fraction}` : whole;
  return match[1] === "-" && digits !== "0" ? `-${digits}` : digits;
}

export const positionsCsvColumns = ["account", "mode", "collateral", "market", "size", "entryPrice", "margin", "mark"] as const;

/** Splits CSV text into rows of fields (RFC 4180: quotes, doubled quotes, CRLF). */
export function parseCsvRows(text: string): string[][] {
  // Unquoted fields (nearly all of a positions export) are sliced out of the text in one go;
  // only quoted fields are assembled character by character.
  const rows: string[][] = [];
  let row: string[] = [];
  const length = text.length;
  let i = 0;
  let atRowEnd = false; // the last field ended the text without a newline
  while (i < length) {
    let field: string;
    if (text.charCodeAt(i) === 34 /* " */) {
      field = "";
      i++;
      let quoted = true;
      while (i < length) {
        const code = text.charCodeAt(i);
        if (quoted) {
          if (code === 34) {
            if (text.charCodeAt(i + 1) === 34) {
              field += '"';
              i += 2;
              continue;
            }
            quoted = false;
            i++;
            continue;
          }
          const close = text.indexOf('"', i);
          const stop = close === -1 ? length : close;
          field += text.slice(i, stop);
          i = stop;
          continue;
        }
        if (code === 44 || code === 10 || code === 13) break;
        if (code === 34) {
          quoted = true;
          i++;
          continue;
        }
        // Text after a closing quote belongs to the same field (as in the character-wise form).
        let stop = i;
        while (stop < length) {
          const c = text.charCodeAt(stop);
          if (c === 44 || c === 10 || c === 13 || c === 34) break;
          stop++;
        }
        field += text.slice(i, stop);
        i = stop;
      }
    } else {
      let stop = i;
      while (stop < length) {
        const c = text.charCodeAt(stop);
        if (c === 44 || c === 10 || c === 13 || c === 34) break;
        stop++;
      }
      field = text.slice(i, stop);
      i = stop;
      if (i < length && text.charCodeAt(i) === 34) {
        // A quote inside an unquoted field opens quoting there (as in the character-wise form).
        let quoted = false;
        while (i < length) {
          const code = text.charCodeAt(i);
          if (quoted) {
            if (code === 34 && text.charCodeAt(i + 1) === 34) {
              field += '"';
              i += 2;
            } else if (code === 34) {
              quoted = false;
              i++;
            } else {
              field += text[i];
              i++;
            }
          } else if (code === 34) {
            quoted = true;
            i++;
          } else if (code === 44 || code === 10 || code === 13) break;
          else {
            field += text[i];
            i++;
          }
        }
      }
    }
    row.push(field);
    if (i >= length) {
      atRowEnd = true;
      break;
    }
    const code = text.charCodeAt(i);
    i++;
    if (code === 44) {
      if (i >= length) {
        // "a," at the very end: a trailing empty field
        row.push("");
        atRowEnd = true;
      }
      continue;
    }
    if (code === 13 && text.charCodeAt(i) === 10) i++;
    rows.push(row);
    row = [];
  }
  if (atRowEnd) rows.push(row);
  return rows.filter((cells) => !(cells.length === 1 && cells[0].trim() === ""));
}

// Plain functions rather than per-row closures: a 1M-row import would otherwise create (and name)
// two closures per row.
const cellText = (cells: string[], index: number): string => (index < 0 ? "" : (cells[index] ?? "").trim());
const cellPath = (line: number, columnName: string): string => `line ${line}, column ${columnName}`;

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
  /** Per cross account: canonical collateral and the raw cell text it came from. */
  const collateralText = new Map<string, string>();
  const collateralCell = new Map<string, string>();
  /** Per market: canonical text of its mark, computed once (rows repeat the same text). */
  const canonicalMarks = new Map<string, string>();
  const columnAccount = column.account;
  const columnMode = column.mode ?? -1;
  const columnCollateral = column.collateral ?? -1;
  const columnMarket = column.market;
  const columnSize = column.size;
  const columnEntryPrice = column.entryPrice;
  const columnMargin = column.margin ?? -1;
  const columnMark = column.mark ?? -1;
  for (let rowIndex = 1; rowIndex < rows.length; rowIndex++) {
    const cells = rows[rowIndex];
    const line = rowIndex + 1;
    const id = cellText(cells, columnAccount);
    if (id === "") throw new RiskInputError(source, cellPath(line, "account"), "expected an account id, got nothing");
    const modeText = cellText(cells, columnMode) || "cross";
    if (modeText !== "cross" && modeText !== "isolated") throw new RiskInputError(source, cellPath(line, "mode"), `expected "cross" or "isolated", got ${JSON.stringify(modeText)}`);
    let account = accounts.get(id);
    if (!account) {
      account = { id, mode: modeText, collateral: 0, positions: [] };
      accounts.set(id, account);
      if (modeText === "cross") {
        const raw = cellText(cells, columnCollateral) || "0";
        const collateral = readDecimalCell(source, line, "collateral", raw);
        const canonical = canonicalDecimal(raw);
        account.collateral = collateral.value;
        account.exact = { collateral: canonical };
        collateralText.set(id, canonical);
        collateralCell.set(id, raw);
      }
    } else if (account.mode !== modeText) {
      throw new RiskInputError(source, cellPath(line, "mode"), `expected ${JSON.stringify(account.mode)} like the account's earlier rows, got ${JSON.stringify(modeText)}`);
    } else if (modeText === "cross") {
      const raw = cellText(cells, columnCollateral);
      // The same text as the first row is the same amount; other spellings are compared exactly.
      if (raw !== "" && raw !== collateralCell.get(id) && canonicalDecimal(readDecimalCell(source, line, "collateral", raw).text) !== collateralText.get(id)) {
        throw new RiskInputError(source, cellPath(line, "collateral"), `expected ${collateralText.get(id)} like the account's earlier rows, got ${JSON.stringify(raw)}`);
      }
    }
    const market = cellText(cells, columnMarket);
    if (market === "") continue;
    const sizeText = cellText(cells, columnSize);
    const entryPriceText = cellText(cells, columnEntryPrice);
    const size = readDecimalCell(source, line, "size", sizeText);
    const entryPrice = readDecimalCell(source, line, "entryPrice", entryPriceText);
    if (!(entryPrice.value > 0)) throw new RiskInputError(source, cellPath(line, "entryPrice"), `expected a positive number, got ${JSON.stringify(entryPriceText)}`);
    const position: Position = { market, size: size.value, entryPrice: entryPrice.value, exact: { size: size.text, entryPrice: entryPrice.text } };
    if (modeText === "isolated") {
      const margin = readDecimalCell(source, line, "margin", cellText(cells, columnMargin));
      position.margin = margin.value;
      position.exact!.margin = margin.text;
    }
    const markText = cellText(cells, columnMark);
    if (markText !== "") {
      // Rows of a market repeat the same mark text: only a different spelling is parsed again.
      if (markText === exactMarks[market]) {
        if (!(marks[market] > 0)) throw new RiskInputError(source, cellPath(line, "mark"), `expected a positive number, got ${JSON.stringify(markText)}`);
      } else {
        const mark = readDecimalCell(source, line, "mark", markText);
        if (!(mark.value > 0)) throw new RiskInputError(source, cellPath(line, "mark"), `expected a positive number, got ${JSON.stringify(markText)}`);
        if (exactMarks[market] !== undefined) {
          let canonical = canonicalMarks.get(market);
          if (canonical === undefined) canonicalMarks.set(market, (canonical = canonicalDecimal(exactMarks[market])));
          const canonicalNew = canonicalDecimal(markText);
          if (canonical !== canonicalNew) throw new RiskInputError(source, cellPath(line, "mark"), `expected ${exactMarks[market]} like earlier rows of ${market}, got ${JSON.stringify(markText)}`);
          canonicalMarks.set(market, canonicalNew);
        }
        marks[market] = mark.value;
        exactMarks[market] = mark.text;
      }
    } else if (marks[market] === undefined) {
      throw new RiskInputError(source, cellPath(line, "mark"), `expected a mark price for ${market} (on this row or passed separately), got nothing`);
    }
    account.positions.push(position);
  }
  return { marks, accounts: [...accounts.values()], insuranceFund: options.insuranceFund ?? 0, exact: { marks: exactMarks } };
}
