#!/usr/bin/env node
// `npm test`: unit + integration (PGlite, and PostgreSQL when TEST_DATABASE_URL is set), then the
// browser/HTTP end-to-end suite against a real `next start`.
import { spawnSync } from "node:child_process";

process.env.NEXT_TELEMETRY_DISABLED = "1";
const steps = [
  ["npx", ["prisma", "generate"]],
  ["npx", ["vitest", "run"]],
  ["npx", ["vitest", "run", "-c", "vitest.e2e.config.ts"]],
];
for (const [command, args] of steps) {
  console.log(`\n$ ${command} ${args.join(" ")}`);
  const result = spawnSync(command, args, { stdio: "inherit", env: process.env });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
