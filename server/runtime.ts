// Creates the process-wide runtime once, whichever side (instrumentation, a route handler, a script)
// touches it first, and keeps it on globalThis under one key (DESIGN.md, "Checked hazards").
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { ConfigError, parseEnv, type AppEnv } from "./env";
import { openDatabase } from "./db";
import { EventBus } from "./bus";
import { PriceBoard } from "./prices";
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
  const appSecret = await resolveAppSecret(env);
  // next-auth reads these from the environment when it builds its URLs.
  process.env.NEXTAUTH_URL ??= env.publicUrl;
  process.env.NEXTAUTH_SECRET ??= appSecret;
  const database = await openDatabase(env.database);
  const bus = new EventBus();
  const runtime: Runtime = { env, config, database, appSecret, bus, prices: new PriceBoard(bus), startedAt: new Date(), subsystems: new Map() };
  await bootstrapAdmins(runtime);
  if (env.demo) {
    const { seedDemo } = await import("./demo/seed");
    await seedDemo(runtime);
  }
  for (const starter of subsystemStarters) {
    runtime.subsystems.set(starter.name, await starter.start(runtime));
  }
  return runtime;
}

async function resolveAppSecret(env: AppEnv): Promise<string> {
  if (env.appSecret) return env.appSecret;
  // Demo mode only (parseEnv refuses a missing APP_SECRET otherwise): keep one beside the data so
  // sessions survive restarts.
  const dataRoot = env.database.kind === "pglite" ? path.dirname(path.resolve(env.database.dataDir)) : path.resolve(".data");
  const file = path.join(dataRoot, "demo-app-secret");
  try {
    return (await readFile(file, "utf8")).trim();
  } catch {
    const secret = randomBytes(32).toString("base64url");
    await mkdir(dataRoot, { recursive: true });
    await writeFile(file, secret, { mode: 0o600 });
    return secret;
  }
}

async function bootstrapAdmins(runtime: Runtime) {
  const { grantRole } = await import("./services/users/roles");
  for (const address of runtime.env.adminAddresses) {
    await grantRole(runtime.database.prisma, { address, role: "admin", grantedBy: "env:ADMIN_ADDRESSES" });
  }
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
