// The process-wide runtime: one per process, kept on globalThis (DESIGN.md: Next gives route handlers
// and instrumentation separate module copies; globalThis is shared). Subsystems hang off it.
import type { AppEnv } from "./env";
import type { Database } from "./db";
import type { EventBus } from "./bus";
import type { PriceBoard } from "./prices";
import type { RiskwardenConfig } from "../lib/config/riskwarden-config";

export type Subsystem = {
  name: string;
  /** Health detail for GET /api/health. */
  health?(): unknown;
  stop?(): Promise<void>;
};

export type Runtime = {
  env: AppEnv;
  config: RiskwardenConfig | null;
  database: Database;
  /** APP_SECRET, or in demo mode a random one kept beside the embedded database. */
  appSecret: string;
  bus: EventBus;
  /** Latest reference and source prices per market (fed by the feeds subsystem). */
  prices: PriceBoard;
  startedAt: Date;
  /** Subsystems by name (feeds, risk, dispatcher, scheduler, …), registered at start. */
  subsystems: Map<string, Subsystem>;
};
