// Benchmark sender (runs in its own process, forked by bench/ingest.ts): a local `ws` server that
// sends the generated frame mix to the three venue connections of a phase, either as fast as the
// client accepts (flood: keeps the socket's unsent buffer under a bound) or paced at a fixed rate,
// recording each frame's send time for the latency measurement.
import { performance } from "node:perf_hooks";
import type { AddressInfo, Socket } from "node:net";
import { WebSocketServer, type WebSocket } from "ws";
import { VENUES, generateFrames } from "./frames";

interface PhaseCommand {
  type: "phase";
  name: string;
  mode: "flood" | "paced";
  count: number;
  seed: number;
  ratePerSecond?: number;
}

const nowMs = () => performance.timeOrigin + performance.now();
const send = (message: unknown) => process.send?.(message);
const HIGH_WATER_BYTES = 4 << 20;

const wss = new WebSocketServer({ port: 0, host: "127.0.0.1", perMessageDeflate: false });
const socketsByPhase = new Map<string, Map<string, WebSocket>>();
const phaseWaiters = new Map<string, () => void>();

wss.on("connection", (socket, request) => {
  const [, phase, venuePath] = (request.url ?? "").split("?")[0].split("/");
  let sockets = socketsByPhase.get(phase);
  if (!sockets) socketsByPhase.set(phase, (sockets = new Map()));
  sockets.set(venuePath, socket);
  socket.on("message", () => {}); // subscribe messages: the streams are fixed by the phase
  if (sockets.size === VENUES.length) phaseWaiters.get(phase)?.();
});

wss.on("listening", () => send({ type: "ready", port: (wss.address() as AddressInfo).port }));

async function runPhase(command: PhaseCommand): Promise<void> {
  const frames = generateFrames(command.count, command.seed, true);
  const texts = frames.texts as string[];
  if ((socketsByPhase.get(command.name)?.size ?? 0) < VENUES.length) {
    await new Promise<void>((resolve) => phaseWaiters.set(command.name, resolve));
  }
  const sockets = socketsByPhase.get(command.name) as Map<string, WebSocket>;
  const byVenue = VENUES.map((v) => sockets.get(v) as WebSocket);
  const sendTimes = new Float64Array(command.count);
  const started = nowMs();
  const yieldToLoop = () => new Promise<void>((r) => setImmediate(r));

  if (command.mode === "flood") {
    // Flood: the frames are pre-encoded as WebSocket text frames (RFC 6455 §5.2: FIN+opcode 0x81,
    // 7/16-bit payload length, server frames unmasked) and written to each connection's TCP socket
    // in batches while its write buffer is under the bound, so the sender is not the bottleneck
    // and the measured rate is what the client accepts. The client's `ws` parses them as usual.
    const encoded = VENUES.map(() => [] as Buffer[]);
    const firstIndex = VENUES.map(() => [] as number[]);
    const BATCH = 256;
    const pending = VENUES.map(() => [] as Buffer[]);
    const pendingFirst = VENUES.map(() => -1);
    for (let i = 0; i < command.count; i++) {
      const v = frames.venues[i];
      const payload = Buffer.from(texts[i], "utf8");
      const header = payload.length < 126 ? Buffer.from([0x81, payload.length]) : Buffer.from([0x81, 126, payload.length >> 8, payload.length & 0xff]);
      if (payload.length > 0xffff) throw new Error("frame too large for the 16-bit length encoding");
      if (pendingFirst[v] < 0) pendingFirst[v] = i;
      pending[v].push(header, payload);
      if (pending[v].length >= BATCH * 2) {
        encoded[v].push(Buffer.concat(pending[v]));
        firstIndex[v].push(pendingFirst[v]);
        pending[v] = [];
        pendingFirst[v] = -1;
      }
    }
    VENUES.forEach((_, v) => {
      if (pending[v].length) {
        encoded[v].push(Buffer.concat(pending[v]));
        firstIndex[v].push(pendingFirst[v]);
      }
    });
    const raw = byVenue.map((s) => (s as unknown as { _socket: Socket })._socket);
    const next = VENUES.map(() => 0);
    const t0 = nowMs();
    for (let i = 0; i < command.count; i++) sendTimes[i] = t0; // flood latency is not reported
    let remaining = encoded.reduce((n, e) => n + e.length, 0);
    while (remaining > 0) {
      for (let v = 0; v < VENUES.length; v++) {
        while (next[v] < encoded[v].length && raw[v].writableLength < HIGH_WATER_BYTES) {
          raw[v].write(encoded[v][next[v]++]);
          remaining--;
        }
      }
      if (remaining > 0) await new Promise((r) => setTimeout(r, 0));
    }
  } else {
    const rate = command.ratePerSecond as number;
    let i = 0;
    while (i < command.count) {
      const due = Math.min(command.count, Math.floor(((nowMs() - started) * rate) / 1000) + 1);
      for (; i < due; i++) {
        sendTimes[i] = nowMs();
        byVenue[frames.venues[i]].send(texts[i]);
      }
      // Sleep ~1 ms between bursts (≈20 frames at 20k/s) instead of spinning: a busy sender would
      // steal the receiver's CPU on a 2-core machine and inflate the latency it measures.
      await new Promise((r) => setTimeout(r, 1));
    }
  }
  const finished = nowMs();
  send({ type: "sent", name: command.name, count: command.count, elapsedMs: finished - started, sendTimes: Array.from(sendTimes) });
}

// Never outlive the benchmark process.
process.on("disconnect", () => process.exit(0));

process.on("message", (message: PhaseCommand | { type: "exit" }) => {
  if (message.type === "exit") {
    wss.close();
    process.exit(0);
  }
  if (message.type === "phase") void runPhase(message);
});
