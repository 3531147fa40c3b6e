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
//
// `readPositionsCsv` is the one reader: it validates every row and returns column arrays (exact
// text and doubles, no object per row), which the snapshot import writes to the database as they
// are; `importPositionsCsv` builds the Book of the same rows from them.
import { RiskInputError, describeValue } from "../errors";
import type { Account, Book, Position } from "../types";
import { decimalStringPattern } from "../errors";
import { decimalLimitProblem, decimalToNumber, formatDecimal, parseDecimal, plainDecimalFit, type DecimalLimits } from "./decimal";
import { readDecimal } from "./fields";

export const positionsCsvColumns = ["account", "mode", "collateral", "market", "size", "entryPrice", "margin", "mark"] as const;

/** Line breaks in a quoted field (CRLF, CR or LF each count one), for physical line numbers. */
function lineBreaks(text: string): number {
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 10 || (code === 13 && text.charCodeAt(i + 1) !== 10)) count++;
  }
  return count;
}

/**
 * RFC 4180 rows of a CSV text, read one at a time into a reused `cells` array (no array per row).
 * Unquoted fields (nearly all of a positions export) are sliced out of the text in one go; only
 * quoted fields are assembled character by character. Blank rows are skipped. `line` is the
 * physical line (1-based) where the current row starts.
 */
export class CsvRowReader {
  readonly cells: string[] = [];
  count = 0;
  line = 0;
  private i = 0;
  private nextLine = 1;
  /** The text ended with "a," : one more (empty) field, already pushed. */
  private done = false;

  constructor(private readonly text: string) {}

  /** Reads the next non-blank row; false at the end of the text. */
  next(): boolean {
    while (!this.done && this.i < this.text.length) {
      this.readRow();
      if (!(this.count === 1 && this.cells[0].trim() === "")) return true;
    }
    return false;
  }

  private push(field: string): void {
    this.cells[this.count++] = field;
  }

  private readRow(): void {
    const text = this.text;
    const length = text.length;
    let i = this.i;
    this.count = 0;
    this.line = this.nextLine;
    for (;;) {
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
            const part = text.slice(i, stop);
            this.nextLine += lineBreaks(part);
            field += part;
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
                if (code === 10 || (code === 13 && text.charCodeAt(i + 1) !== 10)) this.nextLine++;
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
      this.push(field);
      if (i >= length) break;
      const code = text.charCodeAt(i);
      i++;
      if (code === 44) {
        if (i >= length) {
          // "a," at the very end: a trailing empty field
          this.push("");
          this.done = true;
          break;
        }
        continue;
      }
      if (code === 13 && text.charCodeAt(i) === 10) i++;
      this.nextLine++;
      break;
    }
    this.i = i;
  }
}

/** Splits CSV text into rows of fields (RFC 4180: quotes, doubled quotes, CRLF); blank rows dropped. */
export function parseCsvRows(text: string): string[][] {
  const rows: string[][] = [];
  const reader = new CsvRowReader(text);
  while (reader.next()) rows.push(reader.cells.slice(0, reader.count));
  return rows;
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

const cellPath = (line: number, columnName: string): string => `line ${line}, column ${columnName}`;

/**
 * The double of a decimal cell, without the BigInt round trip for plain decimals: Number(text) is
 * the correctly rounded value of the exact decimal, i.e. the same double as
 * Number(formatDecimal(parseDecimal(text))). Zeros take the exact path (its sign rules: "-0.0" is
 * +0, "-1e-400" is −0); exponent forms take it too. The text itself is what gets stored.
 */
function amountCell(source: string, line: number, columnName: string, text: string, limits: DecimalLimits | undefined): number {
  const fit = plainDecimalFit(text, limits);
  if (fit === "fits") {
    const value = Number(text);
    return value !== 0 ? value : decimalToNumber(parseDecimal(text));
  }
  if (fit === null && !decimalStringPattern.test(text)) throw new RiskInputError(source, cellPath(line, columnName), `expected a decimal number (string), got ${describeValue(text)}`);
  const problem = limits ? decimalLimitProblem(text, limits) : null;
  if (problem) throw new RiskInputError(source, cellPath(line, columnName), problem);
  return decimalToNumber(parseDecimal(text));
}

/** A positions CSV as columns: accounts in order of first appearance, positions in file order. */
export type PositionsCsvTable = {
  accountIds: string[];
  accountIsolated: Uint8Array;
  /** Cross accounts; 0 for isolated ones. */
  accountCollateral: Float64Array;
  /** Canonical decimal text of the collateral ("0" for isolated accounts). */
  accountCollateralText: string[];
  /** Index into the account columns. */
  positionAccount: Int32Array;
  /** Physical line of the position's row (1-based). */
  positionLine: Int32Array;
  positionMarket: string[];
  positionSize: Float64Array;
  positionSizeText: string[];
  positionEntryPrice: Float64Array;
  positionEntryPriceText: string[];
  /** Isolated positions; 0 (and text "") for cross ones. */
  positionMargin: Float64Array;
  positionMarginText: string[];
  marks: Record<string, number>;
  /** The mark's text as written (the last spelling seen when rows spell it differently). */
  exactMarks: Record<string, string>;
};

export type PositionsCsvOptions = {
  marks?: Record<string, number | string>;
  /** Refuse amounts that would not be stored exactly (checked per cell, so errors name line and column). */
  decimalLimits?: DecimalLimits;
};

/** Upper bound of data rows: line breaks + 1 (quoted line breaks only make it looser). */
function rowCapacity(text: string): number {
  let count = 1;
  for (let at = text.indexOf("\n"); at !== -1; at = text.indexOf("\n", at + 1)) count++;
  if (count === 1) for (let at = text.indexOf("\r"); at !== -1; at = text.indexOf("\r", at + 1)) count++;
  return count;
}

const cellText = (cells: string[], count: number, index: number): string => (index < 0 || index >= count ? "" : cells[index].trim());

/** Reads and validates a positions CSV into columns; bad input throws RiskInputError naming line and column. */
export function readPositionsCsv(text: string, source = "positions.csv", options: PositionsCsvOptions = {}): PositionsCsvTable {
  const reader = new CsvRowReader(text);
  if (!reader.next()) throw new RiskInputError(source, "line 1", "expected a header row, got an empty file");
  const header = reader.cells.slice(0, reader.count).map((cell) => cell.trim());
  const headerLine = reader.line;
  const column: Record<string, number> = {};
  header.forEach((name, index) => (column[name] = index));
  for (const required of ["account", "market", "size", "entryPrice"]) {
    if (column[required] === undefined) throw new RiskInputError(source, `line ${headerLine}`, `expected a column "${required}" (columns: ${positionsCsvColumns.join(",")}), got ${header.join(",")}`);
  }
  const limits = options.decimalLimits;
  const marks: Record<string, number> = {};
  const exactMarks: Record<string, string> = {};
  for (const [market, raw] of Object.entries(options.marks ?? {})) {
    const mark = readDecimal(source, `marks[${JSON.stringify(market)}]`, raw);
    marks[market] = mark.value;
    exactMarks[market] = mark.text;
  }
  const capacity = rowCapacity(text);
  const table: PositionsCsvTable = {
    accountIds: [],
    accountIsolated: new Uint8Array(capacity),
    accountCollateral: new Float64Array(capacity),
    accountCollateralText: [],
    positionAccount: new Int32Array(capacity),
    positionLine: new Int32Array(capacity),
    positionMarket: [],
    positionSize: new Float64Array(capacity),
    positionSizeText: [],
    positionEntryPrice: new Float64Array(capacity),
    positionEntryPriceText: [],
    positionMargin: new Float64Array(capacity),
    positionMarginText: [],
    marks,
    exactMarks,
  };
  const accountIndex = new Map<string, number>();
  /** Per account: the raw collateral cell of its first row (the same text later is the same amount). */
  const collateralCell: string[] = [];
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
  const cells = reader.cells;
  let positions = 0;
  while (reader.next()) {
    const count = reader.count;
    const line = reader.line;
    const id = cellText(cells, count, columnAccount);
    if (id === "") throw new RiskInputError(source, cellPath(line, "account"), "expected an account id, got nothing");
    const modeText = cellText(cells, count, columnMode) || "cross";
    if (modeText !== "cross" && modeText !== "isolated") throw new RiskInputError(source, cellPath(line, "mode"), `expected "cross" or "isolated", got ${JSON.stringify(modeText)}`);
    const isolated = modeText === "isolated";
    let a = accountIndex.get(id);
    if (a === undefined) {
      a = table.accountIds.length;
      accountIndex.set(id, a);
      table.accountIds.push(id);
      table.accountIsolated[a] = isolated ? 1 : 0;
      if (isolated) {
        table.accountCollateralText.push("0");
        collateralCell.push("");
      } else {
        const raw = cellText(cells, count, columnCollateral) || "0";
        table.accountCollateral[a] = amountCell(source, line, "collateral", raw, limits);
        table.accountCollateralText.push(canonicalDecimal(raw));
        collateralCell.push(raw);
      }
    } else if ((table.accountIsolated[a] === 1) !== isolated) {
      throw new RiskInputError(source, cellPath(line, "mode"), `expected ${JSON.stringify(isolated ? "cross" : "isolated")} like the account's earlier rows, got ${JSON.stringify(modeText)}`);
    } else if (!isolated) {
      const raw = cellText(cells, count, columnCollateral);
      // The same text as the first row is the same amount; other spellings are compared exactly.
      if (raw !== "" && raw !== collateralCell[a]) {
        amountCell(source, line, "collateral", raw, undefined);
        if (canonicalDecimal(raw) !== table.accountCollateralText[a]) {
          throw new RiskInputError(source, cellPath(line, "collateral"), `expected ${table.accountCollateralText[a]} like the account's earlier rows, got ${JSON.stringify(raw)}`);
        }
      }
    }
    const market = cellText(cells, count, columnMarket);
    if (market === "") continue;
    const sizeText = cellText(cells, count, columnSize);
    const entryPriceText = cellText(cells, count, columnEntryPrice);
    const size = amountCell(source, line, "size", sizeText, limits);
    const entryPrice = amountCell(source, line, "entryPrice", entryPriceText, limits);
    if (!(entryPrice > 0)) throw new RiskInputError(source, cellPath(line, "entryPrice"), `expected a positive number, got ${JSON.stringify(entryPriceText)}`);
    let marginText = "";
    let margin = 0;
    if (isolated) {
      marginText = cellText(cells, count, columnMargin);
      margin = amountCell(source, line, "margin", marginText, limits);
    }
    const markText = cellText(cells, count, columnMark);
    if (markText !== "") {
      // Rows of a market repeat the same mark text: only a different spelling is parsed again.
      if (markText === exactMarks[market]) {
        if (!(marks[market] > 0)) throw new RiskInputError(source, cellPath(line, "mark"), `expected a positive number, got ${JSON.stringify(markText)}`);
      } else {
        const mark = amountCell(source, line, "mark", markText, undefined);
        if (!(mark > 0)) throw new RiskInputError(source, cellPath(line, "mark"), `expected a positive number, got ${JSON.stringify(markText)}`);
        if (exactMarks[market] !== undefined) {
          let canonical = canonicalMarks.get(market);
          if (canonical === undefined) canonicalMarks.set(market, (canonical = canonicalDecimal(exactMarks[market])));
          const canonicalNew = canonicalDecimal(markText);
          if (canonical !== canonicalNew) throw new RiskInputError(source, cellPath(line, "mark"), `expected ${exactMarks[market]} like earlier rows of ${market}, got ${JSON.stringify(markText)}`);
          canonicalMarks.set(market, canonicalNew);
        }
        marks[market] = mark;
        exactMarks[market] = markText;
      }
    } else if (marks[market] === undefined) {
      throw new RiskInputError(source, cellPath(line, "mark"), `expected a mark price for ${market} (on this row or passed separately), got nothing`);
    }
    const p = positions++;
    table.positionAccount[p] = a;
    table.positionLine[p] = line;
    table.positionMarket.push(market);
    table.positionSize[p] = size;
    table.positionSizeText.push(sizeText);
    table.positionEntryPrice[p] = entryPrice;
    table.positionEntryPriceText.push(entryPriceText);
    table.positionMargin[p] = margin;
    table.positionMarginText.push(marginText);
  }
  const accounts = table.accountIds.length;
  table.accountIsolated = table.accountIsolated.subarray(0, accounts);
  table.accountCollateral = table.accountCollateral.subarray(0, accounts);
  table.positionAccount = table.positionAccount.subarray(0, positions);
  table.positionLine = table.positionLine.subarray(0, positions);
  table.positionSize = table.positionSize.subarray(0, positions);
  table.positionEntryPrice = table.positionEntryPrice.subarray(0, positions);
  table.positionMargin = table.positionMargin.subarray(0, positions);
  return table;
}

/** The Book of a positions CSV: accounts in order of first appearance, each with its positions in file order. */
export function importPositionsCsv(text: string, source = "positions.csv", options: { marks?: Record<string, number | string>; insuranceFund?: number } = {}): Book {
  const table = readPositionsCsv(text, source, { marks: options.marks });
  const accounts: Account[] = table.accountIds.map((id, a) =>
    table.accountIsolated[a] === 1
      ? { id, mode: "isolated", collateral: 0, positions: [] }
      : { id, mode: "cross", collateral: table.accountCollateral[a], positions: [], exact: { collateral: table.accountCollateralText[a] } },
  );
  for (let p = 0; p < table.positionMarket.length; p++) {
    const account = accounts[table.positionAccount[p]];
    const position: Position = { market: table.positionMarket[p], size: table.positionSize[p], entryPrice: table.positionEntryPrice[p], exact: { size: table.positionSizeText[p], entryPrice: table.positionEntryPriceText[p] } };
    if (account.mode === "isolated") {
      position.margin = table.positionMargin[p];
      position.exact!.margin = table.positionMarginText[p];
    }
    account.positions.push(position);
  }
  return { marks: table.marks, accounts, insuranceFund: options.insuranceFund ?? 0, exact: { marks: table.exactMarks } };
}
