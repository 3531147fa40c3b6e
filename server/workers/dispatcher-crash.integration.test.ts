// At-least-once across crashes: a dispatcher process is killed with SIGKILL (kill -9) while requests
// are in flight, restarted, and the receiver must have every webhook-id at least once (duplicates
// are allowed: the receiver recognises them by webhook-id).
import { spawn, type ChildProcess } from "node:child_process";
import { rm } from "node:fs/promises";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openDatabase } from "../db";
import { openTestDatabase, testDatabaseKinds } from "../testing/databases";
import { createEndpoint } from "../services/webhooks/endpoints";
import { testSend } from "../services/webhooks/deliveries";
import { startReceiver, waitFor, type Receiver } from "./dispatcher-test-support";

const APP_SECRET = "test-app-secret-0123456789abcdef-0123456789";
const MESSAGES = 40;

function startChild(databaseTarget: string): { child: ChildProcess; output: string[]; exited: Promise<number | null> } {
  const child = spawn(process.execPath, ["--import", "tsx", path.join(import.meta.dirname, "dispatcher-crash-child.ts")], {
    cwd: process.cwd(),
    env: { ...process.env, RW_CRASH_DATABASE: databaseTarget, RW_CRASH_APP_SECRET: APP_SECRET },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const output: string[] = [];
  child.stdout?.on("data", (d: Buffer) => output.push(d.toString()));
  child.stderr?.on("data", (d: Buffer) => output.push(d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, output, exited };
}

describe.each(testDatabaseKinds())("dispatcher killed with SIGKILL mid-dispatch (%s)", (kind) => {
  const receivers: Receiver[] = [];
  afterAll(async () => {
    for (const r of receivers) await r.close();
  });

  it("delivers every message at least once after a restart", { timeout: 120_000 }, async () => {
    const receiver = await startReceiver();
    receivers.push(receiver);
    // Slow receiver: requests are in flight when the kill comes.
    receiver.reply = () => ({ status: 200, body: "ok", delayMs: 150 });
    const database = await openTestDatabase(kind);
    await createEndpoint(database.prisma, { id: "slow", format: "standard", url: receiver.url }, { allowHosts: ["127.0.0.1"], appSecret: APP_SECRET });
    const expected: string[] = [];
    for (let i = 0; i < MESSAGES; i++) expected.push((await testSend(database.prisma, { endpointId: "slow", actor: `crash-test-${i}` })).messageId);
    const targetText = database.target.kind === "pglite" ? `pglite:${database.target.dataDir}` : database.target.url;
    // PGlite is one process's directory: hand it over to the child.
    if (database.target.kind === "pglite") await database.close();

    const first = startChild(targetText);
    await waitFor(() => receiver.received.length >= 10, "first deliveries before the kill", 60_000);
    first.child.kill("SIGKILL");
    expect(await first.exited).toBeNull(); // killed by a signal, not a clean exit
    const beforeRestart = receiver.received.length;
    expect(beforeRestart).toBeLessThan(MESSAGES);

    const second = startChild(targetText);
    const code = await Promise.race([second.exited, new Promise<"timeout">((r) => setTimeout(() => r("timeout"), 90_000))]);
    expect(code, second.output.join("")).toBe(0);

    const ids = receiver.received.map((r) => r.headers["webhook-id"]);
    const unique = new Set(ids);
    for (const id of expected) expect(unique.has(id), `webhook-id ${id} delivered`).toBe(true);
    expect(unique.size).toBe(MESSAGES);
    expect(ids.length).toBeGreaterThanOrEqual(MESSAGES);

    // Every row is recorded as delivered after the restart.
    if (database.target.kind === "pglite") {
      const reopened = await openDatabase(database.target);
      expect(await reopened.prisma.outboxDelivery.count({ where: { status: "delivered" } })).toBe(MESSAGES);
      await reopened.close();
      await rm(path.dirname(database.target.dataDir), { recursive: true, force: true });
    } else {
      expect(await database.prisma.outboxDelivery.count({ where: { status: "delivered" } })).toBe(MESSAGES);
      await database.dispose();
    }
  });
});
