#!/usr/bin/env node
// `npm test`: unit + integration (PGlite, and PostgreSQL when TEST_DATABASE_URL is set), then the
// browser/HTTP end-to-end suite against a real `next start`. Ends with one "N passed, N failed" line.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";

process.env.NEXT_TELEMETRY_DISABLED = "1";
mkdirSync("test-results", { recursive: true });
const reports = ["test-results/unit.json", "test-results/e2e.json"];
for (const report of reports) rmSync(report, { force: true });

const steps = [
  ["npx", ["prisma", "generate"]],
  ["npx", ["vitest", "run", "--reporter=default", "--reporter=json", `--outputFile.json=${reports[0]}`]],
  ["npx", ["vitest", "run", "-c", "vitest.e2e.config.ts", "--reporter=default", "--reporter=json", `--outputFile.json=${reports[1]}`]],
];

let status = 0;
for (const [command, args] of steps) {
  console.log(`\n$ ${command} ${args.join(" ")}`);
  const result = spawnSync(command, args, { stdio: "inherit", env: process.env });
  if (result.status !== 0) {
    status = result.status ?? 1;
    break;
  }
}

let passed = 0;
let failed = 0;
for (const report of reports) {
  if (!existsSync(report)) continue;
  const summary = JSON.parse(readFileSync(report, "utf8"));
  passed += summary.numPassedTests ?? 0;
  failed += summary.numFailedTests ?? 0;
}
// A run that failed outside any test (collection error, build failure) still counts as a failure.
if (status !== 0 && failed === 0) failed = 1;
console.log(`\ntests: ${passed} passed, ${failed} failed`);
process.exit(status !== 0 ? status : failed > 0 ? 1 : 0);
