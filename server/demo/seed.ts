// Demo data, written once on the first start in demo mode: markets with parameter sets v1, a
// synthetic positions snapshot (a few thousand cross and isolated accounts), demo personas with
// roles, and a voting-power snapshot for the token holders.
import { getAddress, keccak256, toHex } from "viem";
import type { Runtime } from "../runtime-types";
import { DEMO_MARKETS } from "./markets";
import { DEMO_PERSONAS, demoAccount } from "../auth/demo-personas";
import { grantRole } from "../services/users/roles";
import { generateDemoBook, type DemoBook } from "./book";

export const DEMO_ACCOUNT_COUNT = 3_000;

export async function seedDemo(runtime: Runtime): Promise<{ seeded: boolean }> {
  const db = runtime.database.prisma;
  if ((await db.market.count()) > 0) return { seeded: false };

  await db.$transaction(async (tx) => {
    for (const market of DEMO_MARKETS) {
      await tx.market.create({ data: { id: market.id, name: market.name, tier: market.tier, referencePrice: market.startPrice } });
      await tx.parameterSet.create({
        data: { marketId: market.id, version: 1, params: market.params as object, active: true, createdBy: "demo", note: "Genesis parameters (dYdX-style liquidity tier)" },
      });
    }
  });

  for (const persona of DEMO_PERSONAS) {
    const address = demoAccount(persona.id).address;
    await db.user.upsert({ where: { address }, create: { address }, update: {} });
    for (const role of persona.roles) await grantRole(db, { address, role, grantedBy: "demo" });
  }

  const book = generateDemoBook(DEMO_ACCOUNT_COUNT, 20261125);
  await insertSnapshot(runtime, book);
  await insertVotingPower(runtime);
  await db.auditLog.create({ data: { actor: "demo", action: "demo.seed", details: { markets: DEMO_MARKETS.length, accounts: book.accounts.length } } });
  return { seeded: true };
}

async function insertSnapshot(runtime: Runtime, book: DemoBook) {
  const { pool } = runtime.database;
  const positionCount = book.accounts.reduce((sum, account) => sum + account.positions.length, 0);
  const { rows } = await pool.query<{ id: number }>(
    `INSERT INTO "PositionSnapshot" ("source", "label", "accountCount", "positionCount", "marks", "insuranceFund", "active")
     VALUES ('demo', 'Demo book (synthetic)', $1, $2, $3, $4, true) RETURNING id`,
    [book.accounts.length, positionCount, JSON.stringify(book.marks), book.insuranceFund],
  );
  const snapshotId = rows[0].id;
  const accountRows = book.accounts.map((account) => [snapshotId, account.id, account.mode, account.collateral]);
  await batchInsert(runtime, `"Account" ("snapshotId", "accountId", "mode", "collateral")`, accountRows);
  const positionRows = book.accounts.flatMap((account) =>
    account.positions.map((position) => [snapshotId, account.id, position.market, position.size, position.entryPrice, position.margin ?? null]),
  );
  await batchInsert(runtime, `"Position" ("snapshotId", "accountId", "market", "size", "entryPrice", "margin")`, positionRows);
}

/** Multi-row INSERTs of ≤ 1000 rows each, one transaction (PGlite single writes cost ms each). */
export async function batchInsert(runtime: Runtime, target: string, rows: unknown[][]) {
  if (rows.length === 0) return;
  const client = await runtime.database.pool.connect();
  try {
    await client.query("BEGIN");
    for (let start = 0; start < rows.length; start += 1000) {
      const chunk = rows.slice(start, start + 1000);
      const width = chunk[0].length;
      const placeholders = chunk.map((_, row) => `(${Array.from({ length: width }, (_, col) => `$${row * width + col + 1}`).join(",")})`);
      await client.query(`INSERT INTO ${target} VALUES ${placeholders.join(",")}`, chunk.flat());
    }
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK");
    throw error;
  } finally {
    client.release();
  }
}

async function insertVotingPower(runtime: Runtime) {
  const db = runtime.database.prisma;
  // Demo holders get round powers; 200 synthetic holders share the rest (power in whole tokens, 18 decimals).
  const WEI = 10n ** 18n;
  const entries = new Map<string, bigint>();
  const personaPower: Record<string, bigint> = { "holder-1": 400_000n, "holder-2": 250_000n, "holder-3": 150_000n, "committee-1": 50_000n, "committee-2": 50_000n, "committee-3": 50_000n, "oncall-1": 5_000n, "admin-1": 10_000n };
  for (const [persona, power] of Object.entries(personaPower)) entries.set(demoAccount(persona).address, power * WEI);
  for (let index = 0; index < 200; index++) {
    const address = getAddress(`0x${keccak256(toHex(`riskwarden-demo-holder:${index}`)).slice(26)}`);
    entries.set(address, BigInt(1_000 + ((index * 7919) % 20_000)) * WEI);
  }
  const total = [...entries.values()].reduce((sum, power) => sum + power, 0n);
  await db.votingPowerSnapshot.create({
    data: {
      name: "Demo token snapshot",
      blockNumber: 21_000_000n,
      takenAt: new Date(),
      source: "demo",
      totalPower: total.toString(),
      createdBy: "demo",
      entries: { create: [...entries].map(([address, power]) => ({ address, power: power.toString() })) },
    },
  });
}
