// Prisma CLI configuration. The adapter makes `prisma generate` / `migrate` run the WASM engines
// shipped in the npm packages, so nothing is downloaded (see DESIGN.md on Prisma 6.19).
import path from "node:path";
import { defineConfig } from "prisma/config";
import { PrismaPg } from "@prisma/adapter-pg";

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: path.join("prisma", "schema.prisma"),
  async adapter() {
    const url = process.env.DATABASE_URL;
    if (!url || !/^postgres(ql)?:\/\//.test(url)) {
      throw new Error("The Prisma CLI needs DATABASE_URL=postgres://… (the embedded database is migrated by the app itself)");
    }
    return new PrismaPg({ connectionString: url });
  },
});
