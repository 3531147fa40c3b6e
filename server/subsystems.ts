// Subsystems started with the process, in order, after the database is migrated.
// Each starter gets the runtime and returns a Subsystem (health + stop). Add one line per subsystem.
import type { Runtime, Subsystem } from "./runtime-types";

export type SubsystemStarter = { name: string; start: (runtime: Runtime) => Promise<Subsystem> };

export const subsystemStarters: SubsystemStarter[] = [
  { name: "scheduler", start: (rt) => import("./workers/scheduler").then((m) => m.startScheduler(rt)) },
  // { name: "feeds", start: (rt) => import("./feeds/subsystem").then((m) => m.startFeeds(rt)) },
];
