#!/usr/bin/env node
// The `riskwarden` command (package bin). The CLI is TypeScript shared with the server; tsx
// compiles it on load so `npx riskwarden …` works right after `npm install`, with no build step.
import { register } from "tsx/esm/api";
import { fileURLToPath } from "node:url";
import path from "node:path";

register();
const here = path.dirname(fileURLToPath(import.meta.url));
const { main } = await import(path.join(here, "..", "server", "cli", "index.ts"));
process.exitCode = await main(process.argv.slice(2));
