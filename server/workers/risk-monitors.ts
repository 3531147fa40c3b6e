// The risk monitors subsystem: started after the risk engine and alerting (server/subsystems.ts).
// It follows the bus (live prices, parameter and snapshot activations, threshold edits) and records
// its alerts through the alerting engine's entry point, like the oracle detectors.
import type { Runtime, Subsystem } from "../runtime-types";
import { AppError } from "../errors";
import { getRiskService } from "../services/risk/risk-subsystem";
import { RiskMonitorService, type RiskMonitorOptions } from "../services/risk-monitors/monitor-service";
import { alertingEngineOf } from "./notifier";

export type RiskMonitorsSubsystem = Subsystem & { service: RiskMonitorService };

export async function startRiskMonitors(runtime: Runtime, options: RiskMonitorOptions & { autoStart?: boolean } = {}): Promise<RiskMonitorsSubsystem> {
  const service = new RiskMonitorService(runtime, getRiskService(runtime), RiskMonitorService.sinkFor(() => alertingEngineOf(runtime)), options);
  const unsubscribe = [
    runtime.bus.subscribe("prices.updated", () => service.poke()),
    // The risk subsystem reloads on the same events; a pass waits for that reload (RiskService.ready).
    runtime.bus.subscribe("params.activated", () => service.bookChanged()),
    runtime.bus.subscribe("snapshot.activated", () => service.bookChanged()),
    runtime.bus.subscribe("risk.monitors.changed", () => service.settingsChanged()),
  ];
  if (options.autoStart !== false) service.start();
  return {
    name: "risk-monitors",
    service,
    health: () => service.lastPassReport(),
    async stop() {
      for (const off of unsubscribe) off();
      await service.stop();
    },
  };
}

export function getRiskMonitors(runtime: Pick<Runtime, "subsystems">): RiskMonitorService {
  const subsystem = runtime.subsystems.get("risk-monitors") as RiskMonitorsSubsystem | undefined;
  if (!subsystem?.service) throw new AppError("PRECONDITION_FAILED", "The risk monitors are not running");
  return subsystem.service;
}
