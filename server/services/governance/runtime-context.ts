// The GovernanceContext of a running process: settings from the config file, the process-wide
// governance clock, one previewer (its cache holds the active snapshot's columnar book), the bus.
// Kept on the runtime object (which lives on globalThis), so every module copy shares it.
import type { Runtime } from "../../runtime-types";
import type { GovernanceContext } from "./context";
import { processGovernanceClock } from "./clock";
import { createPreviewer } from "./preview";
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
  const preview = createPreviewer();
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
    // TODO(webhooks): call `enqueueEvent(tx, {type, data})` from server/services/alerts (the
    // webhooks engineer's outbox helper) once it exists; until then proposal.* events reach
    // subscribers through the bus only.
    enqueueOutboxEvent: async () => {},
  };
  holder[KEY] = context;
  return context;
}
