// Next must not bundle PGlite, pg or the native DuckDB bindings (DESIGN.md, "Checked hazards").
/** @type {import('next').NextConfig} */
const nextConfig = {
  serverExternalPackages: ["@electric-sql/pglite", "@electric-sql/pglite-socket", "pg", "@prisma/adapter-pg", "@duckdb/node-api", "ws"],
  poweredByHeader: false,
  // The build type-checks the app only; `npm run typecheck` covers tests, benchmarks and scripts too.
  typescript: { ignoreBuildErrors: false, tsconfigPath: "tsconfig.next.json" },
};
export default nextConfig;
