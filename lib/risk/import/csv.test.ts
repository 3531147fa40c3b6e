// importPositionsCsv fast paths (no BigInt per amount, mark text compared before re-parsing) must
// give the same book as the exact decimal path: values are the doubles of the exact decimals, the
// exact texts are kept verbatim (collateral canonical), and equal amounts spelled differently
// are still accepted while different amounts are still rejected with line/column.
import { describe, expect, it } from "vitest";
import { importPositionsCsv, parseCsvRows } from "./csv";
import { decimalToNumber, formatDecimal, parseDecimal } from "./decimal";

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
