// The snapshots page's upload endpoint (POST /api/snapshots/import) as a function of a real Request
// and a real database: the tier of risk.importSnapshot, the raw body, format detection, and errors
// with the file's line or JSON path.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestDatabase, testDatabaseKinds, type TestDatabase } from "../testing/databases";
import { EventBus } from "../bus";
import { PriceBoard } from "../prices";
import type { Runtime } from "../runtime-types";
import type { SessionUser } from "../auth/roles";
import { handleSnapshotUpload } from "./snapshot-upload";
import { dydxDocument, hyperliquidDocument } from "../services/positions/test-fixtures";

const admin: SessionUser = { address: "0x00000000000000000000000000000000000000a1", roles: ["holder", "admin"] };
const committee: SessionUser = { address: "0x00000000000000000000000000000000000000c1", roles: ["holder", "committee"] };
const csv = "account,mode,collateral,market,size,entryPrice,margin,mark\nu1,cross,1000.000000000000000001,ETH-USD,-1.5,3000,,3000\nu2,isolated,,BTC-USD,0.25,60000,1500,60000\n";

function post(query: string, body: BodyInit, headers: Record<string, string> = {}): Request {
  return new Request(`http://localhost/api/snapshots/import?${query}`, { method: "POST", body, headers: { "content-type": "application/octet-stream", ...headers } });
}

describe.each(testDatabaseKinds())("snapshot upload (%s)", (kind) => {
  let database: TestDatabase;
  let runtime: Runtime;
  const context = (user: SessionUser | null) => ({ db: database.prisma, runtime, user });
  beforeAll(async () => {
    database = await openTestDatabase(kind);
    const bus = new EventBus();
    runtime = { env: { demo: false } as Runtime["env"], config: null, database, appSecret: "x".repeat(32), bus, prices: new PriceBoard(bus), startedAt: new Date(), subsystems: new Map() };
  });
  afterAll(async () => {
    await database?.dispose();
  });

  it("imports a CSV streamed as the raw body, detecting the format, and activates it", async () => {
    const announced: number[] = [];
    runtime.bus.subscribe("snapshot.activated", (event) => announced.push(event.snapshotId));
    const body = new Blob([csv]).stream();
    const response = await handleSnapshotUpload(new Request("http://localhost/api/snapshots/import?format=auto&label=desk%20export&activate=1", { method: "POST", body, duplex: "half" } as RequestInit), context(admin));
    expect(response.status).toBe(200);
    const result = await response.json();
    expect(result).toMatchObject({ detectedFormat: "csv", format: "csv", label: "desk export", accountCount: 2, positionCount: 2, active: true, markets: ["ETH-USD", "BTC-USD"] });
    expect(result.warnings).toHaveLength(2); // no parameter sets in this database
    expect(announced).toEqual([result.snapshotId]);
    const stored = await database.pool.query(`SELECT collateral::text FROM "Account" WHERE "snapshotId" = $1 AND "accountId" = 'u1'`, [result.snapshotId]);
    expect(stored.rows[0].collateral).toBe("1000.000000000000000001");
    expect(await database.prisma.auditLog.count({ where: { action: "snapshot.import", actor: admin.address } })).toBe(1);
  });

  it("tells dYdX, Hyperliquid and BOOK.json apart", async () => {
    for (const [content, format] of [
      [JSON.stringify(dydxDocument), "dydx"],
      [JSON.stringify(hyperliquidDocument), "hyperliquid"],
      [JSON.stringify({ marks: { X: "1" }, accounts: [{ id: "b1", collateral: "5", positions: [{ market: "X", size: "1", entryPrice: "1" }] }] }), "book"],
    ]) {
      const response = await handleSnapshotUpload(post("format=auto", content), context(admin));
      expect(response.status, content.slice(0, 40)).toBe(200);
      expect((await response.json()).detectedFormat).toBe(format);
    }
  });

  it("answers bad files with the line or JSON path and the reason, writing nothing", async () => {
    const before = await database.prisma.positionSnapshot.count();
    const cases: [string, string, number, { path: string; reason: string }][] = [
      ["format=auto", csv.replace("0.25", "a quarter"), 400, { path: "line 3, column size", reason: 'expected a decimal number (string), got "a quarter"' }],
      ["format=csv", "account,market\nx,ETH-USD\n", 400, { path: "line 1", reason: 'expected a column "size" (columns: account,mode,collateral,market,size,entryPrice,margin,mark), got account,market' }],
      ["format=book", '{"marks":{"X":"1"},"accounts":[{"id":"a","collateral":"1","positions":[{"market":"X","size":"1","entryPrice":0}]}]}', 400, { path: "accounts[0].positions[0].entryPrice", reason: "expected a positive number, got 0" }],
      ["format=auto", '{"something":"else"}', 400, { path: "format", reason: expect.stringContaining("choose the format") as unknown as string }],
      ["format=xlsx", csv, 400, { path: "format", reason: 'expected auto or one of book, csv, dydx, hyperliquid, got "xlsx"' }],
      ["format=auto", "  \n", 400, { path: "file", reason: "expected a snapshot file, got an empty one" }],
    ];
    for (const [query, content, status, issue] of cases) {
      const response = await handleSnapshotUpload(post(query, content), context(admin));
      const body = await response.json();
      expect(response.status, `${query} ${content.slice(0, 30)}`).toBe(status);
      expect(body.issues?.[0]).toEqual(issue);
    }
    expect(await database.prisma.positionSnapshot.count()).toBe(before);
  });

  it("keeps the API's rule: admins only, checked before the body is read; size limit by header", async () => {
    let pulled = false;
    // highWaterMark 0: the stream is pulled only when someone reads the body.
    const body = () =>
      new ReadableStream(
        {
          pull(controller) {
            pulled = true;
            controller.enqueue(new TextEncoder().encode(csv));
            controller.close();
          },
        },
        { highWaterMark: 0 },
      );
    const request = () => new Request("http://localhost/api/snapshots/import", { method: "POST", body: body(), duplex: "half" } as RequestInit);
    const signedOut = await handleSnapshotUpload(request(), context(null));
    expect([signedOut.status, (await signedOut.json()).error]).toEqual([401, "Sign in first"]);
    const member = await handleSnapshotUpload(request(), context(committee));
    expect([member.status, (await member.json()).error]).toEqual([403, "This needs the admin role"]);
    expect(pulled).toBe(false);
    const tooLarge = await handleSnapshotUpload(post("format=csv", "x", { "content-length": String(300_000_000) }), context(admin));
    expect(tooLarge.status).toBe(413);
    expect((await tooLarge.json()).issues[0].path).toBe("file");
  });
});
