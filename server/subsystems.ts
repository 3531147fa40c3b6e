// Subsystems started with the process, in order, after the database is migrated.
// Each starter gets the runtime and returns a Subsystem (health + stop). Add one line per subsystem.
import type { Runtime, Subsystem } from "./runtime-types";

export type SubsystemStarter = { name: string; start: (runtime: Runtime) => Promise<Subsystem> };

export const subsystemStarters: SubsystemStarter[] = [
  { name: "scheduler", start: (rt) => import("./workers/scheduler").then((m) => m.startScheduler(rt)) },
  // Alerting before feeds: detector events need the engine. The dispatcher after it (endpoint-disabled alerts).
  { name: "alerting", start: (rt) => import("./workers/notifier").then((m) => m.startAlerting(rt)) },
  { name: "dispatcher", start: (rt) => import("./workers/dispatcher-subsystem").then((m) => m.startDispatcher(rt)) },
  // Risk before feeds: it follows `prices.updated` from the first broadcast; it reads feeds' σ lazily.
  { name: "risk", start: (rt) => import("./services/risk/risk-subsystem").then((m) => m.startRisk(rt)) },
  { name: "feeds", start: (rt) => import("./services/oracle/feeds-subsystem").then((m) => m.startFeeds(rt)) },
  // Risk monitors last: they read the risk book (live marks, feeds' σ) and record through alerting.
  { name: "risk-monitors", start: (rt) => import("./workers/risk-monitors").then((m) => m.startRiskMonitors(rt)) },
];
