// Benchmark sender (runs in its own process, forked by bench/ingest.ts): a local `ws` server that
// sends the generated frame mix to the three venue connections of a phase, either as fast as the
// client accepts (flood: keeps the socket's unsent buffer under a bound) or paced at a fixed rate,
// recording each frame's send time for the latency measurement.
import { performance } from "node:perf_hooks";
import type { AddressInfo } from "node:net";
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
    let i = 0;
    while (i < command.count) {
      const batchEnd = Math.min(command.count, i + 512);
      for (; i < batchEnd; i++) {
        sendTimes[i] = nowMs();
        byVenue[frames.venues[i]].send(texts[i]);
      }
      while (byVenue.some((s) => s.bufferedAmount > HIGH_WATER_BYTES)) await new Promise((r) => setTimeout(r, 1));
      await yieldToLoop();
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
      await yieldToLoop();
    }
  }
  const finished = nowMs();
  send({ type: "sent", name: command.name, count: command.count, elapsedMs: finished - started, sendTimes: Array.from(sendTimes) });
}

process.on("message", (message: PhaseCommand | { type: "exit" }) => {
  if (message.type === "exit") {
    wss.close();
    process.exit(0);
  }
  if (message.type === "phase") void runPhase(message);
});
