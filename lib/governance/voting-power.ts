// Voting power: imported snapshots (CSV or JSON: address → power at a block or time), the
// ERC20Votes read the server performs when an RPC URL is configured, the frozen per-proposal
// power, the hash that identifies it (signed in every vote) and the per-voter breakdown shown
// to the voter.
//
// Power is a non-negative integer in the token's smallest unit, carried as bigint: 18-decimal
// balances exceed 2^53, so a JSON number is accepted only when it is a safe integer.
// Addresses are normalised to EIP-55 checksum form with viem `getAddress`; a mixed-case address
// whose checksum is wrong is refused (it is how EIP-55 catches typos), all-lower/all-upper pass.
import { encodeAbiParameters, getAddress, keccak256, type Address, type Hex } from "viem";

export interface PowerEntry {
  address: Address;
  power: bigint;
}

export interface PowerSnapshot {
  entries: PowerEntry[];
  totalPower: bigint;
  /** Block number the powers were taken at, when known. */
  blockNumber?: bigint;
  /** Time the powers were taken at (epoch ms), when known. */
  timestampMs?: number;
}

export interface SnapshotIssue {
  /** 1-based line in the source text, when it can be told. */
  line?: number;
  reason: string;
}

export type SnapshotParseResult = { ok: true; snapshot: PowerSnapshot } | { ok: false; issues: SnapshotIssue[] };

export interface SnapshotMeta {
  blockNumber?: bigint;
  timestampMs?: number;
}

/** ERC20Votes (OpenZeppelin) reads the server makes through viem at the proposal's snapshot block. */
export const ERC20_VOTES_ABI = [
  {
    type: "function",
    name: "getPastVotes",
    stateMutability: "view",
    inputs: [
      { name: "account", type: "address" },
      { name: "timepoint", type: "uint256" },
    ],
    outputs: [{ name: "", type: "uint256" }],
  },
  {
    type: "function",
    name: "getPastTotalSupply",
    stateMutability: "view",
    inputs: [{ name: "timepoint", type: "uint256" }],
    outputs: [{ name: "", type: "uint256" }],
  },
] as const;

/** Checksummed address, or why not. */
export function normaliseAddress(raw: unknown): { address: Address } | { reason: string } {
  if (typeof raw !== "string" || !/^0x[0-9a-fA-F]{40}$/.test(raw.trim())) {
    return { reason: `expected a 20-byte hex address (0x + 40 hex digits), got ${JSON.stringify(raw) ?? "nothing"}` };
  }
  const text = raw.trim();
  const checksummed = getAddress(text);
  const hex = text.slice(2);
  const mixedCase = /[a-f]/.test(hex) && /[A-F]/.test(hex);
  if (mixedCase && checksummed !== text) return { reason: `address ${text} has a wrong EIP-55 checksum (expected ${checksummed})` };
  return { address: checksummed };
}

/** bigint power, or why not. */
export function parsePower(raw: unknown): { power: bigint } | { reason: string } {
  if (typeof raw === "number") {
    if (Number.isSafeInteger(raw) && raw >= 0) return { power: BigInt(raw) };
    return { reason: `expected a non-negative integer power as a decimal string (a JSON number above 2^53 or with a fraction loses precision), got ${raw}` };
  }
  if (typeof raw === "string" && /^\d+$/.test(raw.trim())) return { power: BigInt(raw.trim()) };
  return { reason: `expected a non-negative integer power in the token's smallest unit, got ${JSON.stringify(raw) ?? "nothing"}` };
}

interface RawRow {
  line?: number;
  address: unknown;
  power: unknown;
}

function buildSnapshot(rows: RawRow[], meta: SnapshotMeta): SnapshotParseResult {
  const issues: SnapshotIssue[] = [];
  const firstLineByAddress = new Map<Address, number | undefined>();
  const entries: PowerEntry[] = [];
  for (const row of rows) {
    const at = row.line !== undefined ? { line: row.line } : {};
    const address = normaliseAddress(row.address);
    const power = parsePower(row.power);
    if ("reason" in address) issues.push({ ...at, reason: address.reason });
    if ("reason" in power) issues.push({ ...at, reason: power.reason });
    if ("reason" in address || "reason" in power) continue;
    if (firstLineByAddress.has(address.address)) {
      const first = firstLineByAddress.get(address.address);
      issues.push({ ...at, reason: `duplicate address ${address.address}${first !== undefined ? ` (first on line ${first})` : ""}` });
      continue;
    }
    firstLineByAddress.set(address.address, row.line);
    entries.push({ address: address.address, power: power.power });
  }
  if (issues.length > 0) return { ok: false, issues };
  if (entries.length === 0) return { ok: false, issues: [{ reason: "the snapshot has no rows" }] };
  const totalPower = entries.reduce((sum, entry) => sum + entry.power, 0n);
  return { ok: true, snapshot: { entries, totalPower, ...meta } };
}

function splitCsvLine(line: string): string[] {
  // Addresses and integers never contain commas or quotes; quotes around a cell are stripped.
  return line.split(",").map((cell) => cell.trim().replace(/^"(.*)"$/, "$1").trim());
}

/**
 * CSV with one `address,power` row per line; an optional header names the columns (`address`,
 * `power`, in any order, extra columns ignored); blank lines and `#` comments are skipped.
 */
export function parsePowerSnapshotCsv(text: string, meta: SnapshotMeta = {}): SnapshotParseResult {
  const lines = text.split(/\r?\n/);
  let addressColumn = 0;
  let powerColumn = 1;
  let headerSeen = false;
  const rows: RawRow[] = [];
  const issues: SnapshotIssue[] = [];
  lines.forEach((rawLine, index) => {
    const line = rawLine.replace(/^\uFEFF/, "").trim();
    if (line === "" || line.startsWith("#")) return;
    const cells = splitCsvLine(line);
    if (!headerSeen && rows.length === 0 && !cells[0].toLowerCase().startsWith("0x")) {
      headerSeen = true;
      const names = cells.map((cell) => cell.toLowerCase());
      addressColumn = names.indexOf("address");
      powerColumn = names.indexOf("power");
      if (addressColumn < 0 || powerColumn < 0) issues.push({ line: index + 1, reason: `expected a header naming "address" and "power" columns, got ${JSON.stringify(line)}` });
      return;
    }
    if (cells.length <= Math.max(addressColumn, powerColumn)) {
      issues.push({ line: index + 1, reason: `expected ${Math.max(addressColumn, powerColumn) + 1} comma-separated cells, got ${cells.length}` });
      return;
    }
    rows.push({ line: index + 1, address: cells[addressColumn], power: cells[powerColumn] });
  });
  const result = buildSnapshot(rows, meta);
  if (issues.length === 0) return result;
  // Report the malformed lines together with the row problems, in line order.
  const rowIssues = result.ok || (rows.length === 0 && result.issues.length === 1 && result.issues[0].line === undefined) ? [] : result.issues;
  return { ok: false, issues: [...issues, ...rowIssues].sort((a, b) => (a.line ?? 0) - (b.line ?? 0)) };
}

function lineAt(text: string, index: number): number {
  let line = 1;
  for (let i = 0; i < index; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/**
 * JSON snapshot, one of:
 *   {"blockNumber": 19000000, "timestamp": "2026-11-01T00:00:00Z", "powers": {"0xabc…": "1000", …}}
 *   {"blockNumber": …, "entries": [{"address": "0xabc…", "power": "1000"}, …]}
 *   {"0xabc…": "1000", …}   or   [{"address": …, "power": …}, …]
 * Line numbers come from the source text (JSON.parse would silently merge a repeated key, so the
 * keys of a map are read from the text as well).
 */
export function parsePowerSnapshotJson(text: string, meta: SnapshotMeta = {}): SnapshotParseResult {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    return { ok: false, issues: [{ reason: `not valid JSON: ${(error as Error).message}` }] };
  }
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
  let body: unknown = document;
  const fileMeta: SnapshotMeta = {};
  const issues: SnapshotIssue[] = [];
  if (isObject(document) && ("powers" in document || "entries" in document)) {
    body = document.powers ?? document.entries;
    if (document.blockNumber !== undefined) {
      const block = parsePower(document.blockNumber);
      if ("reason" in block) issues.push({ reason: `blockNumber: ${block.reason}` });
      else fileMeta.blockNumber = block.power;
    }
    if (document.timestamp !== undefined) {
      const ms = typeof document.timestamp === "number" ? document.timestamp : Date.parse(String(document.timestamp));
      if (!Number.isFinite(ms)) issues.push({ reason: `timestamp: expected epoch ms or an ISO 8601 time, got ${JSON.stringify(document.timestamp)}` });
      else fileMeta.timestampMs = ms;
    }
  }
  if (issues.length > 0) return { ok: false, issues };
  const rows: RawRow[] = [];
  if (Array.isArray(body)) {
    const addressKeyIndexes = [...text.matchAll(/"address"\s*:/g)].map((m) => m.index ?? 0);
    body.forEach((entry, i) => {
      const line = addressKeyIndexes[i] !== undefined ? lineAt(text, addressKeyIndexes[i]) : undefined;
      if (!isObject(entry)) rows.push({ line, address: undefined, power: undefined });
      else rows.push({ line, address: entry.address, power: entry.power });
    });
  } else if (isObject(body)) {
    // Every `"0x…": value` key in the text, in order, duplicates included.
    const keyMatches = [...text.matchAll(/"(0x[^"]*)"\s*:/g)];
    const seenRaw = new Set<string>();
    for (const match of keyMatches) {
      const key = match[1];
      const line = lineAt(text, match.index ?? 0);
      if (seenRaw.has(key)) {
        // JSON.parse kept only the last value of a repeated key; report it as a duplicate row.
        rows.push({ line, address: key, power: body[key] });
        continue;
      }
      seenRaw.add(key);
      rows.push({ line, address: key, power: body[key] });
    }
    for (const key of Object.keys(body)) if (!seenRaw.has(key)) rows.push({ address: key, power: body[key] });
  } else {
    return { ok: false, issues: [{ reason: "expected an object of address → power, an array of {address, power}, or {powers|entries, blockNumber?, timestamp?}" }] };
  }
  return buildSnapshot(rows, { ...meta, ...fileMeta });
}

/**
 * bytes32 identifying an imported snapshot: keccak256(abi.encode(uint256 blockNumber,
 * uint256 timestampMs, address[] addresses, uint256[] powers)) over entries sorted by address.
 * Anyone holding the file can recompute it; any change to a row changes it.
 */
export function importedSnapshotHash(snapshot: PowerSnapshot): Hex {
  const sorted = [...snapshot.entries].sort((a, b) => (a.address.toLowerCase() < b.address.toLowerCase() ? -1 : 1));
  return keccak256(
    encodeAbiParameters(
      [{ type: "uint256" }, { type: "uint256" }, { type: "address[]" }, { type: "uint256[]" }],
      [snapshot.blockNumber ?? 0n, BigInt(snapshot.timestampMs ?? 0), sorted.map((e) => e.address), sorted.map((e) => e.power)],
    ),
  );
}

/** bytes32 identifying ERC20Votes power: keccak256(abi.encode(chainId, token, blockNumber)). */
export function erc20VotesSnapshotHash(chainId: number, token: Address, blockNumber: bigint): Hex {
  return keccak256(encodeAbiParameters([{ type: "uint256" }, { type: "address" }, { type: "uint256" }], [BigInt(chainId), getAddress(token), blockNumber]));
}

/** One source of a proposal's frozen power (an imported file, or ERC20Votes at a block). */
export interface PowerSource {
  id: string;
  kind: "import" | "erc20votes";
  label: string;
  /** importedSnapshotHash or erc20VotesSnapshotHash of the source. */
  hash: Hex;
  blockNumber?: bigint;
  timestampMs?: number;
}

/**
 * bytes32 the votes sign as `powerSnapshot`: keccak256(abi.encode(string proposalId,
 * bytes32[] sourceHashes)), so a vote is bound to this proposal and these exact sources.
 */
export function frozenPowerHash(proposalId: string, sources: readonly PowerSource[]): Hex {
  return keccak256(encodeAbiParameters([{ type: "string" }, { type: "bytes32[]" }], [proposalId, sources.map((s) => s.hash)]));
}

export interface PowerBreakdown {
  address: Address;
  totalPower: bigint;
  parts: { source: PowerSource; power: bigint; shareOfVoterBps: number }[];
  /** The voter's share of the proposal's total frozen power, in basis points (rounded down). */
  shareOfTotalBps: number;
}

/**
 * What the voter is shown: their power per source, summed, and its share of the total.
 * `powersBySource` maps a source id to that source's entries (the voter may be absent from some).
 */
export function powerBreakdown(
  address: string,
  sources: readonly PowerSource[],
  powersBySource: Readonly<Record<string, ReadonlyMap<Address, bigint> | readonly PowerEntry[]>>,
  totalPower: bigint,
): PowerBreakdown {
  const normalised = normaliseAddress(address);
  if ("reason" in normalised) throw new Error(normalised.reason);
  const voter = normalised.address;
  const powerIn = (id: string): bigint => {
    const entries = powersBySource[id];
    if (!entries) return 0n;
    if (entries instanceof Map) return entries.get(voter) ?? 0n;
    return (entries as readonly PowerEntry[]).find((entry) => entry.address === voter)?.power ?? 0n;
  };
  const raw = sources.map((source) => ({ source, power: powerIn(source.id) }));
  const voterTotal = raw.reduce((sum, part) => sum + part.power, 0n);
  const bps = (part: bigint, whole: bigint) => (whole === 0n ? 0 : Number((part * 10_000n) / whole));
  return {
    address: voter,
    totalPower: voterTotal,
    parts: raw.map((part) => ({ ...part, shareOfVoterBps: bps(part.power, voterTotal) })),
    shareOfTotalBps: bps(voterTotal, totalPower),
  };
}
