import { describe, expect, it } from "vitest";
import { computeMargin } from "../margin";
import { parseDecimal, formatDecimal, multiplyDecimal, addDecimal } from "./decimal";
import { importBookJson } from "./book-json";
import { importPositionsCsv } from "./csv";
import { importDydxSubaccounts, parseDydxPerpetualMarkets } from "./dydx";
import { importHyperliquidClearinghouseStates } from "./hyperliquid";

describe("decimal", () => {
  it.each([
    ["0.1", "0.2", "0.3"],
    ["-95.059824", "100.04105", "4.981226"],
    ["123456789012345678.123456789", "0.000000001", "123456789012345678.12345679"],
    ["1e3", "-1000", "0"],
  ])("%s + %s = %s exactly", (a, b, sum) => {
    expect(formatDecimal(addDecimal(parseDecimal(a), parseDecimal(b)))).toBe(sum);
  });
  it("multiplies exactly", () => {
    expect(formatDecimal(multiplyDecimal(parseDecimal("0.0335"), parseDecimal("2986.3")))).toBe("100.04105");
  });
});

describe("Hyperliquid clearinghouseState", () => {
  // Response example of the Hyperliquid docs (Info endpoint → perpetuals account summary).
  const state = {
    assetPositions: [{
      position: {
        coin: "ETH", cumFunding: { allTime: "514.085417", sinceChange: "0.0", sinceOpen: "0.0" }, entryPx: "2986.3",
        leverage: { rawUsd: "-95.059824", type: "isolated", value: 20 }, liquidationPx: "2866.26936529", marginUsed: "4.967826",
        maxLeverage: 50, positionValue: "100.02765", returnOnEquity: "-0.0026789", szi: "0.0335", unrealizedPnl: "-0.0134",
      },
      type: "oneWay",
    }],
    crossMaintenanceMarginUsed: "0.0",
    crossMarginSummary: { accountValue: "13104.514502", totalMarginUsed: "0.0", totalNtlPos: "0.0", totalRawUsd: "13104.514502" },
    marginSummary: { accountValue: "13109.482328", totalMarginUsed: "4.967826", totalNtlPos: "100.02765", totalRawUsd: "13009.454653" },
    time: 1708622398623,
    withdrawable: "13104.514502",
  };

  it("keeps exact decimals and reproduces the venue's equity and liquidation price", () => {
    const book = importHyperliquidClearinghouseStates([{ user: "0xabc", state }]);
    expect(book.accounts.map((account) => account.id)).toEqual(["0xabc", "0xabc/isolated"]);
    expect(book.accounts[0].exact?.collateral).toBe("13104.514502");
    const isolated = book.accounts[1].positions[0];
    // margin before PnL = rawUsd + szi·entryPx = −95.059824 + 100.04105
    expect(isolated.exact).toEqual({ size: "0.0335", entryPrice: "2986.3", margin: "4.981226" });
    expect(book.marks["ETH-USD"]).toBeCloseTo(100.02765 / 0.0335, 9);
    // Maintenance = 1/(2·maxLeverage) = 1% (Hyperliquid "Margining"): equity must equal marginUsed
    // and the liquidation price the venue's liquidationPx.
    const report = computeMargin(book, { markets: { "ETH-USD": { initialMarginFraction: 0.02, maintenanceMarginFraction: 0.01 } } });
    expect(report.accounts[1].equity).toBeCloseTo(4.967826, 9);
    // 95.059824/(0.0335·0.99) = 2866.2693805…; the venue prints 2866.26936529 (5e-9 relative apart,
    // its internal rounding of rawUsd/size), so agreement is asserted to 1e-8.
    expect(Math.abs(report.accounts[1].positions[0].liquidationPrice! / 2866.26936529 - 1)).toBeLessThan(1e-8);
    expect(report.accounts[0].equity).toBeCloseTo(13104.514502, 9);
  });

  it("names the offending field", () => {
    const broken = structuredClone(state);
    (broken.assetPositions[0].position as Record<string, unknown>).szi = "lots";
    expect(() => importHyperliquidClearinghouseStates([{ user: "u", state: broken }], "hl.json")).toThrow('hl.json: [0].assetPositions[0].position.szi: expected a decimal number (string), got "lots"');
  });
});

describe("dYdX v4 indexer", () => {
  const perpetualMarkets = {
    markets: {
      "BTC-USD": { ticker: "BTC-USD", status: "ACTIVE", oraclePrice: "61234.5", initialMarginFraction: "0.05", maintenanceMarginFraction: "0.03",
        openInterest: "612.3456", openInterestLowerCap: "0", openInterestUpperCap: "0", atomicResolution: -10, stepSize: "0.0001", tickSize: "1" },
      "ETH-USD": { ticker: "ETH-USD", status: "ACTIVE", oraclePrice: "3012.25", initialMarginFraction: "0.05", maintenanceMarginFraction: "0.03",
        openInterest: "10000", openInterestLowerCap: "20000000", openInterestUpperCap: "50000000" },
      "PEPE-USD": { ticker: "PEPE-USD", status: "ACTIVE", oraclePrice: "0.000012345678", initialMarginFraction: "0.1", maintenanceMarginFraction: "0.05" },
    },
  };
  // GET /v4/addresses/{address}/subaccountNumber/0 and /128 (isolated). equity = USDC + Σ size·oraclePrice.
  const cross = {
    subaccount: {
      address: "dydx1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq00", subaccountNumber: 0,
      equity: "14862.25", freeCollateral: "10000", marginEnabled: true, updatedAtHeight: "1234567", latestProcessedBlockHeight: "1234570",
      openPerpetualPositions: {
        "BTC-USD": { market: "BTC-USD", status: "OPEN", side: "LONG", size: "0.5", maxSize: "0.5", entryPrice: "60000", exitPrice: null, realizedPnl: "0", unrealizedPnl: "617.25",
          createdAt: "2024-05-01T00:00:00.000Z", createdAtHeight: "1200000", closedAt: null, sumOpen: "0.5", sumClose: "0", netFunding: "0", subaccountNumber: 0 },
        "ETH-USD": { market: "ETH-USD", status: "OPEN", side: "SHORT", size: "-2", maxSize: "-2", entryPrice: "3100.5", exitPrice: null, realizedPnl: "0", unrealizedPnl: "176.5",
          createdAt: "2024-05-01T00:00:00.000Z", createdAtHeight: "1200001", closedAt: null, sumOpen: "2", sumClose: "0", netFunding: "0", subaccountNumber: 0 },
      },
      assetPositions: { USDC: { symbol: "USDC", side: "LONG", size: "-9730.5", assetId: "0", subaccountNumber: 0 } },
    },
  };
  // Consistent by construction: equity = USDC + Σ size·oracle = −9730.5 + 0.5·61234.5 − 2·3012.25 = 14862.25.
  const isolated = {
    subaccount: {
      address: "dydx1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq00", subaccountNumber: 128, equity: "105.000012345678", freeCollateral: "50",
      openPerpetualPositions: { "PEPE-USD": { market: "PEPE-USD", status: "OPEN", side: "LONG", size: "1000000", entryPrice: "0.00001", unrealizedPnl: "2.345678" } },
      assetPositions: { USDC: { symbol: "USDC", side: "SHORT", size: "-0.345666", assetId: "0" } },
    },
  };

  it("imports cross and isolated subaccounts with exact collateral", () => {
    const markets = parseDydxPerpetualMarkets(perpetualMarkets);
    expect(markets.exactMarks["PEPE-USD"]).toBe("0.000012345678");
    // ETH-USD: OI 10000·3012.25 = 30,122,500 between caps 20M and 50M.
    expect(markets.params.markets["ETH-USD"].openInterestScaling).toEqual({ openInterestNotional: 30122500, lowerCap: 20000000, upperCap: 50000000 });
    expect(markets.params.markets["BTC-USD"].openInterestScaling).toBeUndefined(); // caps 0/0: no scaling
    const book = importDydxSubaccounts([cross, isolated], markets);
    const [crossAccount, isolatedAccount] = book.accounts;
    expect(crossAccount.id).toBe("dydx1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq00/0");
    // collateral = USDC + Σ size·entry = −9730.5 + 30000 − 6201 = 14068.5
    expect(crossAccount.exact?.collateral).toBe("14068.5");
    expect(crossAccount.positions.map((position) => position.size)).toEqual([0.5, -2]);
    expect(isolatedAccount.mode).toBe("isolated");
    // SHORT USDC 0.345666 is a debt: margin = −0.345666 + 1000000·0.00001 = 9.654334
    expect(isolatedAccount.positions[0].exact?.margin).toBe("9.654334");
    const report = computeMargin(book, markets.params);
    expect(report.accounts[0].equity).toBeCloseTo(14862.25, 9);
    expect(report.accounts[0].equity - 14068.5).toBeCloseTo(617.25 + 176.5, 6); // Σ unrealizedPnl of the response
  });
});

describe("CSV", () => {
  const csv = [
    "account,mode,collateral,market,size,entryPrice,margin,mark",
    "a1,cross,1000.000000000000000001,ETH-USD,-1.5,3000,,3000",
    'a1,cross,1000.000000000000000001,SOL-USD,10,175,,"175"',
    "a2,isolated,,ETH-USD,-3,3000,1000,3000",
    "a3,cross,50,,,,,",
  ].join("\r\n");

  it("imports the documented columns, keeping exact text", () => {
    const book = importPositionsCsv(csv);
    expect(book.marks).toEqual({ "ETH-USD": 3000, "SOL-USD": 175 });
    expect(book.accounts.map((account) => [account.id, account.mode, account.positions.length])).toEqual([["a1", "cross", 2], ["a2", "isolated", 1], ["a3", "cross", 0]]);
    expect(book.accounts[0].exact?.collateral).toBe("1000.000000000000000001");
    const report = computeMargin(book, { markets: { "ETH-USD": { initialMarginFraction: 0.1, maintenanceMarginFraction: 0.05 }, "SOL-USD": { initialMarginFraction: 0.2, maintenanceMarginFraction: 0.1 } } });
    expect(report.accounts[0].positions[0].liquidationPrice).toBeCloseTo(3380.952380952381, 6); // contract example
  });

  it.each([
    [csv.replace("-1.5", "abc"), 'positions.csv: line 2, column size: expected a decimal number (string), got "abc"'],
    [csv.replace("a2,isolated,,ETH-USD,-3,3000,1000,3000", "a2,isolated,,ETH-USD,-3,3000,1000,3001"), "positions.csv: line 4, column mark: expected 3000 like earlier rows of ETH-USD, got \"3001\""],
    ["account,market,size\n", 'positions.csv: line 1: expected a column "entryPrice" (columns: account,mode,collateral,market,size,entryPrice,margin,mark), got account,market,size'],
  ])("rejects bad input with line and column", (text, message) => {
    expect(() => importPositionsCsv(text)).toThrow(message);
  });

  it("book JSON text keeps decimal strings", () => {
    const book = importBookJson('{"marks":{"X":"100.000000000000000001"},"accounts":[]}');
    expect(book.exact?.marks).toEqual({ X: "100.000000000000000001" });
  });
});
