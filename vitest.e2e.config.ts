import { defineConfig } from "vitest/config";
import path from "node:path";

// Browser and HTTP tests against a real `next start` server (tests/e2e/server.ts starts it once).
export default defineConfig({
  resolve: { alias: { "@": path.resolve(import.meta.dirname) } },
  test: {
    include: ["tests/e2e/**/*.spec.ts"],
    globalSetup: ["tests/e2e/global-setup.ts"],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    fileParallelism: false,
    pool: "forks",
  },
});
