export { importBookJson } from "./book-json";
export { importPositionsCsv, parseCsvRows, positionsCsvColumns, readPositionsCsv, type PositionsCsvTable, type PositionsCsvOptions } from "./csv";
export { importDydxSubaccounts, parseDydxPerpetualMarkets, firstIsolatedSubaccountNumber, type DydxMarkets } from "./dydx";
export { importHyperliquidClearinghouseStates, type HyperliquidImportOptions, type HyperliquidUserState } from "./hyperliquid";
export * from "./decimal";
