#!/usr/bin/env node
// `npm start`: validate env and config (one line on error), build once if needed, then serve.
import { spawnSync, spawn } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";

process.env.NEXT_TELEMETRY_DISABLED = "1";
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
process.chdir(root);

// 1. Validate env and the config file before anything slow.
const check = spawnSync(process.execPath, ["--import", "tsx", "scripts/check-config.ts"], { stdio: "inherit", env: process.env });
if (check.status !== 0) process.exit(check.status ?? 1);

// 2. Build when there is no build, or the sources are newer than it.
function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === "node_modules" || entry.name.startsWith(".") || entry.name === "generated" || entry.name === "scratch") continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(full));
    else if (/\.(tsx?|css|mjs|js|json|prisma|sql)$/.test(entry.name)) newest = Math.max(newest, statSync(full).mtimeMs);
  }
  return newest;
}
const buildId = path.join(root, ".next", "BUILD_ID");
const needsBuild = !existsSync(buildId) || newestMtime(root) > statSync(buildId).mtimeMs || process.env.RISKWARDEN_REBUILD === "1";
if (needsBuild) {
  console.log("[riskwarden] building the dashboard (first start or sources changed)…");
  const build = spawnSync("npx", ["next", "build"], { stdio: "inherit", env: process.env });
  if (build.status !== 0) process.exit(build.status ?? 1);
}

// 3. Serve.
const port = process.env.PORT ?? "3000";
const server = spawn("npx", ["next", "start", "-p", port, "-H", process.env.HOST ?? "0.0.0.0"], { stdio: "inherit", env: process.env });
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => server.kill(signal));
server.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));

