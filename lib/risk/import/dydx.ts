// dYdX v4 indexer responses → snapshot and parameters.
// Field names: dYdX v4 Indexer API (https://docs.dydx.exchange/api_integration-indexer/indexer_api),
// types SubaccountResponseObject {address, subaccountNumber, equity, freeCollateral,
// openPerpetualPositions: {TICKER: PerpetualPositionResponseObject}, assetPositions: {USDC: …}} and
// PerpetualPositionResponseObject {market, status, side: LONG|SHORT, size, entryPrice, unrealizedPnl, …};
// GET /v4/perpetualMarkets → {markets: {TICKER: {ticker, oraclePrice, initialMarginFraction,
// maintenanceMarginFraction, openInterest, openInterestLowerCap?, openInterestUpperCap?}}}.
//
// Accounting (dYdX v4 docs, "Margining"): a subaccount's equity = USDC balance + Σ size·oraclePrice,
// so in the contract's terms collateral (before unrealised PnL) = USDC + Σ size·entryPrice, computed
// exactly on the decimal strings. Subaccounts numbered 128 and above are isolated-margin subaccounts
// (one market each; dYdX v4 "isolated markets"), imported as isolated positions with that margin.
import { RiskInputError, isRecord, keyPath } from "../errors";
import type { Account, Book, MarketParams, ParamsSet, Position } from "../types";
import { addDecimal, formatDecimal, multiplyDecimal, negateDecimal, decimalToNumber, type Decimal } from "./decimal";
import { readDecimal, readObject, readString } from "./fields";

export const firstIsolatedSubaccountNumber = 128;

export interface DydxMarkets {
  marks: Record<string, number>;
  exactMarks: Record<string, string>;
  params: ParamsSet;
}

/** `GET /v4/perpetualMarkets` → marks (oracle prices) and each market's margin fractions. */
export function parseDydxPerpetualMarkets(response: unknown, source = "perpetualMarkets.json"): DydxMarkets {
  const root = readObject(source, "$", response);
  const markets = readObject(source, "markets", root.markets);
  const marks: Record<string, number> = {};
  const exactMarks: Record<string, string> = {};
  const params: ParamsSet = { markets: {} };
  for (const [ticker, raw] of Object.entries(markets)) {
    const path = keyPath("markets", ticker);
    const market = readObject(source, path, raw);
    const oracle = readDecimal(source, keyPath(path, "oraclePrice"), market.oraclePrice);
    marks[ticker] = oracle.value;
    exactMarks[ticker] = oracle.text;
    const marketParams: MarketParams = {
      initialMarginFraction: readDecimal(source, keyPath(path, "initialMarginFraction"), market.initialMarginFraction).value,
      maintenanceMarginFraction: readDecimal(source, keyPath(path, "maintenanceMarginFraction"), market.maintenanceMarginFraction).value,
    };
    if (market.openInterestLowerCap !== undefined && market.openInterestUpperCap !== undefined && market.openInterest !== undefined) {
      const openInterest = readDecimal(source, keyPath(path, "openInterest"), market.openInterest);
      const lowerCap = readDecimal(source, keyPath(path, "openInterestLowerCap"), market.openInterestLowerCap).value;
      const upperCap = readDecimal(source, keyPath(path, "openInterestUpperCap"), market.openInterestUpperCap).value;
      // Caps are in quote notional; open interest is in base units, valued at the oracle price.
      if (upperCap > lowerCap) marketParams.openInterestScaling = { openInterestNotional: decimalToNumber(multiplyDecimal(openInterest.decimal, oracle.decimal)), lowerCap, upperCap };
    }
    params.markets[ticker] = marketParams;
  }
  return { marks, exactMarks, params };
}

function unwrapSubaccount(raw: unknown): unknown {
  return isRecord(raw) && isRecord(raw.subaccount) ? raw.subaccount : raw;
}

/**
 * Subaccount responses (`GET /v4/addresses/{address}/subaccountNumber/{n}`, with or without the
 * `{subaccount: …}` wrapper, or the `subaccounts` array of `GET /v4/addresses/{address}`) plus the
 * markets response → snapshot. Account ids are `address/subaccountNumber`.
 */
export function importDydxSubaccounts(subaccounts: unknown[], markets: DydxMarkets, source = "dydx-subaccounts.json", insuranceFund = 0): Book {
  const accounts: Account[] = [];
  subaccounts.forEach((wrapped, index) => {
    const path = `[${index}]`;
    const subaccount = readObject(source, path, unwrapSubaccount(wrapped));
    const address = readString(source, `${path}.address`, subaccount.address);
    const number = Number(subaccount.subaccountNumber);
    if (!Number.isInteger(number) || number < 0) throw new RiskInputError(source, `${path}.subaccountNumber`, `expected a non-negative integer, got ${JSON.stringify(subaccount.subaccountNumber)}`);
    const isolated = number >= firstIsolatedSubaccountNumber;

    const assets = subaccount.assetPositions === undefined ? {} : readObject(source, `${path}.assetPositions`, subaccount.assetPositions);
    let quote: Decimal = { units: 0n, scale: 0 };
    if (assets.USDC !== undefined) {
      const usdc = readObject(source, `${path}.assetPositions.USDC`, assets.USDC);
      const size = readDecimal(source, `${path}.assetPositions.USDC.size`, usdc.size);
      // The indexer reports the magnitude with a side; a SHORT quote balance is a debt.
      quote = usdc.side === "SHORT" && size.decimal.units > 0n ? negateDecimal(size.decimal) : size.decimal;
    }
    const positionsRaw = subaccount.openPerpetualPositions === undefined ? {} : readObject(source, `${path}.openPerpetualPositions`, subaccount.openPerpetualPositions);
    const positions: Position[] = [];
    let collateral = quote;
    for (const [ticker, raw] of Object.entries(positionsRaw)) {
      const positionPath = keyPath(`${path}.openPerpetualPositions`, ticker);
      const position = readObject(source, positionPath, raw);
      if (position.status !== undefined && position.status !== "OPEN") continue;
      const market = typeof position.market === "string" ? position.market : ticker;
      if (markets.marks[market] === undefined) throw new RiskInputError(source, `${positionPath}.market`, `expected a market listed in perpetualMarkets, got ${JSON.stringify(market)}`);
      const sizeField = readDecimal(source, `${positionPath}.size`, position.size);
      const side = position.side;
      if (side !== "LONG" && side !== "SHORT") throw new RiskInputError(source, `${positionPath}.side`, `expected "LONG" or "SHORT", got ${JSON.stringify(side)}`);
      // Sign from `side`, whatever the sign convention of `size`.
      const magnitude = sizeField.decimal.units < 0n ? negateDecimal(sizeField.decimal) : sizeField.decimal;
      const size = side === "SHORT" ? negateDecimal(magnitude) : magnitude;
      const entry = readDecimal(source, `${positionPath}.entryPrice`, position.entryPrice);
      collateral = addDecimal(collateral, multiplyDecimal(size, entry.decimal));
      positions.push({ market, size: decimalToNumber(size), entryPrice: entry.value, exact: { size: formatDecimal(size), entryPrice: entry.text } });
    }
    const id = `${address}/${number}`;
    if (isolated && positions.length > 0) {
      // One market per isolated subaccount: the whole collateral is that position's margin.
      if (positions.length > 1) throw new RiskInputError(source, `${path}.openPerpetualPositions`, `expected one position in isolated subaccount ${number}, got ${positions.length}`);
      positions[0].margin = decimalToNumber(collateral);
      positions[0].exact!.margin = formatDecimal(collateral);
      accounts.push({ id, mode: "isolated", collateral: 0, positions });
    } else {
      accounts.push({ id, mode: "cross", collateral: decimalToNumber(collateral), positions, exact: { collateral: formatDecimal(collateral) } });
    }
  });
  return { marks: { ...markets.marks }, accounts, insuranceFund, exact: { marks: { ...markets.exactMarks } } };
}
