// The governance routers end to end as the demo uses them (personas, server-side demo signing,
// the demo clock), on a real database: draft with live preview → submit → 2-of-3 approvals →
// clock jump → holders vote → clock jump → executed → params.active shows version 2.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DEMO_PERSONAS, demoAccount } from "../../auth/demo-personas";
import type { Role } from "../../auth/roles";
import { EventBus } from "../../bus";
import type { Runtime } from "../../runtime-types";
import { openTestDatabase, testDatabaseKinds, type TestDatabase } from "../../testing/databases";
import { processGovernanceClock } from "../../services/governance/clock";
import { importVotingPower } from "../../services/governance/voting-power";
import { createCallerFactory } from "../init";
import { appRouter } from "../root";

const DAY_MS = 86_400_000;
const createCaller = createCallerFactory(appRouter);

async function seed(db: TestDatabase["prisma"]) {
  await db.market.create({ data: { id: "ETH-USD", name: "Ether" } });
  await db.parameterSet.create({ data: { marketId: "ETH-USD", version: 1, params: { initialMarginFraction: 0.05, maintenanceMarginFraction: 0.03, liquidationPenalty: 0.01 }, active: true, createdBy: "seed" } });
  const snapshot = await db.positionSnapshot.create({ data: { source: "demo", marks: { "ETH-USD": "3000" }, active: true } });
  await db.account.create({ data: { snapshotId: snapshot.id, accountId: "a1", mode: "cross", collateral: "1000" } });
  await db.position.create({ data: { snapshotId: snapshot.id, accountId: "a1", market: "ETH-USD", size: "10", entryPrice: "3000" } });
  const rows = ["holder-1,700", "holder-2,200", "holder-3,100"].map((row) => {
    const [persona, power] = row.split(",");
    return `${demoAccount(persona).address},${power}`;
  });
  // A webhook route for executions: the outbox row must be written with the execution.
  await db.webhookEndpoint.create({ data: { id: "gov-hook", format: "standard", url: "https://hooks.example.com/governance" } });
  await db.alertRoute.create({ data: { id: "gov-route", position: 0, match: { eventType: ["proposal.executed", "steward.updated"] }, webhookIds: ["gov-hook"], groupWaitMs: 0, groupIntervalMs: 60_000, repeatIntervalMs: 3_600_000 } });
  await importVotingPower(db, { name: "demo", format: "csv", text: rows.join("\n"), takenAt: new Date(Date.now() - DAY_MS), createdBy: "seed" });
}

describe.each(testDatabaseKinds())("governance routers (%s)", (kind) => {
  let database: TestDatabase;
  let runtime: Runtime;
  const as = (personaId: string | null) => {
    const persona = DEMO_PERSONAS.find((p) => p.id === personaId);
    const user = persona ? { address: demoAccount(persona.id).address, roles: ["holder", ...persona.roles] as Role[] } : null;
    return createCaller({ db: database.prisma, runtime, user });
  };

  beforeEach(async () => {
    database = await openTestDatabase(kind);
    runtime = { env: { demo: true, chainId: 1 }, config: null, database, bus: new EventBus(), subsystems: new Map() } as unknown as Runtime;
    await seed(database.prisma);
  });
  afterEach(async () => {
    await database.dispose();
  });

  it("demo flow: draft with preview, review, vote, time advances, executes into version 2", async () => {
    const alice = as("committee-1");
    // The editor's live preview: an invariant is reported with its field, a valid change previews.
    const broken = await alice.proposal.preview({ changes: [{ market: "ETH-USD", path: "maintenanceMarginFraction", to: 0.05 }] });
    expect(broken.issues[0].path).toBe('markets["ETH-USD"].maintenanceMarginFraction');
    expect(broken.preview).toBeNull();
    const live = await alice.proposal.preview({ changes: [{ market: "ETH-USD", path: "maintenanceMarginFraction", to: 0.034 }] });
    // 10 ETH at 3000: maintenance 3.4 % = 1 020 > equity 1 000 → newly liquidatable.
    expect(live.tier).toBe("minor");
    expect(live.preview?.summary.newlyLiquidatable).toBe(1);

    const created = await alice.proposal.create({ title: "ETH maintenance to 3.4 %", rationaleMarkdown: "EWMA σ is up", changes: [{ market: "ETH-USD", path: "maintenanceMarginFraction", to: 0.034 }] });
    await alice.proposal.submit({ proposalId: created.id });
    await expect(as("holder-1").review.approve({ proposalId: created.id })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(alice.review.approve({ proposalId: created.id })).rejects.toMatchObject({ code: "FORBIDDEN", message: "a committee member cannot approve their own proposal" });
    await as("committee-2").review.approve({ proposalId: created.id });
    const detailBob = await as("committee-3").proposal.get({ proposalId: created.id });
    expect(detailBob.nextActions).toEqual(expect.arrayContaining(["approve", "requestChanges", "veto"]));
    await as("committee-3").review.approve({ proposalId: created.id });

    // Outside demo mode the clock does not move; holders cannot move it at all.
    await expect(as("holder-1").proposal.demoAdvanceClock({ byMs: DAY_MS })).rejects.toMatchObject({ code: "FORBIDDEN" });
    const startOffset = processGovernanceClock().offset;
    const opened = await as("admin-1").proposal.demoAdvanceClock({ byMs: DAY_MS + 1000 });
    expect(opened.advanced.map((a) => a.to)).toEqual(["Active"]);

    const power = await as("holder-1").votingPower.get({ proposalId: created.id });
    expect(power.breakdown.totalPower).toBe(700n);
    expect(power.totalPower).toBe(1000n);
    expect((await as("holder-1").proposal.get({ proposalId: created.id })).nextActions).toContain("vote");
    await as("holder-1").vote.castDemo({ proposalId: created.id, choice: "for", reason: "needed" });
    await as("holder-2").vote.castDemo({ proposalId: created.id, choice: "against" });
    await expect(as("oncall-1").vote.castDemo({ proposalId: created.id, choice: "for" })).rejects.toMatchObject({ code: "FORBIDDEN" });
    const votes = await as(null).vote.list({ proposalId: created.id, verify: true });
    expect(votes.map((v) => [v.choice, v.power, v.verified])).toEqual([
      ["for", 700n, true],
      ["against", 200n, true],
    ]);

    // Minor level: 3 days of voting, then 1 day of timelock; the scheduler queues and executes.
    await as("admin-1").proposal.demoAdvanceClock({ byMs: 3 * DAY_MS });
    const executed = await as("admin-1").proposal.demoAdvanceClock({ byMs: DAY_MS });
    expect(executed.advanced.map((a) => a.to)).toEqual(["Executed"]);
    const active = await as(null).params.active();
    expect(active.versions["ETH-USD"].version).toBe(2);
    expect(active.set.markets["ETH-USD"].maintenanceMarginFraction).toBe(0.034);
    const audit = await as("holder-1").params.auditLog({});
    expect(audit.items.map((item) => item.action)).toContain("proposal.execute");
    const deliveries = await database.prisma.outboxDelivery.findMany();
    expect(deliveries.map((d) => [d.endpointId, d.eventType])).toEqual([["gov-hook", "proposal.executed"]]);
    expect(JSON.parse((deliveries[0].payload as { body: string }).body)).toMatchObject({ type: "proposal.executed" });
    const list = await as(null).proposal.list({ states: ["Executed"] });
    expect(list.items.map((item) => item.id)).toEqual([created.id]);
    expect((await as(null).proposal.list({ market: "ETH-USD" })).items.map((item) => item.id)).toEqual([created.id]);
    expect((await as(null).proposal.list({ market: "BTC-USD" })).items).toEqual([]);
    expect(processGovernanceClock().offset - startOffset).toBe(5 * DAY_MS + 1000);

    runtime.env.demo = false;
    await expect(as("admin-1").proposal.demoAdvanceClock({ byMs: DAY_MS })).rejects.toMatchObject({ code: "PRECONDITION_FAILED" });
    await expect(as("holder-1").vote.castDemo({ proposalId: created.id, choice: "for" })).rejects.toMatchObject({ code: "PRECONDITION_FAILED" });
  });
});
