// Venue documents for import tests (shapes from the dYdX v4 indexer and Hyperliquid info API; the
// same responses lib/risk/import/import.test.ts checks the accounting against).

export const dydxDocument = {
  perpetualMarkets: {
    markets: {
      "BTC-USD": { ticker: "BTC-USD", status: "ACTIVE", oraclePrice: "61234.5", initialMarginFraction: "0.05", maintenanceMarginFraction: "0.03", openInterest: "612.3456", openInterestLowerCap: "0", openInterestUpperCap: "0" },
      "ETH-USD": { ticker: "ETH-USD", status: "ACTIVE", oraclePrice: "3012.25", initialMarginFraction: "0.05", maintenanceMarginFraction: "0.03" },
      "PEPE-USD": { ticker: "PEPE-USD", status: "ACTIVE", oraclePrice: "0.000012345678", initialMarginFraction: "0.1", maintenanceMarginFraction: "0.05" },
    },
  },
  subaccounts: [
    {
      subaccount: {
        address: "dydx1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq00",
        subaccountNumber: 0,
        equity: "14862.25",
        assetPositions: { USDC: { symbol: "USDC", side: "LONG", size: "-9730.5", assetId: "0", subaccountNumber: 0 } },
      },
    },
    {
      subaccount: {
        address: "dydx1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq00",
        subaccountNumber: 128,
        equity: "105.000012345678",
        openPerpetualPositions: { "PEPE-USD": { market: "PEPE-USD", status: "OPEN", side: "LONG", size: "1000000", entryPrice: "0.00001" } },
        assetPositions: { USDC: { symbol: "USDC", side: "SHORT", size: "-0.345666", assetId: "0" } },
      },
    },
  ],
  // GET /v4/perpetualPositions?address=…&status=OPEN for subaccount 0, fetched separately.
  perpetualPositions: [
    {
      address: "dydx1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq00",
      positions: [
        { market: "BTC-USD", status: "OPEN", side: "LONG", size: "0.5", entryPrice: "60000", subaccountNumber: 0 },
        { market: "ETH-USD", status: "OPEN", side: "SHORT", size: "-2", entryPrice: "3100.5", subaccountNumber: 0 },
        { market: "ETH-USD", status: "CLOSED", side: "LONG", size: "0", entryPrice: "3000", subaccountNumber: 0 },
      ],
    },
  ],
  insuranceFund: "2500000",
};

export const hyperliquidDocument = {
  allMids: { ETH: "2985.9", "@107": "1.0" },
  users: [
    {
      user: "0xabc",
      clearinghouseState: {
        assetPositions: [
          {
            position: {
              coin: "ETH", entryPx: "2986.3", leverage: { rawUsd: "-95.059824", type: "isolated", value: 20 }, liquidationPx: "2866.26936529",
              marginUsed: "4.967826", maxLeverage: 50, positionValue: "100.02765", szi: "0.0335", unrealizedPnl: "-0.0134",
            },
            type: "oneWay",
          },
        ],
        crossMarginSummary: { accountValue: "13104.514502", totalMarginUsed: "0.0", totalNtlPos: "0.0", totalRawUsd: "13104.514502" },
        marginSummary: { accountValue: "13109.482328", totalMarginUsed: "4.967826", totalNtlPos: "100.02765", totalRawUsd: "13009.454653" },
        withdrawable: "13104.514502",
      },
    },
  ],
};
