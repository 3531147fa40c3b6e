// importPositionsCsv fast paths (no BigInt per amount, mark text compared before re-parsing) must
// give the same book as the exact decimal path: values are the doubles of the exact decimals, the
// exact texts are kept verbatim (collateral canonical), and equal amounts spelled differently
// are still accepted while different amounts are still rejected with line/column.
import { describe, expect, it } from "vitest";
import { importPositionsCsv, parseCsvRows, positionsCsvColumns, readPositionsCsv } from "./csv";
import { decimalToNumber, formatDecimal, parseDecimal } from "./decimal";
import { readDecimal } from "./fields";
import { RiskInputError } from "../errors";
import type { Account, Book, Position } from "../types";
import { mulberry32 } from "../../../bench/risk/generate";

const header = "account,mode,collateral,market,size,entryPrice,margin,mark";

describe("importPositionsCsv exact decimals", () => {
  it("values equal the exact decimal path for unusual spellings", () => {
    const spellings = ["007.50", "+5", "5.", ".25", "1e3", "-2.5E-2", "0.1", "123456789.123456789123", "-1e-400", "1e400"];
    for (const text of spellings) {
      const csv = `${header}\na1,cross,${text},ETH-USD,${text},3000,,3000\n`;
      const book = importPositionsCsv(csv);
      const exact = decimalToNumber(parseDecimal(text));
      expect(Object.is(book.accounts[0].positions[0].size, exact), `size ${text}`).toBe(true);
      expect(book.accounts[0].positions[0].exact?.size).toBe(text);
      expect(Object.is(book.accounts[0].collateral, exact), `collateral ${text}`).toBe(true);
      expect(book.accounts[0].exact?.collateral).toBe(formatDecimal(parseDecimal(text)));
    }
  });

  it("keeps -1e-400 as −0 like the exact path", () => {
    const book = importPositionsCsv(`${header}\na1,cross,1,ETH-USD,-1e-400,3000,,3000\n`);
    expect(Object.is(book.accounts[0].positions[0].size, -0)).toBe(true);
  });

  it("accepts equal collateral and marks spelled differently, rejects different ones", () => {
    const ok = [header, "a1,cross,1000,ETH-USD,1,3000,,3000", "a1,cross,1000.00,ETH-USD,2,3000,,3000.0", "a2,cross,5,ETH-USD,1,3000,,3e3", "a3,isolated,,ETH-USD,-1,2990,100,3000"].join("\n");
    const book = importPositionsCsv(ok);
    expect(book.marks["ETH-USD"]).toBe(3000);
    expect(book.exact?.marks?.["ETH-USD"]).toBe("3000");
    expect(book.accounts.map((account) => [account.id, account.collateral, account.positions.length])).toEqual([["a1", 1000, 2], ["a2", 5, 1], ["a3", 0, 1]]);
    expect(book.accounts[2].positions[0]).toMatchObject({ size: -1, entryPrice: 2990, margin: 100, exact: { size: "-1", entryPrice: "2990", margin: "100" } });
    expect(() => importPositionsCsv([header, "a1,cross,1000,ETH-USD,1,3000,,3000", "a1,cross,1000.01,ETH-USD,2,3000,,3000"].join("\n"))).toThrow(
      'positions.csv: line 3, column collateral: expected 1000 like the account\'s earlier rows, got "1000.01"',
    );
    expect(() => importPositionsCsv([header, "a1,cross,1,ETH-USD,1,3000,,3000", "a2,cross,1,ETH-USD,1,3000,,3000.5"].join("\n"))).toThrow(
      'positions.csv: line 3, column mark: expected 3000 like earlier rows of ETH-USD, got "3000.5"',
    );
    expect(() => importPositionsCsv([header, "a1,cross,1,ETH-USD,1,3000,,0"].join("\n"), "p.csv", { marks: { "ETH-USD": "0" } })).toThrow(
      'p.csv: line 2, column mark: expected a positive number, got "0"',
    );
    expect(() => importPositionsCsv([header, "a1,isolated,,ETH-USD,1,3000,1x,3000"].join("\n"))).toThrow('positions.csv: line 2, column margin: expected a decimal number (string), got "1x"');
    expect(() => importPositionsCsv([header, "a1,cross,1,ETH-USD,1,-3000,,3000"].join("\n"))).toThrow('positions.csv: line 2, column entryPrice: expected a positive number, got "-3000"');
  });
});

describe("parseCsvRows", () => {
  it("splits quoted fields, doubled quotes, CRLF and a trailing comma", () => {
    expect(parseCsvRows('a,"b,c",d\r\n"x""y",,z\n\n"q"r,s,')).toEqual([["a", "b,c", "d"], ['x"y', "", "z"], ["qr", "s", ""]]);
    expect(parseCsvRows('a"b,c"d\n')).toEqual([["ab,cd"]]);
  });
});

/**
 * The positions CSV rules (header comment of csv.ts) written the straightforward way: rows as
 * arrays, every amount through the exact BigInt decimal path. `readPositionsCsv` must give the
 * same books and the same first error.
 */
function referenceImport(text: string, source = "positions.csv"): Book {
  const rows = parseCsvRows(text);
  if (rows.length === 0) throw new RiskInputError(source, "line 1", "expected a header row, got an empty file");
  const header = rows[0].map((cell) => cell.trim());
  const column = (name: string) => header.lastIndexOf(name);
  for (const required of ["account", "market", "size", "entryPrice"]) {
    if (column(required) < 0) throw new RiskInputError(source, "line 1", `expected a column "${required}" (columns: ${positionsCsvColumns.join(",")}), got ${header.join(",")}`);
  }
  const accounts = new Map<string, Account>();
  const marks: Record<string, number> = {};
  const exactMarks: Record<string, string> = {};
  const canonical = (text: string) => formatDecimal(parseDecimal(text));
  for (let r = 1; r < rows.length; r++) {
    const cell = (name: string) => (column(name) < 0 ? "" : (rows[r][column(name)] ?? "").trim());
    const at = (name: string) => `line ${r + 1}, column ${name}`;
    const amount = (name: string, value: string) => readDecimal(source, at(name), value);
    const id = cell("account");
    if (id === "") throw new RiskInputError(source, at("account"), "expected an account id, got nothing");
    const mode = cell("mode") || "cross";
    if (mode !== "cross" && mode !== "isolated") throw new RiskInputError(source, at("mode"), `expected "cross" or "isolated", got ${JSON.stringify(mode)}`);
    let account = accounts.get(id);
    if (!account) {
      account = { id, mode, collateral: 0, positions: [] };
      if (mode === "cross") {
        const collateral = amount("collateral", cell("collateral") || "0");
        account.collateral = collateral.value;
        account.exact = { collateral: canonical(collateral.text) };
      }
      accounts.set(id, account);
    } else if (account.mode !== mode) {
      throw new RiskInputError(source, at("mode"), `expected ${JSON.stringify(account.mode)} like the account's earlier rows, got ${JSON.stringify(mode)}`);
    } else if (mode === "cross" && cell("collateral") !== "" && canonical(amount("collateral", cell("collateral")).text) !== account.exact?.collateral) {
      throw new RiskInputError(source, at("collateral"), `expected ${account.exact?.collateral} like the account's earlier rows, got ${JSON.stringify(cell("collateral"))}`);
    }
    const market = cell("market");
    if (market === "") continue;
    const size = amount("size", cell("size"));
    const entryPrice = amount("entryPrice", cell("entryPrice"));
    if (!(entryPrice.value > 0)) throw new RiskInputError(source, at("entryPrice"), `expected a positive number, got ${JSON.stringify(cell("entryPrice"))}`);
    const position: Position = { market, size: size.value, entryPrice: entryPrice.value, exact: { size: size.text, entryPrice: entryPrice.text } };
    if (mode === "isolated") {
      const margin = amount("margin", cell("margin"));
      position.margin = margin.value;
      position.exact!.margin = margin.text;
    }
    const markText = cell("mark");
    if (markText !== "") {
      const mark = amount("mark", markText);
      if (!(mark.value > 0)) throw new RiskInputError(source, at("mark"), `expected a positive number, got ${JSON.stringify(markText)}`);
      if (exactMarks[market] !== undefined && canonical(exactMarks[market]) !== canonical(markText)) {
        throw new RiskInputError(source, at("mark"), `expected ${exactMarks[market]} like earlier rows of ${market}, got ${JSON.stringify(markText)}`);
      }
      marks[market] = mark.value;
      exactMarks[market] = mark.text;
    } else if (marks[market] === undefined) {
      throw new RiskInputError(source, at("mark"), `expected a mark price for ${market} (on this row or passed separately), got nothing`);
    }
    account.positions.push(position);
  }
  return { marks, accounts: [...accounts.values()], insuranceFund: 0, exact: { marks: exactMarks } };
}

function outcome(work: () => Book): string {
  try {
    return JSON.stringify(work());
  } catch (error) {
    return `error: ${(error as Error).message}`;
  }
}

describe("readPositionsCsv against the straightforward reader", () => {
  it("gives the same books and the same first error on random files", () => {
    const random = mulberry32(20261125);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
    const amounts = ["1", "-1.5", "0.000000000000000001", "007.50", "+5", "5.", ".25", "1e3", "-2.5E-2", "0", "-0.0", "3000", "3000.0", "3e3", "123456789.123456789123", "-1e-400"];
    const prices = ["3000", "3000.0", "3e3", "0.25", ".25", "123456789.123456789123", "1e3"];
    const junk = ["", "abc", "1x", "--1", "1..2", "e5", " ", "-3000", "0"];
    const spellings: Record<string, string[]> = { "1000": ["1000", "1000.00", "1e3", "+1000."], "3000": ["3000", "3000.0", "3e3"], "175": ["175", "175.000"] };
    let errors = 0;
    for (let file = 0; file < 400; file++) {
      // A third of the files are messy (bad cells, inconsistent rows); the rest are valid unless chance says otherwise.
      const messy = random() < 0.33;
      const bad = () => messy && random() < 0.08;
      const columns = random() < 0.9 ? [...positionsCsvColumns] : [...positionsCsvColumns].sort(() => random() - 0.5).slice(0, 4 + Math.floor(random() * 5));
      const lines = [columns.join(",")];
      const accountModes = new Map<string, string>();
      const accountCollateral = new Map<string, string>();
      const marketMarks = new Map<string, string>();
      const rows = 1 + Math.floor(random() * 12);
      for (let r = 0; r < rows; r++) {
        const id = bad() ? "" : `a${Math.floor(random() * 5)}`;
        const mode = bad() ? pick(["portfolio", "cross", "isolated"]) : (accountModes.get(id) ?? pick(["cross", "isolated", ""]));
        if (!accountModes.has(id)) accountModes.set(id, mode);
        if (!accountCollateral.has(id)) accountCollateral.set(id, pick(["1000", "175"]));
        const market = random() < 0.1 ? "" : pick(["ETH-USD", "BTC-USD", "SOL-USD"]);
        if (!marketMarks.has(market)) marketMarks.set(market, pick(["3000", "175"]));
        const values: Record<string, string> = {
          account: id,
          mode,
          collateral: bad() ? pick(junk) : random() < 0.3 ? "" : pick(spellings[accountCollateral.get(id)!]),
          market,
          size: bad() ? pick(junk) : pick(amounts),
          entryPrice: bad() ? pick(junk) : pick(prices),
          margin: bad() ? pick(junk) : pick(amounts),
          mark: bad() ? pick(["3001", "0", "x", ""]) : random() < 0.15 && r > 0 ? "" : pick(spellings[marketMarks.get(market)!]),
        };
        lines.push(columns.map((name) => (random() < 0.05 ? `"${values[name]}"` : values[name])).join(","));
      }
      const text = lines.join(random() < 0.5 ? "\n" : "\r\n") + (random() < 0.5 ? "\n" : "");
      const expected = outcome(() => referenceImport(text));
      expect(outcome(() => importPositionsCsv(text)), text).toBe(expected);
      if (expected.startsWith("error")) errors++;
    }
    // Both sides of the comparison are exercised.
    expect(errors).toBeGreaterThan(80);
    expect(errors).toBeLessThan(320);
  });

  it("columns carry the exact texts, doubles and file order; errors name the physical line", () => {
    const table = readPositionsCsv(`${header}\n\na2,isolated,,ETH-USD,-3,3000.50,1000,3000\n"a\n1",cross,1e3,BTC-USD,0.5,60000,,60000\na2,isolated,,BTC-USD,1,60000,10,\n`);
    expect(table.accountIds).toEqual(["a2", "a\n1"]);
    expect([...table.accountIsolated]).toEqual([1, 0]);
    expect(table.accountCollateralText).toEqual(["0", "1000"]);
    expect([...table.positionAccount]).toEqual([0, 1, 0]);
    expect([...table.positionLine]).toEqual([3, 4, 6]); // line 2 blank, the quoted id spans lines 4-5
    expect(table.positionEntryPriceText).toEqual(["3000.50", "60000", "60000"]);
    expect([...table.positionEntryPrice]).toEqual([3000.5, 60000, 60000]);
    expect(table.positionMarginText).toEqual(["1000", "", "10"]);
    expect(() => readPositionsCsv(`${header}\n\n"a\n1",cross,1,ETH-USD,1,3000,,3000\na2,cross,1,ETH-USD,x,3000,,3000\n`)).toThrow('positions.csv: line 5, column size: expected a decimal number (string), got "x"');
  });

  it("refuses amounts a NUMERIC(38,18) column would round, naming line and column", () => {
    const limits = { maxIntegerDigits: 20, maxFractionDigits: 18 };
    const row = (size: string) => `${header}\na1,cross,1,ETH-USD,${size},3000,,3000\n`;
    expect(readPositionsCsv(row("0.123456789012345678000"), "p.csv", { decimalLimits: limits }).positionSizeText).toEqual(["0.123456789012345678000"]);
    expect(readPositionsCsv(row("-00099999999999999999999.5"), "p.csv", { decimalLimits: limits }).positionSizeText).toEqual(["-00099999999999999999999.5"]);
    expect(() => readPositionsCsv(row("0.1234567890123456789"), "p.csv", { decimalLimits: limits })).toThrow("p.csv: line 2, column size: expected at most 18 decimal places (stored exactly), got 0.1234567890123456789");
    expect(() => readPositionsCsv(row("123456789012345678901"), "p.csv", { decimalLimits: limits })).toThrow("p.csv: line 2, column size: expected at most 20 integer digits, got 123456789012345678901");
    expect(() => readPositionsCsv(row("1e-19"), "p.csv", { decimalLimits: limits })).toThrow("p.csv: line 2, column size: expected at most 18 decimal places (stored exactly), got 1e-19");
    expect(() => readPositionsCsv(row("1e21"), "p.csv", { decimalLimits: limits })).toThrow("p.csv: line 2, column size: expected at most 20 integer digits, got 1e21");
    expect(readPositionsCsv(row("1.5e-17"), "p.csv", { decimalLimits: limits }).positionSize[0]).toBe(1.5e-17);
  });
});
