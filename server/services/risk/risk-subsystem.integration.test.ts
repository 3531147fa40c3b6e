// The risk subsystem on a real database: loads the demo seed's active snapshot and parameter sets,
// agrees with lib/risk's simple path on the same accounts, follows bus events.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestDatabase, testDatabaseKinds, type TestDatabase } from "../../testing/databases";
import { EventBus } from "../../bus";
import { PriceBoard } from "../../prices";
import type { Runtime } from "../../runtime-types";
import { seedDemo } from "../../demo/seed";
import { generateDemoBook } from "../../demo/book";
import { DEMO_MARKETS } from "../../demo/markets";
import { computeMargin, type Book } from "../../../lib/risk";
import { importSnapshot } from "../positions/import-snapshot";
import { getRiskService, startRisk, type RiskSubsystem } from "./risk-subsystem";

describe.each(testDatabaseKinds())("risk subsystem (%s)", (kind) => {
  let database: TestDatabase;
  let runtime: Runtime;
  let subsystem: RiskSubsystem;
  beforeAll(async () => {
    database = await openTestDatabase(kind);
    const bus = new EventBus();
    runtime = {
      env: { demo: true } as Runtime["env"],
      config: null,
      database,
      appSecret: "x".repeat(32),
      bus,
      prices: new PriceBoard(bus),
      startedAt: new Date(),
      subsystems: new Map(),
    };
    await seedDemo(runtime);
    // Marks applied on the next query (the default waits up to 2 s between rebuilds).
    subsystem = await startRisk(runtime, { refreshIntervalMs: 0 });
    runtime.subsystems.set("risk", subsystem);
  });
  afterAll(async () => {
    await subsystem?.stop?.();
    await database?.dispose();
  });

  it("loads the demo snapshot and agrees with the simple margin path", async () => {
    const risk = getRiskService(runtime);
    const status = await risk.status();
    const stored = await database.prisma.positionSnapshot.findFirstOrThrow({ where: { active: true } });
    expect(status.snapshot).toMatchObject({ id: stored.id, accounts: stored.accountCount, positions: stored.positionCount, excludedPositions: 0 });
    expect(status.markets.sort()).toEqual(DEMO_MARKETS.map((market) => market.id).sort());

    // The seed's book, margined by lib/risk's object path with the seeded parameters.
    const demo = generateDemoBook(3_000, 20261125) as unknown as Book;
    const expected = computeMargin(demo, { markets: Object.fromEntries(DEMO_MARKETS.map((market) => [market.id, market.params])) });
    const summary = await risk.marginSummary();
    expect(summary.totals.accounts).toBe(expected.totals.accounts);
    expect(summary.totals.liquidatable).toBe(expected.totals.liquidatable);
    expect(summary.totals.shortfall).toBeCloseTo(expected.totals.shortfall, 6);
    expect(summary.totals.notionalAtRisk).toBeCloseTo(expected.totals.notionalAtRisk, 4);
    expect(summary.marks["BTC-USD"]).toEqual({ mark: 97_000, source: "snapshot" });
    expect(summary.insuranceFund).toBe(2_500_000);
  });

  it("previews a draft touching one market and refuses a bad one", async () => {
    const risk = getRiskService(runtime);
    const preview = await risk.preview({ "SOL-USD": { maintenanceMarginFraction: 0.08 } });
    expect(preview.changedMarkets).toEqual(["SOL-USD"]);
    expect(preview.summary.liquidatable.proposed).toBeGreaterThanOrEqual(preview.summary.liquidatable.current);
    expect(preview.summary.newlyLiquidatable).toBe(preview.summary.liquidatable.proposed - preview.summary.liquidatable.current + preview.summary.noLongerLiquidatable);
    // Only SOL-USD's curve changed: other markets' maintenance is the same under both sets.
    expect(preview.markets["BTC-USD"].maintenanceMargin.proposed).toBe(preview.markets["BTC-USD"].maintenanceMargin.current);
    expect(preview.markets["SOL-USD"].maintenanceMargin.proposed).toBeCloseTo(preview.markets["SOL-USD"].maintenanceMargin.current * (0.08 / 0.05), 6);
    expect(preview.against["SOL-USD"].version).toBe(1);
    await expect(risk.preview({ "SOL-USD": { maintenanceMarginFraction: "high" } })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      issues: [expect.objectContaining({ path: 'changes["SOL-USD"].maintenanceMarginFraction' })],
    });
  });

  it("answers the market page's questions", async () => {
    const risk = getRiskService(runtime);
    const map = await risk.liquidationMap("BTC-USD");
    const mapped = map.levels.reduce((sum, level) => sum + level.longPositions + level.shortPositions, 0);
    const summary = await risk.marginSummary();
    expect(mapped + map.liquidatableNow.positions + map.outsideRange.positions + map.noLiquidationPrice).toBe(summary.markets["BTC-USD"].positions);
    // Longs liquidate below the mark, shorts above.
    for (const level of map.levels) {
      if (level.longNotional > 0) expect(level.priceLow).toBeLessThan(map.mark);
      if (level.shortNotional > 0) expect(level.priceHigh).toBeGreaterThan(map.mark);
    }
    const nearest = await risk.nearestLiquidation("BTC-USD", 10);
    expect(nearest).toHaveLength(10);
    for (let i = 1; i < nearest.length; i++) expect(nearest[i].distance).toBeGreaterThanOrEqual(nearest[i - 1].distance);
    const histogram = await risk.healthHistogram(null);
    expect(histogram.accounts).toBe(summary.totals.accounts);
    expect(histogram.liquidatable).toBe(summary.totals.liquidatable);
    const curve = await risk.stressCurve("BTC-USD", [-0.2, -0.1, 0]);
    expect(curve.map((point) => point.shock)).toEqual([-0.2, -0.1, 0]);
    expect(curve[0].liquidatedNotional).toBeGreaterThan(curve[1].liquidatedNotional);
  });

  it("reloads on snapshot.activated and params.activated, and follows live marks", async () => {
    const risk = getRiskService(runtime);
    const imported = await importSnapshot(database, {
      format: "book",
      content: JSON.stringify({ marks: { "BTC-USD": "90000" }, accounts: [{ id: "only", collateral: "1000", positions: [{ market: "BTC-USD", size: "0.1", entryPrice: "95000" }] }] }),
      activate: true,
      bus: runtime.bus,
    });
    await risk.ready();
    expect((await risk.status()).snapshot).toMatchObject({ id: imported.snapshotId, accounts: 1, positions: 1 });
    // equity 1000 + 0.1·(90000 − 95000) = 500; liquidation where 1000 + 0.1(P − 95000) = MM(0.1·P).
    const nearest = await risk.nearestLiquidation("BTC-USD", 1);
    expect(nearest[0].accountEquity).toBeCloseTo(500, 9);

    await database.prisma.$transaction(async (tx) => {
      const active = await tx.parameterSet.findFirstOrThrow({ where: { marketId: "BTC-USD", active: true } });
      await tx.parameterSet.update({ where: { id: active.id }, data: { active: false } });
      await tx.parameterSet.create({ data: { marketId: "BTC-USD", version: 2, params: { initialMarginFraction: 0.2, maintenanceMarginFraction: 0.1 }, active: true, createdBy: "test" } });
    });
    runtime.bus.publish("params.activated", { market: "BTC-USD", version: 2, parameterSetId: 0, at: Date.now() });
    await risk.ready();
    // Flat 10 %: maintenance 0.1·0.1·90000 = 900 > equity 500.
    const margin = await risk.marginSummary();
    expect(margin.totals.maintenanceMargin).toBeCloseTo(900, 9);
    expect(margin.totals.liquidatable).toBe(1);

    runtime.prices.update({ market: "BTC-USD", reference: 100_000, sources: {}, at: Date.now() });
    const live = await risk.marginSummary();
    expect(live.marks["BTC-USD"]).toEqual({ mark: 100_000, source: "live" });
    // equity 1000 + 0.1·5000 = 1500 ≥ maintenance 1000.
    expect(live.totals.liquidatable).toBe(0);
  });

  it("picks up a snapshot activated behind the bus's back (another process) when it polls", async () => {
    const risk = getRiskService(runtime);
    const imported = await importSnapshot(database, {
      format: "csv",
      content: "account,mode,collateral,market,size,entryPrice,margin,mark\nother,cross,5000,ETH-USD,2,3400,,3400\n",
      activate: true,
    });
    expect((await risk.status()).snapshot?.id).not.toBe(imported.snapshotId);
    await risk.pollForChanges();
    expect((await risk.status()).snapshot).toMatchObject({ id: imported.snapshotId, accounts: 1, positions: 1 });
  });
});
