// Test support (imported by *.integration.test.ts only): a GovernanceContext with a hand-driven
// clock and captured events, markets with active parameter sets, a positions snapshot, a
// voting-power snapshot, and deterministic signers.
import { privateKeyToAccount } from "viem/accounts";
import { keccak256, toHex, type Hex } from "viem";
import { DEFAULT_GOVERNANCE_SETTINGS, voteTypedData, type GovernanceSettings, type VoteChoice } from "../../../lib/governance";
import type { Db } from "../../db";
import type { GovernanceContext, ParamsActivatedEvent, ProposalBusEvent } from "./context";
import { createPreviewer } from "./preview";
import { settingsInForce } from "./settings";
import { importVotingPower } from "./voting-power";

export const DAY_MS = 86_400_000;
export const START_MS = Date.parse("2026-11-25T12:00:00Z");

export function signer(name: string) {
  return privateKeyToAccount(keccak256(toHex(`riskwarden-test:${name}`)));
}

export const committee = [signer("committee-1"), signer("committee-2"), signer("committee-3")];
export const holders = [signer("holder-1"), signer("holder-2"), signer("holder-3")];
export const committeeActor = (i: number) => ({ address: committee[i].address, roles: ["committee" as const] });
export const holderActor = (i: number) => ({ address: holders[i].address, roles: [] });

export type TestContext = GovernanceContext & { clock: { nowMs: number }; proposalEvents: ProposalBusEvent[]; activations: ParamsActivatedEvent[]; outbox: { type: string }[] };

export function testContext(settings: GovernanceSettings = DEFAULT_GOVERNANCE_SETTINGS): TestContext {
  const clock = { nowMs: START_MS };
  const proposalEvents: ProposalBusEvent[] = [];
  const activations: ParamsActivatedEvent[] = [];
  const outbox: { type: string }[] = [];
  return {
    clock,
    proposalEvents,
    activations,
    outbox,
    settings: (db) => settingsInForce(db, settings),
    nowMs: () => clock.nowMs,
    preview: createPreviewer(),
    chainId: 31337,
    demo: true,
    publishProposalEvent: (event) => proposalEvents.push(event),
    publishParamsActivated: (event) => activations.push(event),
    enqueueOutboxEvent: async (_tx, event) => {
      outbox.push({ type: event.type });
    },
  };
}

export const ETH_PARAMS = {
  initialMarginFraction: 0.05,
  maintenanceMarginFraction: 0.03,
  liquidationPenalty: 0.01,
  fundingClamp: { maxRatePerHour: 0.04 },
};
export const BTC_PARAMS = { initialMarginFraction: 0.04, maintenanceMarginFraction: 0.02, liquidationPenalty: 0.005 };

/** Two markets with v1 active, a positions snapshot (one account near liquidation), and power for three holders. */
export async function seedGovernance(db: Db) {
  await db.market.createMany({ data: [{ id: "ETH-USD", name: "Ether" }, { id: "BTC-USD", name: "Bitcoin" }] });
  await db.parameterSet.createMany({
    data: [
      { marketId: "ETH-USD", version: 1, params: ETH_PARAMS, active: true, createdBy: "seed" },
      { marketId: "BTC-USD", version: 1, params: BTC_PARAMS, active: true, createdBy: "seed" },
    ],
  });
  const snapshot = await db.positionSnapshot.create({ data: { source: "demo", marks: { "ETH-USD": "3000", "BTC-USD": "60000" }, active: true, accountCount: 2, positionCount: 2 } });
  await db.account.createMany({
    data: [
      // 10 ETH long at 3000: notional 30 000, maintenance 3 % = 900; equity 1 000 → healthy at 3 %, liquidatable at 3.5 %.
      { snapshotId: snapshot.id, accountId: "acct-near", mode: "cross", collateral: "1000" },
      { snapshotId: snapshot.id, accountId: "acct-safe", mode: "cross", collateral: "50000" },
    ],
  });
  await db.position.createMany({
    data: [
      { snapshotId: snapshot.id, accountId: "acct-near", market: "ETH-USD", size: "10", entryPrice: "3000" },
      { snapshotId: snapshot.id, accountId: "acct-safe", market: "BTC-USD", size: "1", entryPrice: "60000" },
    ],
  });
  await importVotingPower(db, {
    name: "genesis",
    format: "csv",
    text: `address,power\n${holders[0].address},600\n${holders[1].address},300\n${holders[2].address},100\n`,
    takenAt: new Date(START_MS - DAY_MS),
    createdBy: "seed",
  });
  return { snapshotId: snapshot.id };
}

export async function signVote(holderIndex: number, input: { proposalId: string; choice: VoteChoice; power: bigint; powerSnapshot: Hex; reason?: string; chainId?: number }): Promise<Hex> {
  return holders[holderIndex].signTypedData(voteTypedData({ ...input, chainId: input.chainId ?? 31337 }));
}
