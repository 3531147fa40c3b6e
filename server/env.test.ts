import { describe, expect, it } from "vitest";
import { parseEnv } from "./env";

const SECRET = "x".repeat(32);

describe("parseEnv", () => {
  it("defaults to the embedded database in demo mode on port 3000", () => {
    const env = parseEnv({});
    expect(env.database).toEqual({ kind: "pglite", dataDir: ".data/pglite" });
    expect(env.demo).toBe(true);
    expect(env.port).toBe(3000);
    expect(env.publicUrl).toBe("http://localhost:3000");
  });

  it("selects PGlite in a directory or PostgreSQL by DATABASE_URL; demo off with PostgreSQL unless DEMO=1", () => {
    expect(parseEnv({ DATABASE_URL: "pglite:/tmp/x" }).database).toEqual({ kind: "pglite", dataDir: "/tmp/x" });
    const pg = parseEnv({ DATABASE_URL: "postgres://u@h/db", APP_SECRET: SECRET });
    expect(pg.database).toEqual({ kind: "postgres", url: "postgres://u@h/db" });
    expect(pg.demo).toBe(false);
    expect(parseEnv({ DATABASE_URL: "postgres://u@h/db", DEMO: "1" }).demo).toBe(true);
    expect(parseEnv({ RISKWARDEN_CONFIG: "c.yaml", APP_SECRET: SECRET }).demo).toBe(false);
  });

  it.each([
    [{ PORT: "abc" }, 'environment: PORT: expected an integer port 1-65535, got "abc"'],
    [{ PORT: "70000" }, 'environment: PORT: expected a port 1-65535, got "70000"'],
    [{ DATABASE_URL: "mysql://x" }, 'environment: DATABASE_URL: expected postgres://… or pglite:<directory>, got "mysql://x"'],
    [{ ADMIN_ADDRESSES: "0x12" }, 'environment: ADMIN_ADDRESSES: expected a comma-separated list of 0x-prefixed 20-byte addresses, got "0x12"'],
    [{ DATABASE_URL: "postgres://u@h/db" }, "environment: APP_SECRET: expected at least 32 characters (required outside demo mode), got nothing"],
    [{ APP_SECRET: "short" }, 'environment: APP_SECRET: expected at least 32 characters, got "short"'],
    [{ RISKWARDEN_RISK_THREADS: "4" }, 'environment: RISKWARDEN_RISK_THREADS: expected 1 (the risk engine on one thread) or 2 (a worker thread takes half of large passes), got "4"'],
  ])("refuses %o with one line naming it", (source, message) => {
    expect(() => parseEnv(source)).toThrow(message);
  });
});
