// Snapshot file formats accepted by `importSnapshot` (API and `riskwarden import`), each turned into
// a lib/risk Book whose `exact` fields keep the decimal strings as they arrived.
//
// - book: BOOK.json of the shared contract risk-cli.md (numbers or decimal strings).
// - csv: the positions CSV of lib/risk/import/csv.ts (account,mode,collateral,market,size,entryPrice,margin,mark).
// - dydx: one JSON document bundling dYdX v4 indexer responses:
//     { "perpetualMarkets": <GET /v4/perpetualMarkets>,
//       "subaccounts": [ <GET /v4/addresses/{a}/subaccountNumber/{n}> | <its .subaccount> | <GET /v4/addresses/{a}> ],
//       "perpetualPositions": [ { "address": "dydx1…", "positions": <GET /v4/perpetualPositions?address=…&status=OPEN>.positions } ],   (optional)
//       "insuranceFund": "123.45" }                                                                                                     (optional)
//   `perpetualPositions` (objects carrying `subaccountNumber`) replace the open positions of the
//   matching subaccount, for exports where positions were fetched separately from balances.
// - hyperliquid: { "users": [ { "user": "0x…", "clearinghouseState": <POST /info clearinghouseState> } ],
//       "allMids": <POST /info allMids> (optional; coin → mid, used as marks), "insuranceFund": … }
//   or just the `users` array.
import {
  RiskInputError,
  importBookJson,
  importDydxSubaccounts,
  importHyperliquidClearinghouseStates,
  importPositionsCsv,
  parseDydxPerpetualMarkets,
  type Book,
} from "../../../lib/risk";
import { isRecord } from "../../../lib/risk/errors";

export const snapshotFormats = ["book", "csv", "dydx", "hyperliquid"] as const;
export type SnapshotFormat = (typeof snapshotFormats)[number];

function parseJson(content: string, source: string): unknown {
  try {
    return JSON.parse(content);
  } catch (error) {
    throw new RiskInputError(source, "$", `expected valid JSON, got ${(error as Error).message.split("\n")[0]}`);
  }
}

function optionalInsuranceFund(root: Record<string, unknown>, source: string): { value: number; exact?: string } {
  const raw = root.insuranceFund;
  if (raw === undefined) return { value: 0 };
  const text = typeof raw === "number" ? String(raw) : raw;
  if (typeof text !== "string" || !/^\+?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text.trim())) {
    throw new RiskInputError(source, "insuranceFund", `expected a decimal number >= 0, got ${JSON.stringify(raw)}`);
  }
  return { value: Number(text), exact: text.trim() };
}

function withInsuranceFund(book: Book, fund: { value: number; exact?: string }): Book {
  book.insuranceFund = fund.value;
  if (fund.exact !== undefined) book.exact = { ...book.exact, insuranceFund: fund.exact };
  return book;
}

/**
 * Runs a lib/risk importer on a part of the document and rewrites its JSON paths into the
 * document's: `prefix` in front, and a leading `[i]` (the importer's list index) replaced by
 * `itemPaths[i]` when the list was rebuilt (unwrapped or flattened) before the call.
 */
function nested<T>(source: string, prefix: string, work: (innerSource: string) => T, itemPaths?: string[]): T {
  try {
    return work(source);
  } catch (error) {
    if (!(error instanceof RiskInputError)) throw error;
    const item = itemPaths ? /^\[(\d+)\](.*)$/.exec(error.path) : null;
    const path = item && itemPaths?.[Number(item[1])] !== undefined
      ? `${itemPaths[Number(item[1])]}${item[2]}`
      : error.path === "$" ? prefix : error.path.startsWith("[") ? `${prefix}${error.path}` : `${prefix}.${error.path}`;
    throw new RiskInputError(source, path, error.reason);
  }
}

/** Subaccount objects of the `subaccounts` list, each with its JSON path in the document. */
function flattenDydxSubaccounts(list: unknown[]): { entry: unknown; path: string }[] {
  return list.flatMap((entry, index) => {
    const path = `subaccounts[${index}]`;
    // An address response (GET /v4/addresses/{address}) holds its subaccounts in `subaccounts`.
    if (isRecord(entry) && Array.isArray(entry.subaccounts)) return entry.subaccounts.map((inner, innerIndex) => ({ entry: inner, path: `${path}.subaccounts[${innerIndex}]` }));
    // A single-subaccount response wraps it in `subaccount`.
    if (isRecord(entry) && isRecord(entry.subaccount)) return [{ entry: entry.subaccount, path: `${path}.subaccount` }];
    return [{ entry, path }];
  });
}

function parseDydx(content: string, source: string): Book {
  const root = parseJson(content, source);
  if (!isRecord(root)) throw new RiskInputError(source, "$", `expected an object {"perpetualMarkets", "subaccounts"}, got ${JSON.stringify(root)?.slice(0, 40)}`);
  if (root.perpetualMarkets === undefined) throw new RiskInputError(source, "perpetualMarkets", "expected the GET /v4/perpetualMarkets response, got nothing");
  if (!Array.isArray(root.subaccounts)) throw new RiskInputError(source, "subaccounts", "expected an array of subaccount responses");
  const markets = nested(source, "perpetualMarkets", (inner) => parseDydxPerpetualMarkets(root.perpetualMarkets, inner));
  const flattened = flattenDydxSubaccounts(root.subaccounts);
  let subaccounts = flattened.map(({ entry }) => entry);
  if (root.perpetualPositions !== undefined) {
    if (!Array.isArray(root.perpetualPositions)) throw new RiskInputError(source, "perpetualPositions", "expected an array of {address, positions}");
    const byKey = new Map<string, Record<string, unknown>>();
    root.perpetualPositions.forEach((group, groupIndex) => {
      const path = `perpetualPositions[${groupIndex}]`;
      if (!isRecord(group) || typeof group.address !== "string" || !Array.isArray(group.positions)) {
        throw new RiskInputError(source, path, "expected {address, positions: [...]} (GET /v4/perpetualPositions response with its address)");
      }
      group.positions.forEach((position, positionIndex) => {
        if (!isRecord(position)) throw new RiskInputError(source, `${path}.positions[${positionIndex}]`, "expected a perpetual position object");
        if (position.status !== undefined && position.status !== "OPEN") return;
        const number = Number(position.subaccountNumber ?? 0);
        const key = `${group.address}/${number}`;
        const open = byKey.get(key) ?? {};
        open[String(position.market)] = position;
        byKey.set(key, open);
      });
    });
    subaccounts = subaccounts.map((entry) => {
      if (!isRecord(entry)) return entry;
      const key = `${String(entry.address)}/${Number(entry.subaccountNumber)}`;
      const open = byKey.get(key);
      return open ? { ...entry, openPerpetualPositions: open } : entry;
    });
  }
  const book = nested(source, "subaccounts", (inner) => importDydxSubaccounts(subaccounts, markets, inner), flattened.map(({ path }) => path));
  return withInsuranceFund(book, optionalInsuranceFund(root, source));
}

function parseHyperliquid(content: string, source: string): Book {
  const root = parseJson(content, source);
  const document: Record<string, unknown> = Array.isArray(root) ? { users: root } : isRecord(root) ? root : {};
  if (!Array.isArray(document.users)) throw new RiskInputError(source, "users", "expected an array of {user, clearinghouseState}");
  const states = document.users.map((entry, index) => {
    if (!isRecord(entry) || typeof entry.user !== "string" || entry.user === "") {
      throw new RiskInputError(source, `users[${index}].user`, `expected a user address, got ${JSON.stringify(isRecord(entry) ? entry.user : entry)}`);
    }
    return { user: entry.user, state: entry.clearinghouseState ?? entry.state };
  });
  let marks: Record<string, string | number> | undefined;
  if (document.allMids !== undefined) {
    if (!isRecord(document.allMids)) throw new RiskInputError(source, "allMids", "expected an object coin -> mid price");
    // allMids is keyed by coin; markets are `${coin}-USD` (lib/risk hyperliquid importer default).
    marks = Object.fromEntries(Object.entries(document.allMids).filter(([coin]) => !coin.startsWith("@")).map(([coin, mid]) => [`${coin}-USD`, mid as string | number]));
  }
  const statePaths = document.users.map((entry, index) => `users[${index}].${isRecord(entry) && entry.clearinghouseState === undefined && entry.state !== undefined ? "state" : "clearinghouseState"}`);
  const book = nested(source, "users", (inner) => importHyperliquidClearinghouseStates(states, inner, { marks }), statePaths);
  return withInsuranceFund(book, optionalInsuranceFund(document, source));
}

/** Parses snapshot content of one format; bad input throws lib/risk RiskInputError (source, JSON path, expectation). */
export function parseSnapshotContent(format: SnapshotFormat, content: string, source: string): Book {
  switch (format) {
    case "book":
      return importBookJson(content, source);
    case "csv":
      return importPositionsCsv(content, source);
    case "dydx":
      return parseDydx(content, source);
    case "hyperliquid":
      return parseHyperliquid(content, source);
  }
}

/**
 * The format of snapshot content, told from the content itself (for uploads with "auto"): JSON
 * holding the dYdX `perpetualMarkets` response, Hyperliquid `clearinghouseState`s, or BOOK.json's
 * `accounts`; anything not starting like JSON is a CSV. Looks for the keys as text, so a 100 MB
 * document is not parsed twice. Null when JSON matches none of them.
 */
export function detectSnapshotFormat(content: string): SnapshotFormat | null {
  const start = /\S/.exec(content.slice(0, 1024).replace(/^\uFEFF/, ""))?.[0];
  if (start !== "{" && start !== "[") return "csv";
  if (content.includes('"perpetualMarkets"')) return "dydx";
  if (content.includes('"clearinghouseState"') || content.includes('"assetPositions"')) return "hyperliquid";
  if (content.includes('"accounts"')) return "book";
  return null;
}
