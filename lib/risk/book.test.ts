import { describe, expect, it } from "vitest";
import { parseBook } from "./book";

const base = () => ({
  marks: { "ETH-USD": 3000 },
  accounts: [
    { id: "a1", mode: "cross", collateral: 1000, positions: [{ market: "ETH-USD", size: -1.5, entryPrice: 3000 }] },
    { id: "a2", mode: "isolated", positions: [{ market: "ETH-USD", size: -3, entryPrice: 3000, margin: 1000 }] },
  ],
});

describe("parseBook", () => {
  it("parses the contract example, insurance fund defaulting to 0", () => {
    const book = parseBook(base());
    expect(book.accounts[1]).toEqual({ id: "a2", mode: "isolated", collateral: 0, positions: [{ market: "ETH-USD", size: -3, entryPrice: 3000, margin: 1000 }] });
    expect(book.insuranceFund).toBe(0);
  });

  it("keeps decimal strings verbatim beside the float", () => {
    const raw = base();
    (raw.accounts[0].positions[0] as Record<string, unknown>).size = "-1.500000000000000001";
    (raw.accounts[0] as Record<string, unknown>).collateral = "1000.123456789012345678";
    const book = parseBook(raw);
    expect(book.accounts[0].positions[0].size).toBe(-1.5);
    expect(book.accounts[0].positions[0].exact).toEqual({ size: "-1.500000000000000001" });
    expect(book.accounts[0].exact).toEqual({ collateral: "1000.123456789012345678" });
  });

  const bad: { name: string; mutate: (raw: any) => void; message: string }[] = [
    { name: "non-numeric size", mutate: (r) => (r.accounts[1].positions[0].size = "abc"), message: 'book.json: accounts[1].positions[0].size: expected a finite number, got "abc"' },
    { name: "negative mark", mutate: (r) => (r.marks["ETH-USD"] = -1), message: 'book.json: marks["ETH-USD"]: expected a positive number, got -1' },
    { name: "unknown market", mutate: (r) => (r.accounts[0].positions[0].market = "BTC-USD"), message: 'book.json: accounts[0].positions[0].market: expected a market with a mark in "marks", got "BTC-USD"' },
    { name: "isolated without margin", mutate: (r) => delete r.accounts[1].positions[0].margin, message: "book.json: accounts[1].positions[0].margin: expected a finite number (isolated positions need margin), got nothing" },
    { name: "bad mode", mutate: (r) => (r.accounts[0].mode = "portfolio"), message: 'book.json: accounts[0].mode: expected "cross" or "isolated", got "portfolio"' },
    { name: "duplicate id", mutate: (r) => (r.accounts[1].id = "a1"), message: 'book.json: accounts[1].id: expected a unique account id, got "a1" twice' },
    { name: "accounts not an array", mutate: (r) => (r.accounts = {}), message: "book.json: accounts: expected an array of accounts, got {}" },
    { name: "infinite entry price string", mutate: (r) => (r.accounts[0].positions[0].entryPrice = "1e999"), message: 'book.json: accounts[0].positions[0].entryPrice: expected a positive number, got "1e999"' },
  ];
  it.each(bad)("rejects $name", ({ mutate, message }) => {
    const raw = base();
    mutate(raw);
    expect(() => parseBook(raw)).toThrow(message);
  });
});
