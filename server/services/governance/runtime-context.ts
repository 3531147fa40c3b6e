// The GovernanceContext of a running process: settings from the config file, the process-wide
// governance clock, one previewer (its cache holds the active snapshot's columnar book), the bus.
// Kept on the runtime object (which lives on globalThis), so every module copy shares it.
import type { Runtime } from "../../runtime-types";
import type { GovernanceContext } from "./context";
import { processGovernanceClock } from "./clock";
import { applyChanges } from "../../../lib/governance";
import type { RiskSubsystem } from "../risk/risk-subsystem";
import { enqueueEvent } from "../alerts/enqueue-event";
import { loadActiveParameterSet } from "./parameter-sets";
import { createPreviewer, type PreviewWithDetail } from "./preview";
import { viemErc20VotesReader } from "./voting-power";
import { governanceConfigFrom, settingsInForce, type GovernanceConfig } from "./settings";

const KEY = Symbol.for("riskwarden.governanceContext");
type WithGovernance = Runtime & { [KEY]?: GovernanceContext & { config: GovernanceConfig } };

/** `previewForChanges(runtime, changes)`: the adapter the brief names; switch it to `risk.preview` when that lands. */
export async function previewForChanges(runtime: Runtime, changes: Parameters<GovernanceContext["preview"]>[1]) {
  return governanceFor(runtime).preview(runtime.database.prisma, changes);
}

export function governanceFor(runtime: Runtime): GovernanceContext & { config: GovernanceConfig } {
  const holder = runtime as WithGovernance;
  if (holder[KEY]) return holder[KEY];
  const config = governanceConfigFrom((runtime.config as { governance?: unknown } | null)?.governance);
  const clock = processGovernanceClock();
  const fallbackPreview = createPreviewer();
  // The risk subsystem keeps the active snapshot in memory with live marks and σ: preview there
  // when it runs (the app); the adapter above reads the snapshot itself (scripts, tests).
  const preview: GovernanceContext["preview"] = async (db, changes): Promise<PreviewWithDetail | null> => {
    const risk = runtime.subsystems.get("risk") as RiskSubsystem | undefined;
    if (!risk?.service) return fallbackPreview(db, changes);
    const status = await risk.service.status();
    if (!status.snapshot) return null;
    const { set } = await loadActiveParameterSet(db);
    const proposed = applyChanges(set, changes);
    const touched = [...new Set(changes.map((change) => change.market))];
    const result = await risk.service.previewParams({ markets: Object.fromEntries(touched.map((market) => [market, proposed.markets[market]])) });
    return {
      stored: {
        snapshotId: result.snapshotId,
        marks: result.marks,
        summary: result.summary,
        against: Object.fromEntries(Object.entries(result.against).map(([market, version]) => [market, version.version])),
        computedAtMs: Date.now(),
      },
      result,
    };
  };
  const context: GovernanceContext & { config: GovernanceConfig } = {
    config,
    settings: (db) => settingsInForce(db, config.settings),
    nowMs: () => clock.nowMs(),
    preview,
    chainId: runtime.env.chainId,
    demo: runtime.env.demo,
    ...(config.votingToken && runtime.env.rpcUrl ? { erc20Votes: viemErc20VotesReader(runtime.env.rpcUrl, runtime.env.chainId, config.votingToken) } : {}),
    publishProposalEvent: (event) => runtime.bus.publish("proposal.event", event),
    publishParamsActivated: (event) => runtime.bus.publish("params.activated", event),
    // Transactional outbox (server/services/alerts): routes matching `eventType` get a webhook.
    enqueueOutboxEvent: async (tx, event) => {
      await enqueueEvent(tx, { ...event, appBaseUrl: runtime.env.publicUrl, link: event.data.proposalId ? `${runtime.env.publicUrl}/proposals/${String(event.data.proposalId)}` : null });
    },
  };
  holder[KEY] = context;
  return context;
}
