// The risk monitors end to end on a real database: the real risk subsystem (book loaded from the
// active snapshot, live marks from the price board), the real alerting subsystem (engine, routes,
// outbox) and the risk monitors subsystem between them, on a small book whose numbers are worked
// out by hand below. Time for the hysteresis is an injected clock; each pass is run explicitly.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestDatabase, testDatabaseKinds, type TestDatabase } from "../../testing/databases";
import { EventBus } from "../../bus";
import { PriceBoard } from "../../prices";
import type { Runtime } from "../../runtime-types";
import type { AppEnv } from "../../env";
import { parseConfig } from "../../../lib/config/riskwarden-config";
import { importSnapshot } from "../positions/import-snapshot";
import { startRisk } from "../risk/risk-subsystem";
import { startAlerting } from "../../workers/notifier";
import { startRiskMonitors, type RiskMonitorsSubsystem } from "../../workers/risk-monitors";
import { createEndpoint } from "../webhooks/endpoints";
import { createRoute } from "../webhooks/routes";
import type { OutboxPayload } from "../webhooks/outbox";
import { resetRiskMonitorThresholds, setRiskMonitorThresholds } from "./thresholds";
import { appRouter } from "../../trpc/root";
import { createCallerFactory } from "../../trpc/init";

const APP_SECRET = "test-app-secret-0123456789abcdef-0123456789";
const T0 = Date.UTC(2026, 10, 26, 9, 0, 0);
const ONCALL = "0x00000000000000000000000000000000000000c1";

// Parameters: 5 % flat maintenance everywhere. ETH-USD σ 20 %/yr, SOL-USD σ 300 %/yr (fixed
// σ of the parameter set: no feeds run here), BTC-USD none (its predictive monitors are skipped).
const flat = { initialMarginFraction: 0.1, maintenanceMarginFraction: 0.05, liquidationPenalty: 0.01 };
const params: Record<string, Record<string, unknown>> = {
  "ETH-USD": { ...flat, volatilityMargin: { annualVolatility: 0.2, z: 2.326348, horizonHours: 4 } },
  "SOL-USD": { ...flat, volatilityMargin: { annualVolatility: 3.0, z: 2.326348, horizonHours: 4 } },
  "BTC-USD": flat,
};

// The book (isolated positions: equity = margin + size·(P − entry), maintenance = 5 % of |size|·P).
// ETH-USD, mark 3000:
//   e1 long 1 @ 3000, margin 300: liquidation 300 + P − 3000 = 0.05·P → P = 2700/0.95 = 2842.105;
//      distance at 3000: 5.26 % (not within 5 %); at 2950: (2950 − 2842.105)/2950 = 3.66 % (within).
//   e2 short 4 @ 3000, margin 4000: liquidation at 16000/4.2 = 3809.5 (far).
//   OI share of e1 at 2950: 2950 / (2950 + 4·2950) = 20 % → near-liquidation warning (≥ 10 %, < 25 %).
//   σ 20 %: one-day 99 % move = 2.326348·0.2/√365 = 2.435 %: e1 (3.66 %) is not predicted.
// BTC-USD, mark 60000 (file-managed thresholds: liquidatable warning from 1000 USD):
//   b1 long 0.1 @ 60000, margin 200: equity 200 < maintenance 300 → liquidatable now, notional 6000.
//   b2 short 1 @ 60000, margin 30000.
// SOL-USD, mark 100:
//   s1 long 100 @ 100, margin 2000: liquidation at 8000/95 = 84.21 (15.8 % away).
//   σ 300 %: move = 2.326348·3/√365 = 36.530 %: s1 is predicted (100 % of OI → critical), and the
//   cascade after a 36.530 % fall closes it at 63.470 with equity 2000 + 100·(63.470 − 100) =
//   −1653.01: stressed bad debt 1653.01; insurance fund 2000 → coverage 121 % (< 200 % warning).
const book = {
  marks: { "ETH-USD": 3000, "BTC-USD": 60000, "SOL-USD": 100 },
  accounts: [
    { id: "e1", mode: "isolated", positions: [{ market: "ETH-USD", size: 1, entryPrice: 3000, margin: 300 }] },
    { id: "e2", mode: "isolated", positions: [{ market: "ETH-USD", size: -4, entryPrice: 3000, margin: 4000 }] },
    { id: "b1", mode: "isolated", positions: [{ market: "BTC-USD", size: 0.1, entryPrice: 60000, margin: 200 }] },
    { id: "b2", mode: "isolated", positions: [{ market: "BTC-USD", size: -1, entryPrice: 60000, margin: 30000 }] },
    { id: "s1", mode: "isolated", positions: [{ market: "SOL-USD", size: 100, entryPrice: 100, margin: 2000 }] },
  ],
  insuranceFund: 2000,
};

const config = parseConfig(
  `
markets:
  BTC-USD:
    riskMonitors:
      forMs: 0
      clearForMs: 0
      liquidatable: { warningNotionalUsd: 1000, criticalNotionalUsd: 100000 }
`,
  "riskwarden.yaml",
);

describe.each(testDatabaseKinds())("risk monitors → alerting (%s)", (kind) => {
  let database: TestDatabase;
  let runtime: Runtime;
  let monitors: RiskMonitorsSubsystem;
  let now = T0;

  const setMark = (market: string, reference: number) => runtime.prices.update({ market, reference, sources: {}, at: now });
  const openAlert = (fingerprint: string) => database.prisma.alert.findFirst({ where: { fingerprint, resolvedAt: null } });
  async function outbox(fingerprint: string) {
    const rows = await database.prisma.outboxDelivery.findMany({ orderBy: { id: "asc" } });
    return rows.map((r) => ({ ...r, p: r.payload as unknown as OutboxPayload })).filter((r) => r.p.fingerprints.includes(fingerprint));
  }
  async function waitFor<T>(probe: () => Promise<T | null | undefined | false>, what: string): Promise<T> {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const value = await probe();
      if (value) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  beforeAll(async () => {
    database = await openTestDatabase(kind);
    const db = database.prisma;
    for (const [market, entry] of Object.entries(params)) {
      await db.market.create({ data: { id: market, name: market } });
      await db.parameterSet.create({ data: { marketId: market, version: 1, params: entry as object, active: true, createdBy: "test" } });
    }
    await importSnapshot(database, { format: "book", content: JSON.stringify(book), activate: true, actor: "test" });
    // One route for near-liquidation alerts, one that never matches them.
    const guard = { allowHosts: ["127.0.0.1"], appSecret: APP_SECRET };
    await createEndpoint(db, { id: "risk-oncall", format: "standard", url: "http://127.0.0.1:9/risk" }, guard);
    await createEndpoint(db, { id: "oracle-only", format: "standard", url: "http://127.0.0.1:9/oracle" }, guard);
    await createRoute(db, { match: { check: "risk-near-liquidation-oi" }, webhookIds: ["risk-oncall"], groupWaitMs: 0, groupIntervalMs: 1000, repeatIntervalMs: 3_600_000 });
    await createRoute(db, { match: { check: "deviation" }, webhookIds: ["oracle-only"], groupWaitMs: 0, groupIntervalMs: 1000, repeatIntervalMs: 3_600_000 });

    const bus = new EventBus();
    runtime = {
      env: { demo: false, publicUrl: "http://rw.test" } as AppEnv,
      config,
      database,
      appSecret: APP_SECRET,
      bus,
      prices: new PriceBoard(bus),
      startedAt: new Date(),
      subsystems: new Map(),
    };
    runtime.subsystems.set("alerting", await startAlerting(runtime));
    // Marks are folded into the book on the next question (no 2 s wait between rebuilds).
    runtime.subsystems.set("risk", await startRisk(runtime, { refreshIntervalMs: 0 }));
    monitors = await startRiskMonitors(runtime, { autoStart: false, nowMs: () => now });
    runtime.subsystems.set("risk-monitors", monitors);
  });

  afterAll(async () => {
    for (const subsystem of [...(runtime?.subsystems.values() ?? [])].reverse()) await subsystem.stop?.();
    await database?.dispose();
  });

  it("near-liquidation OI share crosses its threshold on a price move: pending for forMs, then a firing alert and a delivery to the matching route", async () => {
    const fingerprint = "risk-near-liquidation-oi:ETH-USD:-";
    await monitors.service.evaluate();
    let state = await monitors.service.marketState("ETH-USD");
    expect(state.source).toBe("default");
    expect(state.readings!.find((r) => r.monitor === "near-liquidation-oi")).toMatchObject({ value: 0, status: "ok", warning: 0.1, critical: 0.25 });

    setMark("ETH-USD", 2950);
    await monitors.service.evaluate();
    state = await monitors.service.marketState("ETH-USD");
    const near = state.readings!.find((r) => r.monitor === "near-liquidation-oi")!;
    expect(near.value).toBeCloseTo(0.2, 12);
    expect(near).toMatchObject({ severity: "warning", status: "pending" });
    expect(await openAlert(fingerprint)).toBeNull(); // default forMs 15 s not yet elapsed

    now += 15_000;
    const report = await monitors.service.evaluate();
    expect(report.recorded).toBeGreaterThanOrEqual(1);
    const alert = await openAlert(fingerprint);
    expect(alert).toMatchObject({ check: "risk-near-liquidation-oi", market: "ETH-USD", severity: "warning", threshold: 0.1 });
    expect(alert!.value).toBeCloseTo(0.2, 12);
    expect(alert!.firedAt.getTime()).toBe(T0 + 15_000); // since + forMs (hysteresis.ts)
    expect(alert!.labels).toMatchObject({ labels: { check: "risk-near-liquidation-oi", market: "ETH-USD", severity: "warning" }, link: "http://rw.test/markets/ETH-USD" });

    const rows = await waitFor(async () => {
      const found = await outbox(fingerprint);
      return found.length > 0 && found;
    }, "the firing delivery");
    expect(rows.map((r) => [r.endpointId, r.eventType])).toEqual([["risk-oncall", "alert.firing"]]);
    const body = JSON.parse(rows[0].p.body);
    expect(body.data).toMatchObject({ fingerprint, market: "ETH-USD", status: "firing", severity: "warning", threshold: 0.1, link: "http://rw.test/markets/ETH-USD" });
    expect(body.data.value).toBeCloseTo(0.2, 12);
    // Nothing for the route that matches only deviation alerts.
    expect(await database.prisma.outboxDelivery.count({ where: { endpointId: "oracle-only" } })).toBe(0);
    // Firing again on the next pass is not a new alert.
    now += 5_000;
    await monitors.service.evaluate();
    expect(await database.prisma.alert.count({ where: { fingerprint } })).toBe(1);
  });

  it("moving back resolves it only after clearForMs, and the resolve is delivered", async () => {
    const fingerprint = "risk-near-liquidation-oi:ETH-USD:-";
    setMark("ETH-USD", 3000);
    now += 5_000;
    await monitors.service.evaluate();
    expect(await openAlert(fingerprint)).not.toBeNull(); // default clearForMs 60 s
    // A bounce back inside the clear window does not flap.
    setMark("ETH-USD", 2950);
    now += 30_000;
    await monitors.service.evaluate();
    setMark("ETH-USD", 3000);
    now += 5_000;
    const cleared = now;
    await monitors.service.evaluate();
    now += 59_000;
    await monitors.service.evaluate();
    expect(await openAlert(fingerprint)).not.toBeNull();
    now += 1_000;
    await monitors.service.evaluate();
    expect(await openAlert(fingerprint)).toBeNull();
    const alerts = await database.prisma.alert.findMany({ where: { fingerprint } });
    expect(alerts).toHaveLength(1);
    expect(alerts[0].resolvedAt!.getTime()).toBe(cleared + 60_000);
    await waitFor(async () => (await outbox(fingerprint)).some((r) => r.eventType === "alert.resolved"), "the resolved delivery");
  });

  it("thresholds changed through the service take effect at the next pass, audited", async () => {
    const fingerprint = "risk-near-liquidation-oi:ETH-USD:-";
    // Within 6 %: e1 (5.26 % away at 3000) is near → 3000/15000 = 20 %; forMs 0 fires at once.
    await setRiskMonitorThresholds(database.prisma, { config, market: "ETH-USD", thresholds: { forMs: 0, clearForMs: 0, nearLiquidation: { withinPct: 6 } }, actor: ONCALL });
    runtime.bus.publish("risk.monitors.changed", { market: "ETH-USD", at: now });
    now += 5_000;
    await monitors.service.evaluate();
    const alert = await openAlert(fingerprint);
    expect(alert).toMatchObject({ severity: "warning" });
    expect(alert!.value).toBeCloseTo(0.2, 12);
    const audit = await database.prisma.auditLog.findFirstOrThrow({ where: { action: "riskMonitors.update", target: "ETH-USD" } });
    expect(audit.actor).toBe(ONCALL);
    expect(audit.details).toMatchObject({ before: null, beforeSource: "default", after: { forMs: 0, nearLiquidation: { withinPct: 6, warningOiSharePct: 10 } } });
    expect((await monitors.service.marketState("ETH-USD")).source).toBe("database");

    // Back to the defaults (within 5 %): the condition is gone; clearForMs is the default 60 s again.
    await resetRiskMonitorThresholds(database.prisma, { config, market: "ETH-USD", actor: ONCALL });
    runtime.bus.publish("risk.monitors.changed", { market: "ETH-USD", at: now });
    now += 5_000;
    await monitors.service.evaluate();
    expect(await openAlert(fingerprint)).not.toBeNull();
    now += 60_000;
    await monitors.service.evaluate();
    expect(await openAlert(fingerprint)).toBeNull();
    expect(await database.prisma.auditLog.count({ where: { action: "riskMonitors.reset", target: "ETH-USD" } })).toBe(1);
    expect(await database.prisma.riskMonitorSetting.count()).toBe(0);
  });

  it("config-file thresholds apply and are read-only (service and router)", async () => {
    // BTC-USD: b1 liquidatable now (6000 USD ≥ the file's 1000 USD warning), forMs 0 from the file.
    now += 5_000;
    await monitors.service.evaluate();
    const alert = await openAlert("risk-liquidatable-accounts:BTC-USD:-");
    expect(alert).toMatchObject({ check: "risk-liquidatable-accounts", severity: "warning", threshold: 1000 });
    expect(alert!.value).toBeCloseTo(6000, 6);
    const state = await monitors.service.marketState("BTC-USD");
    expect(state.source).toBe("file");
    expect(state.thresholds.liquidatable).toEqual({ warningNotionalUsd: 1000, criticalNotionalUsd: 100000 });
    // No σ for BTC-USD: its predictive monitors are not evaluated (and raise nothing).
    expect(state.readings!.find((r) => r.monitor === "predicted-liquidations")).toMatchObject({ evaluated: false, reason: "no volatility estimate for this market yet" });

    await expect(setRiskMonitorThresholds(database.prisma, { config, market: "BTC-USD", thresholds: {}, actor: ONCALL })).rejects.toMatchObject({
      code: "CONFLICT",
      userMessage: "BTC-USD's risk monitor thresholds come from the config file (markets.BTC-USD.riskMonitors); change them there",
    });
    const caller = createCallerFactory(appRouter)({ db: database.prisma, runtime, user: { address: ONCALL, roles: ["holder", "oncall"] } });
    await expect(caller.riskMonitors.setThresholds({ market: "BTC-USD", thresholds: { forMs: 10 } })).rejects.toMatchObject({ code: "CONFLICT" });
    await expect(caller.riskMonitors.resetThresholds({ market: "BTC-USD" })).rejects.toMatchObject({ code: "CONFLICT" });
    expect(await database.prisma.auditLog.count({ where: { target: "BTC-USD" } })).toBe(0);
    // Bad input names the field; a committee member without on-call may not edit.
    await expect(caller.riskMonitors.setThresholds({ market: "ETH-USD", thresholds: { nearLiquidation: { withinPct: -2 } } })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: "thresholds.nearLiquidation.withinPct: expected a non-negative number of percent (5 = 5 %)",
    });
    const committee = createCallerFactory(appRouter)({ db: database.prisma, runtime, user: { address: ONCALL, roles: ["holder", "committee"] } });
    await expect(committee.riskMonitors.setThresholds({ market: "ETH-USD", thresholds: {} })).rejects.toMatchObject({ code: "FORBIDDEN" });
  });

  it("predicted liquidations from σ, and insurance coverage of the stressed cascade's bad debt", async () => {
    // SOL-USD's predicted liquidations held from the very first pass (σ of the parameter set), so
    // that alert fired 15 s (default forMs) after it; the coverage needs the stress sweep first.
    expect(await openAlert("risk-predicted-liquidations:SOL-USD:-")).toMatchObject({ severity: "critical", threshold: 0.15, firedAt: new Date(T0 + 15_000) });
    expect((await monitors.service.marketState("SOL-USD")).readings!.find((r) => r.monitor === "insurance-coverage")).toMatchObject({ evaluated: false, reason: "stress cascade not computed yet" });
    await monitors.service.stressSweepNow();
    now += 5_000;
    await monitors.service.evaluate();
    const state = await monitors.service.marketState("SOL-USD");
    expect(state.moveFraction).toBeCloseTo((2.326348 * 3) / Math.sqrt(365), 12);
    const predicted = state.readings!.find((r) => r.monitor === "predicted-liquidations")!;
    expect(predicted).toMatchObject({ value: 1, severity: "critical", status: "firing", alertSeverity: "critical" });
    const coverage = state.readings!.find((r) => r.monitor === "insurance-coverage")!;
    // 2000 / (100·(100 − 63.470) − 2000) = 2000 / 1653.01
    expect(state.stress!.badDebtUsd).toBeCloseTo(100 * 100 * ((2.326348 * 3) / Math.sqrt(365)) - 2000, 6);
    expect(coverage.value).toBeCloseTo(2000 / state.stress!.badDebtUsd, 12);
    expect(coverage).toMatchObject({ severity: "warning", warning: 2, critical: 1 });
    // ETH-USD: a 2.4 % move liquidates nobody: no stressed bad debt, nothing to cover.
    expect((await monitors.service.marketState("ETH-USD")).readings!.find((r) => r.monitor === "insurance-coverage")).toMatchObject({ evaluated: true, value: null, severity: null });

    expect(coverage.status).toBe("pending");
    now += 15_000;
    await monitors.service.evaluate();
    const insurance = await openAlert("risk-insurance-coverage:SOL-USD:-");
    expect(insurance).toMatchObject({ severity: "warning", threshold: 2 });
    expect(insurance!.labels).toMatchObject({ summary: expect.stringContaining("insurance fund covers 121") });
  });

  it("a restart picks up open alerts and resolves them when the book no longer shows the condition", async () => {
    // A fresh monitors subsystem (as after a restart); the new snapshot keeps only e2, far from liquidation.
    await monitors.stop?.();
    const restarted = await startRiskMonitors(runtime, { autoStart: false, nowMs: () => now });
    runtime.subsystems.set("risk-monitors", restarted);
    monitors = restarted;
    await importSnapshot(database, { format: "book", content: JSON.stringify({ ...book, accounts: book.accounts.filter((account) => account.id === "e2") }), activate: true, actor: "test", bus: runtime.bus });
    await restarted.service.stressSweepNow();
    now += 5_000;
    await restarted.service.evaluate();
    // BTC-USD clears at once (file clearForMs 0); SOL-USD after the default 60 s.
    expect(await openAlert("risk-liquidatable-accounts:BTC-USD:-")).toBeNull();
    expect(await openAlert("risk-predicted-liquidations:SOL-USD:-")).not.toBeNull();
    now += 60_000;
    await restarted.service.evaluate();
    expect(await database.prisma.alert.count({ where: { check: { startsWith: "risk-" }, resolvedAt: null } })).toBe(0);
  });
});
