// `riskwarden import --format book|csv|dydx|hyperliquid --file F [--label L] [--activate] [--json]`
//
// Imports a positions snapshot into the database named by DATABASE_URL (postgres://… or
// pglite:<dir>; default pglite:.data/pglite), with the exact decimals of the file.
// The embedded database is a single-process PGlite directory: import into it while the app is
// stopped, or, while it runs, through the API (`risk.importSnapshot`, admin) instead.
// A running app on the same PostgreSQL picks up a snapshot activated from here within 30 s (its
// risk subsystem polls the active ids); through the API it reloads at once (`snapshot.activated`).
// Bad input: one line `<file>: <JSON path>: expected …, got …` on stderr, exit 2.
import { readFileSync } from "node:fs";
import { CliInputError } from "./errors";
import { AppError } from "../errors";
import type { DatabaseTarget } from "../env";
import { snapshotFormats, type SnapshotFormat } from "../services/positions/snapshot-formats";

const usage = "riskwarden import --format book|csv|dydx|hyperliquid --file F [--label L] [--activate] [--json]";

type ImportArgs = { format: SnapshotFormat; file: string; label?: string; activate: boolean; json: boolean };

export function parseImportArgs(args: string[]): ImportArgs {
  const values: Record<string, string> = {};
  let activate = false;
  let json = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "--activate") activate = true;
    else if (arg === "--json") json = true;
    else {
      const match = /^--(format|file|label)(?:=(.*))?$/.exec(arg);
      if (!match) throw new CliInputError(`riskwarden import: unknown option ${JSON.stringify(arg)} (usage: ${usage})`);
      const value = match[2] ?? args[++i];
      if (value === undefined) throw new CliInputError(`riskwarden import: --${match[1]}: expected a value, got nothing`);
      values[match[1]] = value;
    }
  }
  if (values.format === undefined) throw new CliInputError(`riskwarden import: --format: expected one of ${snapshotFormats.join(", ")}, got nothing`);
  if (!(snapshotFormats as readonly string[]).includes(values.format)) {
    throw new CliInputError(`riskwarden import: --format: expected one of ${snapshotFormats.join(", ")}, got ${JSON.stringify(values.format)}`);
  }
  if (values.file === undefined) throw new CliInputError("riskwarden import: --file: expected a path to the snapshot file, got nothing");
  return { format: values.format as SnapshotFormat, file: values.file, label: values.label, activate, json };
}

/** DATABASE_URL → target (the same spellings as the app's environment, server/env.ts). */
export function importDatabaseTarget(databaseUrl: string | undefined): DatabaseTarget {
  if (!databaseUrl) return { kind: "pglite", dataDir: ".data/pglite" };
  if (databaseUrl.startsWith("pglite:") && databaseUrl.length > "pglite:".length) return { kind: "pglite", dataDir: databaseUrl.slice("pglite:".length) };
  if (/^postgres(ql)?:\/\/.+/.test(databaseUrl)) return { kind: "postgres", url: databaseUrl };
  throw new CliInputError(`environment: DATABASE_URL: expected postgres://… or pglite:<directory>, got ${JSON.stringify(databaseUrl)}`);
}

export async function runImport(args: string[]): Promise<number> {
  const options = parseImportArgs(args);
  let content: string;
  try {
    content = readFileSync(options.file, "utf8");
  } catch (error) {
    throw new CliInputError(`${options.file}: $: expected a readable file, got ${(error as NodeJS.ErrnoException).code ?? "read error"}`);
  }
  const target = importDatabaseTarget(process.env.DATABASE_URL);
  const started = performance.now();
  // Parse and validate before opening the database: bad input must not wait for (or touch) it.
  const { prepareSnapshot, writePreparedSnapshot } = await import("../services/positions/import-snapshot");
  const prepared = asCliInputError(options.file, () => prepareSnapshot(options.format, content, options.file));
  const { openDatabase } = await import("../db");
  const database = await openDatabase(target);
  try {
    const result = await asCliInputErrorAsync(options.file, () => writePreparedSnapshot(database, prepared, { label: options.label ?? null, activate: options.activate, actor: "cli" }));
    const totalMs = performance.now() - started;
    if (options.json) process.stdout.write(`${JSON.stringify({ ...result, totalMs: Math.round(totalMs) })}\n`);
    else {
      process.stdout.write(
        `imported snapshot ${result.snapshotId}${result.label ? ` "${result.label}"` : ""}: ${result.accountCount} accounts, ${result.positionCount} positions, ` +
          `markets ${result.markets.join(", ")}${result.active ? ", active" : ""} (${Math.round(totalMs)} ms)\n`,
      );
      for (const warning of result.warnings) process.stderr.write(`warning: ${warning}\n`);
    }
    return 0;
  } finally {
    await database.close();
  }
}

function toCliError(file: string, error: unknown): unknown {
  if (error instanceof AppError && error.code === "BAD_REQUEST") {
    const issue = error.issues?.[0];
    return new CliInputError(issue ? `${file}: ${issue.path}: ${issue.reason}` : `${file}: ${error.userMessage}`);
  }
  return error;
}

function asCliInputError<T>(file: string, work: () => T): T {
  try {
    return work();
  } catch (error) {
    throw toCliError(file, error);
  }
}

async function asCliInputErrorAsync<T>(file: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw toCliError(file, error);
  }
}
