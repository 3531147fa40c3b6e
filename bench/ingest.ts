// Ingest benchmark (`npm run bench:ingest`).
// A sender in another process (bench/ingest/sender.ts) serves real-format frames over local
// WebSockets, one connection per venue (Pyth Hermes, Binance combined bookTicker, Coinbase ticker +
// heartbeats, ~1 % malformed). In the same run:
//   1. ceiling  — a bare client that only JSON.parses each frame, flood mode (as fast as it accepts);
//   2. pipeline — our FeedConnections (size guard, venue parser, counters) → OracleEngine
//                 (reference, six checks, hysteresis, EWMA) per frame, flood mode;
//   3. latency  — the pipeline at a paced 20,000 msgs/s; latency = detector output time − the
//                 sender's send time of the same frame (both clocks are performance.timeOrigin +
//                 performance.now() on one machine).
// Every pipeline phase checks that each venue's frames, ticks and rejections arrived exactly once.
// Env: INGEST_FLOOD_FRAMES (default 300000), INGEST_PACED_SECONDS (default 5), INGEST_RATE (20000).
import { fork } from "node:child_process";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import WebSocket from "ws";
import { OracleEngine, engineOptionsFromConfig } from "../lib/oracle/detectors";
import { FeedConnection } from "../server/feeds/connection";
import { VENUES, benchFeedConfigs, generateFrames, type FrameMix } from "./ingest/frames";

const here = path.dirname(fileURLToPath(import.meta.url));
const nowMs = () => performance.timeOrigin + performance.now();
const FLOOD_FRAMES = Number(process.env.INGEST_FLOOD_FRAMES ?? 300_000);
const PACED_SECONDS = Number(process.env.INGEST_PACED_SECONDS ?? 5);
const RATE = Number(process.env.INGEST_RATE ?? 20_000);

interface SentReport {
  type: "sent";
  name: string;
  count: number;
  elapsedMs: number;
  sendTimes: number[];
}

const child = fork(path.join(here, "ingest", "sender.ts"), [], { execArgv: ["--import", "tsx"], stdio: ["ignore", "inherit", "inherit", "ipc"] });
const messages: Array<(m: { type: string } & Record<string, unknown>) => boolean> = [];
child.on("message", (m: { type: string } & Record<string, unknown>) => {
  const index = messages.findIndex((w) => w(m));
  if (index >= 0) messages.splice(index, 1);
});
function nextMessage<T>(predicate: (m: { type: string } & Record<string, unknown>) => boolean): Promise<T> {
  return new Promise((resolve) => messages.push((m) => (predicate(m) ? (resolve(m as T), true) : false)));
}

function indicesByVenue(mix: FrameMix): number[][] {
  const out: number[][] = VENUES.map(() => []);
  for (let i = 0; i < mix.venues.length; i++) out[mix.venues[i]].push(i);
  return out;
}

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** Bare ceiling: three plain ws clients, JSON.parse only. */
async function runBare(port: number, name: string, count: number, seed: number): Promise<{ msgsPerSecond: number; received: number }> {
  const mix = generateFrames(count, seed, false);
  let received = 0;
  let first = 0;
  let last = 0;
  let sink = 0;
  let resolveDone!: () => void;
  const done = new Promise<void>((r) => (resolveDone = r));
  const sockets = VENUES.map((venue) => {
    const socket = new WebSocket(`ws://127.0.0.1:${port}/${name}/${venue}`, { perMessageDeflate: false });
    socket.on("message", (data: Buffer) => {
      const t = nowMs();
      if (received === 0) first = t;
      try {
        const parsed = JSON.parse(data.toString("utf8")) as { type?: unknown };
        if (parsed.type !== undefined) sink++;
      } catch {
        sink--; // malformed frames are part of the mix; the ceiling client only parses
      }
      received++;
      last = t;
      if (received === count) resolveDone();
    });
    return socket;
  });
  const sent = nextMessage<SentReport>((m) => m.type === "sent" && m.name === name);
  child.send({ type: "phase", name, mode: "flood", count, seed });
  await Promise.all([done, sent]);
  for (const s of sockets) s.close();
  void sink;
  void mix;
  return { msgsPerSecond: (count - 1) / ((last - first) / 1000), received };
}

interface PipelineResult {
  msgsPerSecond: number;
  latencies: Float64Array | null;
  checks: string[];
  ok: boolean;
  alertsEmitted: number;
}

/** Full pipeline: FeedConnection (guard, parser, counters) → OracleEngine, per frame. */
async function runPipeline(port: number, name: string, count: number, seed: number, mode: "flood" | "paced"): Promise<PipelineResult> {
  const mix = generateFrames(count, seed, false);
  const byVenue = indicesByVenue(mix);
  const feeds = benchFeedConfigs(port, name);
  let alertsEmitted = 0;
  const engine = new OracleEngine({ ...engineOptionsFromConfig({ markets: {}, feeds }, Date.now()), evaluationIntervalMs: 250, onEvent: () => alertsEmitted++ });
  const doneTimes = new Float64Array(count);
  const receivedPerVenue = VENUES.map(() => 0);
  let received = 0;
  let first = 0;
  let last = 0;
  let resolveDone!: () => void;
  const done = new Promise<void>((r) => (resolveDone = r));
  const connections = feeds.map((feed, v) => {
    const connection = new FeedConnection({
      feed,
      onFrame: (feedId, result, receivedAtMs) => {
        engine.ingestParseResult(feedId, result, receivedAtMs);
        const t = nowMs();
        const k = receivedPerVenue[v]++;
        const globalIndex = byVenue[v][k];
        if (globalIndex !== undefined) doneTimes[globalIndex] = t;
        if (received === 0) first = t;
        received++;
        last = t;
        if (received === count) resolveDone();
      },
    });
    connection.start();
    return connection;
  });
  const sent = nextMessage<SentReport>((m) => m.type === "sent" && m.name === name);
  child.send({ type: "phase", name, mode, count, seed, ratePerSecond: RATE });
  const report = await sent;
  await Promise.race([done, new Promise((r) => setTimeout(r, 30_000))]);

  // Exactly-once checks per venue: frames, ticks and rejections against the generated mix.
  const counters = engine.feedCounters();
  const checks: string[] = [];
  let ok = received === count;
  VENUES.forEach((venue, v) => {
    const indices = byVenue[v];
    const expectedTicks = indices.reduce((n, i) => n + mix.expectedTicks[i], 0);
    const expectedRejections = indices.reduce((n, i) => n + mix.expectedRejections[i], 0);
    const c = counters[venue];
    const status = connections[v].status();
    const good = c.frames === indices.length && status.messages === indices.length && c.ticks === expectedTicks && c.rejected === expectedRejections;
    ok &&= good;
    checks.push(`${venue}: frames ${c.frames}/${indices.length}, ticks ${c.ticks}/${expectedTicks}, rejected ${c.rejected}/${expectedRejections} ${good ? "ok" : "MISMATCH"}`);
  });
  await Promise.all(connections.map((c) => c.stop()));

  let latencies: Float64Array | null = null;
  if (mode === "paced") {
    latencies = new Float64Array(count);
    for (let i = 0; i < count; i++) latencies[i] = doneTimes[i] - report.sendTimes[i];
    latencies.sort();
  }
  return { msgsPerSecond: (count - 1) / ((last - first) / 1000), latencies, checks, ok, alertsEmitted };
}

async function main(): Promise<void> {
  const ready = await nextMessage<{ port: number }>((m) => m.type === "ready");
  const port = ready.port;
  const cpu = os.cpus()[0]?.model ?? "unknown CPU";
  console.log(`ingest benchmark — ${new Date().toISOString()} — node ${process.version} — ${os.cpus().length} × ${cpu}`);

  // Warm-up (JIT) of both clients, not reported.
  await runBare(port, "warm-bare", 50_000, 1);
  await runPipeline(port, "warm-pipe", 50_000, 2, "flood");

  const bare = await runBare(port, "ceiling", FLOOD_FRAMES, 42);
  const pipeline = await runPipeline(port, "pipeline", FLOOD_FRAMES, 42, "flood");
  const pacedCount = Math.round(RATE * PACED_SECONDS);
  const paced = await runPipeline(port, "paced", pacedCount, 43, "paced");

  const ratio = pipeline.msgsPerSecond / bare.msgsPerSecond;
  const lat = paced.latencies as Float64Array;
  const p50 = percentile(lat, 50);
  const p99 = percentile(lat, 99);
  const max = lat[lat.length - 1];
  console.log(`bare JSON.parse ceiling : ${Math.round(bare.msgsPerSecond).toLocaleString("en-US")} msgs/s (${bare.received.toLocaleString("en-US")} frames)`);
  console.log(`full pipeline           : ${Math.round(pipeline.msgsPerSecond).toLocaleString("en-US")} msgs/s = ${(ratio * 100).toFixed(1)} % of the ceiling (target ≥ 50 %)`);
  for (const line of pipeline.checks) console.log(`  ${line}`);
  console.log(`paced ${RATE.toLocaleString("en-US")} msgs/s × ${PACED_SECONDS} s: send → detector output p50 ${p50.toFixed(3)} ms, p99 ${p99.toFixed(3)} ms, max ${max.toFixed(3)} ms (target p99 < 10 ms)`);
  for (const line of paced.checks) console.log(`  ${line}`);
  const pass = ratio >= 0.5 && p99 < 10 && pipeline.ok && paced.ok;
  console.log(`result: ${pass ? "PASS" : "FAIL"} (throughput ${ratio >= 0.5 ? "ok" : "below target"}, latency ${p99 < 10 ? "ok" : "above target"}, counts ${pipeline.ok && paced.ok ? "exact" : "MISMATCH"})`);
  console.log(
    JSON.stringify({ bareMsgsPerSecond: Math.round(bare.msgsPerSecond), pipelineMsgsPerSecond: Math.round(pipeline.msgsPerSecond), ratio: Number(ratio.toFixed(3)), rate: RATE, p50Ms: Number(p50.toFixed(3)), p99Ms: Number(p99.toFixed(3)), maxMs: Number(max.toFixed(3)), countsExact: pipeline.ok && paced.ok }),
  );
  child.send({ type: "exit" });
  process.exitCode = pass ? 0 : 1;
}

main().catch((error) => {
  console.error(error);
  child.kill();
  process.exitCode = 1;
});
