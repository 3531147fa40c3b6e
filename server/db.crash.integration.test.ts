// kill -9 during writes: every transaction whose COMMIT returned survives, and the embedded PGlite
// directory opens again (DESIGN.md: a directory created and closed by our own process survives).
import { describe, expect, it } from "vitest";
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { openDatabase } from "./db";

async function runWriterAndKill(dataDir: string, killAfterCommits: number): Promise<number> {
  const child = spawn(process.execPath, ["--import", "tsx", path.join(import.meta.dirname, "testing", "crash-writer.ts"), dataDir], {
    cwd: path.resolve(import.meta.dirname, ".."),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let lastCommitted = 0;
  let stderr = "";
  child.stderr.on("data", (chunk) => (stderr += chunk));
  await new Promise<void>((resolve, reject) => {
    let buffer = "";
    child.stdout.on("data", (chunk: Buffer) => {
      buffer += chunk.toString();
      const lines = buffer.split("\n");
      buffer = lines.pop() ?? "";
      for (const line of lines) {
        const match = /^committed (\d+)$/.exec(line);
        if (match) lastCommitted = Number(match[1]);
        if (lastCommitted >= killAfterCommits && child.exitCode === null) {
          child.kill("SIGKILL");
        }
      }
    });
    child.on("exit", (code, signal) => (signal === "SIGKILL" ? resolve() : reject(new Error(`writer exited ${code}: ${stderr}`))));
  });
  return lastCommitted;
}

describe("embedded database under kill -9", () => {
  it("keeps every committed row and reopens, twice in a row", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "riskwarden-crash-"));
    const dataDir = path.join(dir, "pglite");
    try {
      const firstRun = await runWriterAndKill(dataDir, 40);
      const secondRun = await runWriterAndKill(dataDir, firstRun + 30);
      const database = await openDatabase({ kind: "pglite", dataDir });
      try {
        const [{ count, max }] = await database.sql.query<{ count: string; max: number }>(`SELECT count(*)::text AS count, max(id) AS max FROM crash_probe`);
        // Ids are consecutive from 1: none of the committed rows of either run is missing.
        expect(firstRun).toBeGreaterThanOrEqual(40);
        expect(secondRun).toBeGreaterThan(firstRun);
        expect(max).toBeGreaterThanOrEqual(secondRun);
        expect(Number(count)).toBe(max);
        const audits = await database.prisma.auditLog.count({ where: { actor: "crash-writer" } });
        expect(audits).toBe(max);
      } finally {
        await database.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
