// At-least-once across crashes: a dispatcher process is killed with SIGKILL (kill -9) while requests
// are in flight, restarted, and the receiver must have every webhook-id at least once (duplicates
// are allowed: the receiver recognises them by webhook-id). The second case kills a process that is
// firing alerts through the alerting engine, whose new rows go to its dispatcher at commit
// (hand-off, no claim): every alert whose commit the process reported must still be delivered.
import { spawn, type ChildProcess } from "node:child_process";
import { rm } from "node:fs/promises";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openDatabase } from "../db";
import { openTestDatabase, testDatabaseKinds } from "../testing/databases";
import { createEndpoint } from "../services/webhooks/endpoints";
import { createRoute } from "../services/webhooks/routes";
import type { OutboxPayload } from "../services/webhooks/outbox";
import { testSend } from "../services/webhooks/deliveries";
import { startReceiver, waitFor, type Receiver } from "./dispatcher-test-support";

const APP_SECRET = "test-app-secret-0123456789abcdef-0123456789";
const MESSAGES = 40;

function startChild(databaseTarget: string, fire = 0): { child: ChildProcess; output: string[]; exited: Promise<number | null> } {
  const child = spawn(process.execPath, ["--import", "tsx", path.join(import.meta.dirname, "dispatcher-crash-child.ts")], {
    cwd: process.cwd(),
    env: { ...process.env, RW_CRASH_DATABASE: databaseTarget, RW_CRASH_APP_SECRET: APP_SECRET, RW_CRASH_FIRE: String(fire) },
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

  it("loses no committed alert when the process firing them is killed (rows handed off at commit)", { timeout: 120_000 }, async () => {
    const receiver = await startReceiver();
    receivers.push(receiver);
    receiver.reply = () => ({ status: 200, body: "ok", delayMs: 150 });
    const database = await openTestDatabase(kind);
    await createEndpoint(database.prisma, { id: "slow", format: "standard", url: receiver.url }, { allowHosts: ["127.0.0.1"], appSecret: APP_SECRET });
    await createRoute(database.prisma, { match: {}, webhookIds: ["slow"], groupBy: ["..."], groupWaitMs: 0, groupIntervalMs: 1000, repeatIntervalMs: 3_600_000 });
    const targetText = database.target.kind === "pglite" ? `pglite:${database.target.dataDir}` : database.target.url;
    if (database.target.kind === "pglite") await database.close();

    const first = startChild(targetText, 60);
    await waitFor(() => receiver.received.length >= 8, "first deliveries before the kill", 60_000);
    first.child.kill("SIGKILL");
    expect(await first.exited).toBeNull();
    const printed = first.output.join("").split("\n");
    const committed = printed.filter((l) => l.startsWith("committed ")).map((l) => l.slice("committed ".length));
    const counters = printed.filter((l) => l.startsWith("counters ")).map((l) => JSON.parse(l.slice("counters ".length)) as { handedOff: number });
    // Killed mid-run, after the hand-off had been used.
    expect(committed.length).toBeGreaterThan(0);
    expect(committed.length).toBeLessThan(60);
    expect(counters.at(-1)?.handedOff ?? 0).toBeGreaterThan(0);

    const second = startChild(targetText);
    const code = await Promise.race([second.exited, new Promise<"timeout">((r) => setTimeout(() => r("timeout"), 90_000))]);
    expect(code, second.output.join("")).toBe(0);

    const reopened = database.target.kind === "pglite" ? await openDatabase(database.target) : database;
    const rows = await reopened.prisma.outboxDelivery.findMany();
    const received = new Set(receiver.received.map((r) => r.headers["webhook-id"]));
    // Every outbox row was delivered and reached the receiver...
    expect(rows.filter((r) => r.status !== "delivered")).toEqual([]);
    for (const row of rows) expect(received.has(row.messageId), `webhook-id ${row.messageId} received`).toBe(true);
    // ...and every alert the killed process reported as committed has its row (alert and outbox commit together).
    const fingerprintsWithRows = new Set(rows.flatMap((r) => (r.payload as unknown as OutboxPayload).fingerprints));
    for (const fingerprint of committed) expect(fingerprintsWithRows.has(fingerprint), `${fingerprint} has an outbox row`).toBe(true);
    const alerts = await reopened.prisma.alert.findMany({ select: { fingerprint: true } });
    expect(new Set(alerts.map((a) => a.fingerprint))).toEqual(fingerprintsWithRows);
    if (database.target.kind === "pglite") {
      await reopened.close();
      await rm(path.dirname(database.target.dataDir), { recursive: true, force: true });
    } else {
      await database.dispose();
    }
  });
});
