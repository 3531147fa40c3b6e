// Voting power: imported snapshots (CSV/JSON: address → power at a block/time), the ERC20Votes
// source read through RPC_URL (`getPastVotes`/`getPastTotalSupply` at the proposal's snapshot
// block) when `governance.votingToken` is configured, the freeze when a vote opens, and the
// per-voter breakdown shown to the voter.
//
// Freeze: when a proposal's vote opens, the imported snapshot in force (the latest taken at or
// before voteStart, else the latest) is copied into ProposalVoterPower in the transaction that
// makes the proposal Active, and its hash (lib/governance `frozenPowerHash`) is what every vote
// signs. ERC20Votes history is immutable, so for that source the block is frozen and each
// voter's power is read at that block when they first vote, then stored beside the others.
import { createPublicClient, http, type Address, type PublicClient } from "viem";
import {
  ERC20_VOTES_ABI,
  erc20VotesSnapshotHash,
  frozenPowerHash,
  importedSnapshotHash,
  normaliseAddress,
  parsePowerSnapshotCsv,
  parsePowerSnapshotJson,
  powerBreakdown,
  type PowerEntry,
  type PowerSource,
  type Proposal,
} from "../../../lib/governance";
import { Prisma } from "../../../generated/prisma/client";
import { AppError } from "../../errors";
import type { Db, Tx } from "../../db";

/** Reads an ERC20Votes token (viem in production, a fake in tests). */
export interface Erc20VotesReader {
  chainId: number;
  token: Address;
  /** A block strictly in the past (ERC20Votes refuses the current timepoint). */
  snapshotBlock(): Promise<bigint>;
  totalSupplyAt(block: bigint): Promise<bigint>;
  votesAt(address: Address, block: bigint): Promise<bigint>;
}

export function viemErc20VotesReader(rpcUrl: string, chainId: number, token: Address): Erc20VotesReader {
  const client: PublicClient = createPublicClient({ transport: http(rpcUrl, { timeout: 10_000, retryCount: 2 }) });
  return {
    chainId,
    token,
    async snapshotBlock() {
      return (await client.getBlockNumber()) - 1n;
    },
    totalSupplyAt: (block) => client.readContract({ address: token, abi: ERC20_VOTES_ABI, functionName: "getPastTotalSupply", args: [block] }),
    votesAt: (address, block) => client.readContract({ address: token, abi: ERC20_VOTES_ABI, functionName: "getPastVotes", args: [address, block] }),
  };
}

const IMPORT_BATCH_ROWS = 1000;

/** Imports a snapshot file; refuses it with line-numbered reasons. Audited. */
export async function importVotingPower(
  db: Db,
  input: { name: string; format: "csv" | "json"; text: string; blockNumber?: bigint; takenAt?: Date; createdBy: string },
) {
  const meta = { ...(input.blockNumber !== undefined ? { blockNumber: input.blockNumber } : {}), ...(input.takenAt ? { timestampMs: input.takenAt.getTime() } : {}) };
  const parsed = input.format === "csv" ? parsePowerSnapshotCsv(input.text, meta) : parsePowerSnapshotJson(input.text, meta);
  if (!parsed.ok) {
    throw new AppError("BAD_REQUEST", `${parsed.issues[0].line !== undefined ? `line ${parsed.issues[0].line}: ` : ""}${parsed.issues[0].reason}${parsed.issues.length > 1 ? ` (and ${parsed.issues.length - 1} more)` : ""}`, {
      issues: parsed.issues.map((issue) => ({ path: issue.line !== undefined ? `line ${issue.line}` : input.format, reason: issue.reason })),
    });
  }
  const { snapshot } = parsed;
  const takenAt = new Date(snapshot.timestampMs ?? input.takenAt?.getTime() ?? Date.now());
  const hash = importedSnapshotHash(snapshot);
  const created = await db.$transaction(async (tx) => {
    const row = await tx.votingPowerSnapshot.create({
      data: {
        name: input.name,
        blockNumber: snapshot.blockNumber ?? null,
        takenAt,
        source: input.format,
        totalPower: new Prisma.Decimal(snapshot.totalPower.toString()),
        createdBy: input.createdBy,
      },
    });
    for (let start = 0; start < snapshot.entries.length; start += IMPORT_BATCH_ROWS) {
      await tx.votingPowerEntry.createMany({
        data: snapshot.entries.slice(start, start + IMPORT_BATCH_ROWS).map((entry) => ({ snapshotId: row.id, address: entry.address, power: new Prisma.Decimal(entry.power.toString()) })),
      });
    }
    await tx.auditLog.create({
      data: { actor: input.createdBy, action: "votingPower.import", target: `snapshot:${row.id}`, details: { name: input.name, entries: snapshot.entries.length, totalPower: snapshot.totalPower.toString(), hash } },
    });
    return row;
  });
  return { id: created.id, name: created.name, entries: snapshot.entries.length, totalPower: snapshot.totalPower, blockNumber: snapshot.blockNumber ?? null, takenAt, hash };
}

export async function listVotingPowerSnapshots(db: Db) {
  const rows = await db.votingPowerSnapshot.findMany({ orderBy: { takenAt: "desc" }, include: { _count: { select: { entries: true } } } });
  return rows.map((row) => ({ id: row.id, name: row.name, blockNumber: row.blockNumber, takenAt: row.takenAt, source: row.source, totalPower: BigInt(row.totalPower.toFixed(0)), entries: row._count.entries, createdBy: row.createdBy }));
}

/** Stored with the proposal: the sources of its frozen power (bigints as strings). */
export type StoredPowerSource = Omit<PowerSource, "blockNumber"> & { blockNumber?: string; snapshotId?: number; token?: Address; chainId?: number };

export function sourcesFromJson(value: unknown): PowerSource[] {
  return ((value ?? []) as StoredPowerSource[]).map(({ blockNumber, ...source }): PowerSource => ({ ...source, ...(blockNumber !== undefined ? { blockNumber: BigInt(blockNumber) } : {}) }));
}

async function snapshotEntries(db: Db | Tx, snapshotId: number): Promise<PowerEntry[]> {
  const rows = await db.votingPowerEntry.findMany({ where: { snapshotId }, orderBy: { address: "asc" } });
  return rows.map((row) => ({ address: row.address as Address, power: BigInt(row.power.toFixed(0)) }));
}

export type PowerFreeze = {
  totalPower: bigint;
  powerSnapshot: `0x${string}`;
  sources: StoredPowerSource[];
  /** Writes the frozen per-voter rows; run inside the transaction that opens the vote. */
  write(tx: Tx): Promise<void>;
};

/** What opening the vote of `proposal` freezes, or null when there is no power source at all. */
export async function preparePowerFreeze(db: Db, proposal: Proposal, erc20Votes?: Erc20VotesReader): Promise<PowerFreeze | null> {
  if (erc20Votes) {
    const block = await erc20Votes.snapshotBlock();
    const totalPower = await erc20Votes.totalSupplyAt(block);
    const source: StoredPowerSource = {
      id: `erc20votes:${erc20Votes.chainId}:${erc20Votes.token}:${block}`,
      kind: "erc20votes",
      label: `ERC20Votes ${erc20Votes.token} at block ${block}`,
      hash: erc20VotesSnapshotHash(erc20Votes.chainId, erc20Votes.token, block),
      blockNumber: block.toString(),
      token: erc20Votes.token,
      chainId: erc20Votes.chainId,
    };
    return { totalPower, powerSnapshot: frozenPowerHash(proposal.id, sourcesFromJson([source])), sources: [source], write: async () => {} };
  }
  const voteStart = new Date(proposal.voteStartMs ?? Date.now());
  const snapshot =
    (await db.votingPowerSnapshot.findFirst({ where: { takenAt: { lte: voteStart } }, orderBy: [{ takenAt: "desc" }, { id: "desc" }] })) ??
    (await db.votingPowerSnapshot.findFirst({ orderBy: [{ takenAt: "desc" }, { id: "desc" }] }));
  if (!snapshot) return null;
  const entries = await snapshotEntries(db, snapshot.id);
  const hash = importedSnapshotHash({ entries, totalPower: 0n, ...(snapshot.blockNumber !== null ? { blockNumber: snapshot.blockNumber } : {}), timestampMs: snapshot.takenAt.getTime() });
  const source: StoredPowerSource = {
    id: `snapshot:${snapshot.id}`,
    kind: "import",
    label: snapshot.name,
    hash,
    ...(snapshot.blockNumber !== null ? { blockNumber: snapshot.blockNumber.toString() } : {}),
    timestampMs: snapshot.takenAt.getTime(),
    snapshotId: snapshot.id,
  };
  return {
    totalPower: entries.reduce((sum, entry) => sum + entry.power, 0n),
    powerSnapshot: frozenPowerHash(proposal.id, sourcesFromJson([source])),
    sources: [source],
    // One statement: the copy is as large as the snapshot and never crosses the wire row by row.
    write: async (tx) => {
      await tx.$executeRaw`INSERT INTO "ProposalVoterPower" ("proposalId", "address", "power")
        SELECT ${proposal.id}, "address", "power" FROM "VotingPowerEntry" WHERE "snapshotId" = ${snapshot.id} AND "power" > 0
        ON CONFLICT DO NOTHING`;
    },
  };
}

/** A voter's frozen power for a proposal (reading ERC20Votes at the frozen block on first use). */
export async function frozenPowerOf(db: Db, proposalId: string, voter: Address, sourcesJson: unknown, erc20Votes?: Erc20VotesReader): Promise<bigint> {
  const row = await db.proposalVoterPower.findUnique({ where: { proposalId_address: { proposalId, address: voter } } });
  if (row) return BigInt(row.power.toFixed(0));
  const chainSource = (sourcesJson as StoredPowerSource[] | null)?.find((source) => source.kind === "erc20votes");
  if (!chainSource || !erc20Votes || chainSource.blockNumber === undefined) return 0n;
  const power = await erc20Votes.votesAt(voter, BigInt(chainSource.blockNumber));
  await db.$executeRaw`INSERT INTO "ProposalVoterPower" ("proposalId", "address", "power") VALUES (${proposalId}, ${voter}, ${power.toString()}::numeric) ON CONFLICT DO NOTHING`;
  return power;
}

/**
 * What a voter is shown: for a proposal whose vote opened, the frozen power per source and its share
 * of the frozen total; otherwise what the latest imported snapshot gives them now.
 */
export async function getVotingPower(db: Db, input: { address: string; proposalId?: string; erc20Votes?: Erc20VotesReader }) {
  const normalised = normaliseAddress(input.address);
  if ("reason" in normalised) throw new AppError("BAD_REQUEST", `address: ${normalised.reason}`);
  const address = normalised.address;
  if (input.proposalId) {
    const proposal = await db.proposal.findUnique({ where: { id: input.proposalId }, select: { powerSources: true, totalVotingPower: true, powerSnapshotHash: true } });
    if (!proposal) throw new AppError("NOT_FOUND", `No proposal ${input.proposalId}`);
    if (proposal.powerSources && proposal.totalVotingPower !== null) {
      const sources = sourcesFromJson(proposal.powerSources);
      const power = await frozenPowerOf(db, input.proposalId, address, proposal.powerSources, input.erc20Votes);
      // One counted source per proposal today; the breakdown shape allows several.
      const breakdown = powerBreakdown(address, sources, { [sources[0].id]: new Map([[address, power]]) }, BigInt(proposal.totalVotingPower.toFixed(0)));
      return { frozen: true as const, powerSnapshot: proposal.powerSnapshotHash, totalPower: BigInt(proposal.totalVotingPower.toFixed(0)), breakdown };
    }
  }
  const latest = await db.votingPowerSnapshot.findFirst({ orderBy: [{ takenAt: "desc" }, { id: "desc" }] });
  if (!latest) return { frozen: false as const, powerSnapshot: null, totalPower: 0n, breakdown: powerBreakdown(address, [], {}, 0n) };
  const entry = await db.votingPowerEntry.findUnique({ where: { snapshotId_address: { snapshotId: latest.id, address } } });
  const source: PowerSource = { id: `snapshot:${latest.id}`, kind: "import", label: latest.name, hash: "0x" as `0x${string}`, timestampMs: latest.takenAt.getTime() };
  const totalPower = BigInt(latest.totalPower.toFixed(0));
  return {
    frozen: false as const,
    powerSnapshot: null,
    totalPower,
    breakdown: powerBreakdown(address, [source], { [source.id]: new Map(entry ? [[address, BigInt(entry.power.toFixed(0))]] : []) }, totalPower),
  };
}
