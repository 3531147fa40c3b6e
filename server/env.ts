// Environment, validated once at start (create-t3-app's env.ts pattern). A wrong value stops the
// start with one line naming the variable, the value and what was expected.
import { z } from "zod";

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

const addressList = z
  .string()
  .transform((text) => text.split(",").map((item) => item.trim()).filter(Boolean))
  .pipe(z.array(z.string().regex(/^0x[0-9a-fA-F]{40}$/, "a comma-separated list of 0x-prefixed 20-byte addresses")));

const envSchema = z.object({
  DATABASE_URL: z
    .string()
    .regex(/^(postgres(ql)?:\/\/|pglite:).+/, "postgres://… or pglite:<directory>")
    .optional(),
  PORT: z.coerce.number({ error: "an integer port 1-65535" }).int("an integer port 1-65535").min(1, "a port 1-65535").max(65535, "a port 1-65535").default(3000),
  RISKWARDEN_CONFIG: z.string().min(1, "a path to a YAML or JSON file").optional(),
  ADMIN_ADDRESSES: addressList.default([]),
  APP_SECRET: z.string().min(32, "at least 32 characters").optional(),
  NEXTAUTH_URL: z.string().url("an absolute http(s) URL such as http://localhost:3000").optional(),
  DEMO: z.enum(["0", "1"], "0 or 1").optional(),
  CHAIN_ID: z.coerce.number({ error: "an integer chain id" }).int("an integer chain id").positive("a positive chain id").default(1),
  RPC_URL: z.string().url("an http(s) JSON-RPC URL").optional(),
  PRICE_SAMPLE_RETENTION_DAYS: z.coerce.number({ error: "a positive number of days" }).positive("a positive number of days").default(7),
  // Read by lib/risk/parallel.ts itself; checked here so that a typo stops the start.
  RISKWARDEN_RISK_THREADS: z.enum(["1", "2"], { error: "1 (the risk engine on one thread) or 2 (a worker thread takes half of large passes)" }).optional(),
});

export type DatabaseTarget = { kind: "pglite"; dataDir: string } | { kind: "postgres"; url: string };

export type AppEnv = {
  database: DatabaseTarget;
  port: number;
  configPath?: string;
  adminAddresses: string[];
  appSecret?: string;
  publicUrl: string;
  demo: boolean;
  chainId: number;
  rpcUrl?: string;
  /** Stored price samples older than this are deleted (hourly sweep). */
  priceSampleRetentionDays: number;
};

/** Parses an environment record; throws ConfigError with one line on the first wrong value. */
export function parseEnv(source: Record<string, string | undefined>): AppEnv {
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, value]) => value !== undefined && value !== ""));
  const result = envSchema.safeParse(cleaned);
  if (!result.success) {
    const issue = result.error.issues[0];
    const key = String(issue.path[0]);
    throw new ConfigError(`environment: ${key}: expected ${issue.message}, got ${JSON.stringify(cleaned[key])}`);
  }
  const env = result.data;
  const database: DatabaseTarget = !env.DATABASE_URL
    ? { kind: "pglite", dataDir: ".data/pglite" }
    : env.DATABASE_URL.startsWith("pglite:")
      ? { kind: "pglite", dataDir: env.DATABASE_URL.slice("pglite:".length) }
      : { kind: "postgres", url: env.DATABASE_URL };
  // Demo mode: on by default only with the embedded database and no config file; DEMO=1 forces it.
  const demo = env.DEMO === "1" || (env.DEMO !== "0" && database.kind === "pglite" && !env.RISKWARDEN_CONFIG);
  if (!demo && !env.APP_SECRET) {
    throw new ConfigError("environment: APP_SECRET: expected at least 32 characters (required outside demo mode), got nothing");
  }
  return {
    database,
    port: env.PORT,
    configPath: env.RISKWARDEN_CONFIG,
    adminAddresses: env.ADMIN_ADDRESSES,
    appSecret: env.APP_SECRET,
    publicUrl: (env.NEXTAUTH_URL ?? `http://localhost:${env.PORT}`).replace(/\/$/, ""),
    demo,
    chainId: env.CHAIN_ID,
    rpcUrl: env.RPC_URL,
    priceSampleRetentionDays: env.PRICE_SAMPLE_RETENTION_DAYS,
  };
}
