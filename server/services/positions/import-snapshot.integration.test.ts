import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestDatabase, testDatabaseKinds, type TestDatabase } from "../../testing/databases";
import { EventBus } from "../../bus";
import { AppError } from "../../errors";
import { importSnapshot, prepareSnapshot, writePreparedSnapshot } from "./import-snapshot";
import { activateSnapshot, listSnapshots, loadSnapshot } from "./snapshots";
import { dydxDocument, hyperliquidDocument } from "./test-fixtures";

// Precision-carrying book: 18 fractional digits, and a value a double cannot hold
// (123456789.123456789012345678 rounds to 123456789.12345679 as a float64).
const preciseBook = JSON.stringify({
  marks: { "ETH-USD": "3000.123456789012345678", "BTC-USD": 97000 },
  insuranceFund: "1000000.000000000000000001",
  accounts: [
    { id: "a1", mode: "cross", collateral: "123456789.123456789012345678", positions: [
      { market: "ETH-USD", size: "0.123456789012345678", entryPrice: "2999.999999999999999999" },
      { market: "BTC-USD", size: -0.5, entryPrice: 96000.5 },
    ] },
    { id: "a2", mode: "isolated", positions: [{ market: "ETH-USD", size: "-3", entryPrice: "3000", margin: "1000.000000000000000001" }] },
  ],
});

describe.each(testDatabaseKinds())("importSnapshot (%s)", (kind) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await openTestDatabase(kind);
  });
  afterAll(async () => {
    await database?.dispose();
  });

  it("stores the exact decimal strings in NUMERIC columns", async () => {
    const result = await importSnapshot(database, { format: "book", content: preciseBook, label: "precise" });
    expect(result).toMatchObject({ accountCount: 2, positionCount: 3, active: false, label: "precise", markets: ["ETH-USD", "BTC-USD"] });
    const positions = await database.pool.query(
      `SELECT "accountId", market, size::text, "entryPrice"::text, margin::text FROM "Position" WHERE "snapshotId" = $1 ORDER BY id`,
      [result.snapshotId],
    );
    expect(positions.rows).toEqual([
      { accountId: "a1", market: "ETH-USD", size: "0.123456789012345678", entryPrice: "2999.999999999999999999", margin: null },
      { accountId: "a1", market: "BTC-USD", size: "-0.500000000000000000", entryPrice: "96000.500000000000000000", margin: null },
      { accountId: "a2", market: "ETH-USD", size: "-3.000000000000000000", entryPrice: "3000.000000000000000000", margin: "1000.000000000000000001" },
    ]);
    const accounts = await database.pool.query(`SELECT "accountId", mode, collateral::text FROM "Account" WHERE "snapshotId" = $1 ORDER BY "accountId"`, [result.snapshotId]);
    expect(accounts.rows).toEqual([
      { accountId: "a1", mode: "cross", collateral: "123456789.123456789012345678" },
      { accountId: "a2", mode: "isolated", collateral: "0.000000000000000000" },
    ]);
    const snapshot = await database.prisma.positionSnapshot.findUniqueOrThrow({ where: { id: result.snapshotId } });
    expect(snapshot.insuranceFund.toString()).toBe("1000000.000000000000000001");
    expect(snapshot.marks).toEqual({ "ETH-USD": "3000.123456789012345678", "BTC-USD": 97000 });
    // Prisma's Decimal reads the same digits back.
    const viaPrisma = await database.prisma.position.findFirstOrThrow({ where: { snapshotId: result.snapshotId, accountId: "a1", market: "ETH-USD" } });
    expect(viaPrisma.size.toFixed(18)).toBe("0.123456789012345678");
  });

  it("activates one snapshot at a time and announces it on the bus", async () => {
    const bus = new EventBus();
    const announced: number[] = [];
    bus.subscribe("snapshot.activated", (event) => announced.push(event.snapshotId));
    const first = await importSnapshot(database, { format: "book", content: preciseBook, activate: true, bus });
    const second = await importSnapshot(database, { format: "csv", content: "account,mode,collateral,market,size,entryPrice,margin,mark\nc1,cross,500.25,ETH-USD,1.000000000000000001,3000,,3001.5\n", activate: true, bus });
    expect(announced).toEqual([first.snapshotId, second.snapshotId]);
    const active = await database.prisma.positionSnapshot.findMany({ where: { active: true } });
    expect(active.map((row) => row.id)).toEqual([second.snapshotId]);
    await activateSnapshot(database, { snapshotId: first.snapshotId, bus });
    expect((await database.prisma.positionSnapshot.findFirstOrThrow({ where: { active: true } })).id).toBe(first.snapshotId);
    expect(announced.at(-1)).toBe(first.snapshotId);
    await expect(activateSnapshot(database, { snapshotId: 999_999 })).rejects.toMatchObject({ code: "NOT_FOUND" });

    const loaded = await loadSnapshot(database);
    expect(loaded?.snapshotId).toBe(first.snapshotId);
    expect(loaded?.accountIds).toEqual(["a1", "a2"]);
    expect(Array.from(loaded!.accountPositionStart)).toEqual([0, 2, 3]);
    expect(loaded?.positionMarket).toEqual(["ETH-USD", "BTC-USD", "ETH-USD"]);
    expect(Array.from(loaded!.positionSize)).toEqual([0.123456789012345678, -0.5, -3]);
    expect(Array.from(loaded!.accountIsolated)).toEqual([0, 1]);
    expect(loaded?.accountCollateral[0]).toBe(123456789.12345679);
    expect(loaded?.positionMargin[2]).toBe(1000);
    expect(loaded?.marks).toEqual({ "ETH-USD": 3000.123456789012345678, "BTC-USD": 97000 });

    const listed = await listSnapshots(database.prisma);
    expect(listed[0]).toMatchObject({ id: second.snapshotId, source: "csv", accountCount: 1, positionCount: 1, active: false, markets: ["ETH-USD"] });
  });

  it("imports dYdX indexer responses with exact collateral", async () => {
    const result = await importSnapshot(database, { format: "dydx", content: JSON.stringify(dydxDocument) });
    expect(result).toMatchObject({ accountCount: 2, positionCount: 3 });
    const accounts = await database.pool.query(`SELECT "accountId", mode, collateral::text FROM "Account" WHERE "snapshotId" = $1 ORDER BY "accountId"`, [result.snapshotId]);
    // collateral = USDC + Σ size·entry = −9730.5 + 0.5·60000 − 2·3100.5 = 14068.5 (dYdX v4 margining).
    expect(accounts.rows[0]).toEqual({ accountId: "dydx1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq00/0", mode: "cross", collateral: "14068.500000000000000000" });
    const margin = await database.pool.query(`SELECT margin::text, size::text FROM "Position" WHERE "snapshotId" = $1 AND market = 'PEPE-USD'`, [result.snapshotId]);
    // SHORT USDC 0.345666 is a debt: margin = −0.345666 + 1000000·0.00001 = 9.654334.
    expect(margin.rows).toEqual([{ margin: "9.654334000000000000", size: "1000000.000000000000000000" }]);
    const snapshot = await database.prisma.positionSnapshot.findUniqueOrThrow({ where: { id: result.snapshotId } });
    expect((snapshot.marks as Record<string, string>)["PEPE-USD"]).toBe("0.000012345678");
  });

  it("imports Hyperliquid clearinghouseState with allMids as marks", async () => {
    const result = await importSnapshot(database, { format: "hyperliquid", content: JSON.stringify(hyperliquidDocument) });
    expect(result).toMatchObject({ accountCount: 2, positionCount: 1, markets: ["ETH-USD"] });
    const rows = await database.pool.query(
      `SELECT a."accountId", a.collateral::text, p.margin::text FROM "Account" a LEFT JOIN "Position" p ON p."snapshotId" = a."snapshotId" AND p."accountId" = a."accountId" WHERE a."snapshotId" = $1 ORDER BY a."accountId"`,
      [result.snapshotId],
    );
    // isolated margin before PnL = rawUsd + szi·entryPx = −95.059824 + 0.0335·2986.3 = 4.981226.
    expect(rows.rows).toEqual([
      { accountId: "0xabc", collateral: "13104.514502000000000000", margin: null },
      { accountId: "0xabc/isolated", collateral: "0.000000000000000000", margin: "4.981226000000000000" },
    ]);
  });

  it("refuses bad input with the field and the reason, writing nothing", async () => {
    const before = await database.prisma.positionSnapshot.count();
    const cases: [string, string, string][] = [
      ["book", JSON.stringify({ marks: { X: 1 }, accounts: [{ id: "a", collateral: 1, positions: [{ market: "X", size: "abc", entryPrice: 1 }] }] }), "accounts[0].positions[0].size"],
      ["book", "{not json", "$"],
      ["book", JSON.stringify({ marks: { X: 1 }, accounts: [{ id: "a", collateral: "0.1234567890123456789", positions: [] }] }), "accounts[0].collateral"],
      ["csv", "account,market,size\n", "line 1"],
      ["dydx", JSON.stringify({ subaccounts: [] }), "perpetualMarkets"],
      [
        "dydx",
        JSON.stringify({
          perpetualMarkets: dydxDocument.perpetualMarkets,
          subaccounts: [{ subaccount: { address: "dydx1a", subaccountNumber: 0, openPerpetualPositions: { "BTC-USD": { market: "BTC-USD", side: "UP", size: "1", entryPrice: "1" } } } }],
        }),
        'subaccounts[0].subaccount.openPerpetualPositions["BTC-USD"].side',
      ],
      ["hyperliquid", JSON.stringify({ users: [{ user: "u", clearinghouseState: { crossMarginSummary: { totalRawUsd: "x" } } }] }), "users[0].clearinghouseState.crossMarginSummary.totalRawUsd"],
      ["yaml", "", "format"],
      ["csv", "account,mode,collateral,market,size,entryPrice,margin,mark\na1,cross,1,ETH-USD,1,3000,,3000\na2,cross,1,ETH-USD,0.0000000000000000001,3000,,3000\n", "line 3, column size"],
      ["csv", "account,mode,collateral,market,size,entryPrice,margin,mark\na1,cross,1,ETH-USD,1,3000,,3000\na\u00002,cross,1,ETH-USD,1,3000,,3000\n", "line 3"],
      ["book", JSON.stringify({ marks: { X: 1 }, accounts: [{ id: "a\u0000", collateral: 1, positions: [] }] }), "accounts[0].id"],
    ];
    for (const [format, content, path] of cases) {
      const error = await importSnapshot(database, { format: format as "book", content }).catch((caught: unknown) => caught);
      expect(error, `${format} ${path}`).toBeInstanceOf(AppError);
      expect((error as AppError).code).toBe("BAD_REQUEST");
      expect((error as AppError).issues?.[0].path, content).toBe(path);
      expect((error as AppError).issues?.[0].reason).toMatch(/^expected /);
    }
    expect(await database.prisma.positionSnapshot.count()).toBe(before);
  });

  it("gives each snapshot a partition of its own, attached with its indexes and foreign key", async () => {
    const result = await importSnapshot(database, { format: "csv", content: "account,market,size,entryPrice,mark\np1,ETH-USD,2,3000,3000\np2,BTC-USD,-1,60000,60000\n", activate: true });
    const partitions = await database.pool.query<{ table: string; rows: number }>(
      `SELECT tableoid::regclass::text AS table, count(*)::int AS rows FROM "Position" WHERE "snapshotId" = $1 GROUP BY 1`,
      [result.snapshotId],
    );
    expect(partitions.rows).toEqual([{ table: `"Position_s${result.snapshotId}"`, rows: 2 }]);
    const indexes = await database.pool.query<{ indexdef: string }>(`SELECT indexdef FROM pg_indexes WHERE tablename = $1 ORDER BY indexname`, [`Position_s${result.snapshotId}`]);
    expect(indexes.rows.map((row) => row.indexdef.replace(/^.* USING /, ""))).toEqual(['btree ("snapshotId", id)', 'btree ("snapshotId", "accountId")']);
    // ON DELETE CASCADE still reaches the rows through the partitioned foreign key.
    await activateSnapshot(database, { snapshotId: result.snapshotId });
    const other = await importSnapshot(database, { format: "csv", content: "account,market,size,entryPrice,mark\nq1,ETH-USD,1,3000,3000\n", activate: true });
    await database.pool.query(`DELETE FROM "PositionSnapshot" WHERE id = $1`, [result.snapshotId]);
    expect((await database.pool.query(`SELECT count(*)::int AS n FROM "Position" WHERE "snapshotId" = $1`, [result.snapshotId])).rows[0].n).toBe(0);
    expect((await loadSnapshot(database))?.snapshotId).toBe(other.snapshotId);
  });

  it("rolls everything back when the database refuses a row: no snapshot row, no table, the active one stays", async () => {
    const active = await importSnapshot(database, { format: "csv", content: "account,market,size,entryPrice,mark\nk1,ETH-USD,1,3000,3000\n", activate: true });
    const before = await database.prisma.positionSnapshot.count();
    const tablesBefore = await database.pool.query(`SELECT count(*)::int AS n FROM pg_class WHERE relname LIKE 'Position_s%'`);
    const prepared = prepareSnapshot("csv", "account,market,size,entryPrice,mark\nb1,ETH-USD,1,3000,3000\nb2,ETH-USD,2,3000,3000\n", "bad.csv");
    // What validation guarantees, broken on purpose: the second row is no NUMERIC.
    prepared.columns.positionSizes[1] = "2 lots";
    const error = await writePreparedSnapshot(database, prepared, { activate: true }).catch((caught: unknown) => caught);
    expect(String(error)).toMatch(/invalid input syntax for type numeric/);
    expect(await database.prisma.positionSnapshot.count()).toBe(before);
    expect((await database.pool.query(`SELECT count(*)::int AS n FROM pg_class WHERE relname LIKE 'Position_s%'`)).rows[0].n).toBe(tablesBefore.rows[0].n);
    expect((await database.prisma.positionSnapshot.findFirstOrThrow({ where: { active: true } })).id).toBe(active.snapshotId);
    // The connection is fine afterwards.
    const next = await importSnapshot(database, { format: "csv", content: "account,market,size,entryPrice,mark\nk2,ETH-USD,1,3000,3000\n" });
    expect(next.positionCount).toBe(1);
  });

  it("round-trips ids with tabs, backslashes, newlines and non-ASCII through COPY, accounts in byte order", async () => {
    const ids = ["z", "a\tb", "back\\slash", "line\nbreak", "Zürich", "é", "A", "\\N"];
    const content = JSON.stringify({
      marks: { "ETH\tUSD": "3000", "ÉTH-USD": "3000" },
      accounts: ids.map((id, index) => ({ id, collateral: String(index + 1), positions: [{ market: index % 2 ? "ETH\tUSD" : "ÉTH-USD", size: String(index + 1), entryPrice: "3000" }] })),
    });
    const result = await importSnapshot(database, { format: "book", content });
    const loaded = await loadSnapshot(database, { snapshotId: result.snapshotId });
    const byteOrder = [...ids].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    expect(loaded?.accountIds).toEqual(byteOrder);
    for (const [a, id] of loaded!.accountIds.entries()) {
      const index = ids.indexOf(id);
      expect(loaded!.accountCollateral[a]).toBe(index + 1);
      expect(loaded!.positionMarket[loaded!.accountPositionStart[a]]).toBe(index % 2 ? "ETH\tUSD" : "ÉTH-USD");
      expect(loaded!.positionSize[loaded!.accountPositionStart[a]]).toBe(index + 1);
    }
  });

  it("keeps positions of an account in file order when its rows are spread over the file", async () => {
    const result = await importSnapshot(database, {
      format: "csv",
      content: "account,mode,market,size,entryPrice,margin,mark\nb,cross,ETH-USD,1,3000,,3000\na,isolated,ETH-USD,2,3000,10,3000\nb,cross,BTC-USD,3,60000,,60000\na,isolated,SOL-USD,4,150,20,150\nb,cross,SOL-USD,5,150,,150\n",
    });
    const loaded = await loadSnapshot(database, { snapshotId: result.snapshotId });
    expect(loaded?.accountIds).toEqual(["a", "b"]);
    expect(Array.from(loaded!.accountPositionStart)).toEqual([0, 2, 5]);
    expect(Array.from(loaded!.positionSize)).toEqual([2, 4, 1, 3, 5]);
    expect(Array.from(loaded!.positionMargin)).toEqual([10, 20, 0, 0, 0]);
    expect(result.warnings).toEqual([
      "BTC-USD: no active risk parameters, so its 1 position is left out of margin, previews and stress",
      "ETH-USD: no active risk parameters, so its 2 positions are left out of margin, previews and stress",
      "SOL-USD: no active risk parameters, so its 2 positions are left out of margin, previews and stress",
    ]);
  });

  it.runIf(kind === "postgres")("runs imports started together one after the other; each commits whole", async () => {
    const contents = [1, 2, 3, 4].map((n) => `account,market,size,entryPrice,mark\n${Array.from({ length: 2000 }, (_, i) => `c${n}-${i},ETH-USD,${n}.${i},3000,3000`).join("\n")}\n`);
    const results = await Promise.all(contents.map((content, index) => importSnapshot(database, { format: "csv", content, label: `together ${index}`, activate: true })));
    for (const result of results) {
      const stored = await database.pool.query(`SELECT count(*)::int AS n FROM "Position" WHERE "snapshotId" = $1`, [result.snapshotId]);
      expect(stored.rows[0].n).toBe(2000);
    }
    const active = await database.prisma.positionSnapshot.findMany({ where: { active: true } });
    expect(active).toHaveLength(1);
    expect(results.map((result) => result.snapshotId)).toContain(active[0].id);
  });
});
