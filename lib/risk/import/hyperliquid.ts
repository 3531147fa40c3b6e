// Hyperliquid `clearinghouseState` (POST /info {"type":"clearinghouseState","user":…}) → snapshot.
// Fields (Hyperliquid docs, Info endpoint → Perpetuals → "Retrieve user's perpetuals account
// summary"): assetPositions[].position.{coin, szi, entryPx, positionValue, unrealizedPnl,
// marginUsed, leverage: {type: "cross"|"isolated", value, rawUsd?}}, marginSummary,
// crossMarginSummary.{accountValue, totalNtlPos, totalRawUsd, totalMarginUsed}, withdrawable.
//
// Accounting (Hyperliquid docs, "Margining"): cross account value = totalRawUsd + Σ szi·mark over
// cross positions, so collateral before unrealised PnL = crossMarginSummary.totalRawUsd +
// Σ szi·entryPx (exact decimals). An isolated position's equity is leverage.rawUsd + szi·mark, so
// its margin before PnL = rawUsd + szi·entryPx. Marks: given by the caller (e.g. `allMids`), or
// positionValue/|szi| (positionValue = |szi|·mark) when not.
// One HL user with cross and isolated positions becomes two accounts: `user` (cross) and
// `user/isolated` (its isolated positions).
import { RiskInputError } from "../errors";
import type { Account, Book, Position } from "../types";
import { addDecimal, formatDecimal, multiplyDecimal, decimalToNumber } from "./decimal";
import { readDecimal, readObject, readString } from "./fields";

export interface HyperliquidUserState {
  user: string;
  state: unknown;
}

export interface HyperliquidImportOptions {
  /** Mark per market name (numbers or decimal strings). */
  marks?: Record<string, number | string>;
  /** Market name of a coin; default `${coin}-USD`. */
  marketFromCoin?: (coin: string) => string;
  insuranceFund?: number;
}

export function importHyperliquidClearinghouseStates(states: HyperliquidUserState[], source = "clearinghouseState.json", options: HyperliquidImportOptions = {}): Book {
  const marketFromCoin = options.marketFromCoin ?? ((coin: string) => `${coin}-USD`);
  const marks: Record<string, number> = {};
  const exactMarks: Record<string, string> = {};
  for (const [market, raw] of Object.entries(options.marks ?? {})) {
    const mark = readDecimal(source, `marks[${JSON.stringify(market)}]`, raw);
    marks[market] = mark.value;
    exactMarks[market] = mark.text;
  }
  const accounts: Account[] = [];
  states.forEach(({ user, state }, index) => {
    const path = `[${index}]`;
    const root = readObject(source, path, state);
    const crossSummary = readObject(source, `${path}.crossMarginSummary`, root.crossMarginSummary);
    let collateral = readDecimal(source, `${path}.crossMarginSummary.totalRawUsd`, crossSummary.totalRawUsd).decimal;
    const crossPositions: Position[] = [];
    const isolatedPositions: Position[] = [];
    const assetPositions = root.assetPositions ?? [];
    if (!Array.isArray(assetPositions)) throw new RiskInputError(source, `${path}.assetPositions`, "expected an array");
    assetPositions.forEach((entry, positionIndex) => {
      const positionPath = `${path}.assetPositions[${positionIndex}].position`;
      const position = readObject(source, positionPath, readObject(source, `${path}.assetPositions[${positionIndex}]`, entry).position);
      const coin = readString(source, `${positionPath}.coin`, position.coin);
      const market = marketFromCoin(coin);
      const size = readDecimal(source, `${positionPath}.szi`, position.szi);
      if (size.decimal.units === 0n) return;
      const entryPrice = readDecimal(source, `${positionPath}.entryPx`, position.entryPx);
      if (marks[market] === undefined) {
        const value = readDecimal(source, `${positionPath}.positionValue`, position.positionValue);
        marks[market] = value.value / Math.abs(size.value);
      }
      const leverage = readObject(source, `${positionPath}.leverage`, position.leverage);
      const entryNotional = multiplyDecimal(size.decimal, entryPrice.decimal);
      const imported: Position = { market, size: size.value, entryPrice: entryPrice.value, exact: { size: size.text, entryPrice: entryPrice.text } };
      if (leverage.type === "isolated") {
        const rawUsd = readDecimal(source, `${positionPath}.leverage.rawUsd`, leverage.rawUsd);
        const margin = addDecimal(rawUsd.decimal, entryNotional);
        imported.margin = decimalToNumber(margin);
        imported.exact!.margin = formatDecimal(margin);
        isolatedPositions.push(imported);
      } else if (leverage.type === "cross") {
        collateral = addDecimal(collateral, entryNotional);
        crossPositions.push(imported);
      } else {
        throw new RiskInputError(source, `${positionPath}.leverage.type`, `expected "cross" or "isolated", got ${JSON.stringify(leverage.type)}`);
      }
    });
    accounts.push({ id: user, mode: "cross", collateral: decimalToNumber(collateral), positions: crossPositions, exact: { collateral: formatDecimal(collateral) } });
    if (isolatedPositions.length > 0) accounts.push({ id: `${user}/isolated`, mode: "isolated", collateral: 0, positions: isolatedPositions });
  });
  return { marks, accounts, insuranceFund: options.insuranceFund ?? 0, exact: { marks: exactMarks } };
}
