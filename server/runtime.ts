// Creates the process-wide runtime once, whichever side (instrumentation, a route handler, a script)
// touches it first, and keeps it on globalThis under one key (DESIGN.md, "Checked hazards").
import { readFile } from "node:fs/promises";
import { ConfigError, parseEnv } from "./env";
import { openDatabase } from "./db";
import { EventBus } from "./bus";
import { parseConfig, resolveSecrets } from "../lib/config/riskwarden-config";
import type { Runtime } from "./runtime-types";
import { subsystemStarters } from "./subsystems";

const KEY = Symbol.for("riskwarden.runtime");
type Holder = { [KEY]?: Promise<Runtime> };

export async function loadConfigFile(configPath: string | undefined, env: Record<string, string | undefined>) {
  if (!configPath) return null;
  let text: string;
  try {
    text = await readFile(configPath, "utf8");
  } catch (error) {
    throw new ConfigError(`RISKWARDEN_CONFIG: cannot read ${configPath}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  try {
    return resolveSecrets(parseConfig(text, configPath), env, configPath);
  } catch (error) {
    throw new ConfigError(error instanceof Error ? error.message : String(error));
  }
}

export async function createRuntime(source: Record<string, string | undefined> = process.env): Promise<Runtime> {
  const env = parseEnv(source);
  const config = await loadConfigFile(env.configPath, source);
  const database = await openDatabase(env.database);
  const runtime: Runtime = { env, config, database, bus: new EventBus(), startedAt: new Date(), subsystems: new Map() };
  for (const starter of subsystemStarters) {
    runtime.subsystems.set(starter.name, await starter.start(runtime));
  }
  return runtime;
}

/** The runtime of this process (created on first use). */
export function getRuntime(): Promise<Runtime> {
  const holder = globalThis as Holder;
  holder[KEY] ??= createRuntime().catch((error) => {
    delete holder[KEY];
    throw error;
  });
  return holder[KEY];
}

export async function stopRuntime(runtime: Runtime): Promise<void> {
  for (const subsystem of [...runtime.subsystems.values()].reverse()) {
    await subsystem.stop?.().catch((error) => console.error(`[runtime] stopping ${subsystem.name}:`, error));
  }
  await runtime.database.close();
}
