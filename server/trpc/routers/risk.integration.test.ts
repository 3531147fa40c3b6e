// The risk router through a tRPC caller on a real database with the demo seed and the risk subsystem.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TRPCError } from "@trpc/server";
import { openTestDatabase, type TestDatabase } from "../../testing/databases";
import { EventBus } from "../../bus";
import { PriceBoard } from "../../prices";
import type { Runtime } from "../../runtime-types";
import { seedDemo } from "../../demo/seed";
import { startRisk } from "../../services/risk/risk-subsystem";
import { createCallerFactory } from "../init";
import type { SessionUser } from "../../auth/roles";
import { riskRouter } from "./risk";
import { router } from "../init";

const createCaller = createCallerFactory(router({ risk: riskRouter }));
const admin: SessionUser = { address: "0x00000000000000000000000000000000000000a1", roles: ["holder", "admin"] };

describe("risk router (pglite)", () => {
  let database: TestDatabase;
  let runtime: Runtime;
  beforeAll(async () => {
    database = await openTestDatabase("pglite");
    const bus = new EventBus();
    runtime = { env: { demo: true } as Runtime["env"], config: null, database, appSecret: "x".repeat(32), bus, prices: new PriceBoard(bus), startedAt: new Date(), subsystems: new Map() };
    await seedDemo(runtime);
    runtime.subsystems.set("risk", await startRisk(runtime, { refreshIntervalMs: 0 }));
  });
  afterAll(async () => {
    await runtime?.subsystems.get("risk")?.stop?.();
    await database?.dispose();
  });

  it("serves the market page's data", async () => {
    const api = createCaller({ db: database.prisma, runtime, user: null });
    const page = await api.risk.marketRisk({ market: "BTC-USD" });
    expect(page.market).toEqual({ id: "BTC-USD", name: "Bitcoin", tier: "major" });
    expect(page.versions.map((version) => [version.version, version.active, version.proposal])).toEqual([[1, true, null]]);
    expect(page.unavailable).toBeNull();
    expect(page.risk?.mark).toEqual({ mark: 97_000, source: "snapshot" });
    expect(page.risk?.liquidationMap.levels).toHaveLength(40);
    expect(page.risk?.stress.map((point) => point.shock)).toEqual([-0.3, -0.275, -0.25, -0.225, -0.2, -0.175, -0.15, -0.125, -0.1, -0.075, -0.05, -0.025, 0, 0.025, 0.05, 0.075, 0.1, 0.125, 0.15, 0.175, 0.2, 0.225, 0.25, 0.275, 0.3]);
    expect(page.risk?.nearestLiquidation).toHaveLength(20);
    await expect(api.risk.marketRisk({ market: "NOPE-USD" })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("refuses a bad draft with the field and reason", async () => {
    const api = createCaller({ db: database.prisma, runtime, user: admin });
    const error = await api.risk.preview({ changes: { "ETH-USD": { liquidationPenalty: 0.5 } } }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TRPCError);
    expect((error as TRPCError).code).toBe("BAD_REQUEST");
    expect((error as TRPCError).message).toMatch(/^changes\["ETH-USD"\]\.liquidationPenalty: expected /);
    const ok = await api.risk.preview({ changes: { "ETH-USD": { maintenanceMarginFraction: 0.04 } } });
    expect(ok.changedMarkets).toEqual(["ETH-USD"]);
    expect(ok.summary.accounts).toBeGreaterThan(2_000);
  });

  it("imports and activates a snapshot as admin; the engine follows", async () => {
    const api = createCaller({ db: database.prisma, runtime, user: admin });
    const content = "account,mode,collateral,market,size,entryPrice,margin,mark\nz1,cross,1000,ETH-USD,1,3400,,3400\n";
    const result = await api.risk.importSnapshot({ format: "csv", content, label: "api", activate: true });
    expect(result).toMatchObject({ accountCount: 1, positionCount: 1, active: true });
    const status = await api.risk.status();
    expect(status.snapshot).toMatchObject({ id: result.snapshotId, accounts: 1 });
    const snapshots = await api.risk.snapshots();
    expect(snapshots.map((snapshot) => [snapshot.id, snapshot.active])).toEqual([[result.snapshotId, true], [result.snapshotId - 1, false]]);
    const audit = await database.prisma.auditLog.findFirstOrThrow({ where: { action: "snapshot.import" } });
    expect(audit).toMatchObject({ actor: admin.address, target: `snapshot:${result.snapshotId}` });
    const bad = await api.risk.importSnapshot({ format: "csv", content: "account,market,size,entryPrice\nz1,ETH-USD,abc,1\n" }).catch((caught: unknown) => caught);
    expect((bad as TRPCError).code).toBe("BAD_REQUEST");
    expect((bad as TRPCError).message).toBe("line 2, column size: expected a decimal number (string), got \"abc\"");
  });
});
