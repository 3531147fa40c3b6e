import { defineConfig } from "vitest/config";
import path from "node:path";

// Unit (`*.test.ts`) and integration (`*.integration.test.ts`) tests. Browser tests live in
// tests/e2e and run under vitest.e2e.config.ts.
export default defineConfig({
  resolve: { alias: { "@": path.resolve(import.meta.dirname) } },
  test: {
    include: ["lib/**/*.test.ts", "server/**/*.test.ts", "app/**/*.test.ts", "bench/**/*.test.ts", "tests/unit/**/*.test.ts"],
    exclude: ["node_modules/**", ".next/**", ".data/**"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
  },
});
