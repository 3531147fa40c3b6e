// Receiver for `npm run bench:webhooks`, in its own process (forked by bench/webhooks.ts): verifies
// every request with the `standardwebhooks` library, records webhook-ids and, for alert.firing
// messages, alert-to-delivery latency (receive time − the alert's firedAt). IPC commands:
//   {cmd:"down"} closes the port (connection refused: an outage), {cmd:"up"} listens again,
//   {cmd:"report", since} sends counts and latencies of requests received since `since` (epoch ms),
//   {cmd:"ids"} sends every webhook-id received.
import { createServer, type Server } from "node:http";
import { Webhook } from "standardwebhooks";

const secret = process.env.BENCH_WEBHOOK_SECRET ?? "";
const verifier = new Webhook(secret);
let port = Number(process.env.BENCH_RECEIVER_PORT ?? 0);
const ids = new Set<string>();
const received: { at: number; latencyMs: number | null }[] = [];
let duplicates = 0;
let invalid = 0;

const server: Server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on("data", (c: Buffer) => chunks.push(c));
  req.on("end", () => {
    const body = Buffer.concat(chunks).toString("utf8");
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers[k] = v;
    const at = Date.now();
    let latencyMs: number | null = null;
    try {
      const message = verifier.verify(body, headers) as { type: string; data?: { firedAt?: string } };
      if (message.type === "alert.firing" && message.data?.firedAt) latencyMs = at - Date.parse(message.data.firedAt);
    } catch {
      invalid += 1;
      res.writeHead(400).end("bad signature");
      return;
    }
    const id = headers["webhook-id"];
    if (ids.has(id)) duplicates += 1;
    ids.add(id);
    received.push({ at, latencyMs });
    res.writeHead(200, { "content-type": "text/plain" }).end("ok");
  });
});
server.keepAliveTimeout = 60_000;

function listen(): Promise<void> {
  return new Promise((resolve) =>
    server.listen(port, "127.0.0.1", () => {
      port = (server.address() as { port: number }).port;
      resolve();
    }),
  );
}

process.on("message", async (m: { cmd: string; since?: number }) => {
  if (m.cmd === "down") {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    process.send?.({ type: "down" });
  } else if (m.cmd === "up") {
    await listen();
    process.send?.({ type: "up", port });
  } else if (m.cmd === "report") {
    const since = m.since ?? 0;
    const window = received.filter((r) => r.at >= since);
    process.send?.({
      type: "report",
      count: window.length,
      firstAt: window[0]?.at ?? null,
      lastAt: window[window.length - 1]?.at ?? null,
      latencies: window.flatMap((r) => (r.latencyMs === null ? [] : [r.latencyMs])),
      uniqueIds: ids.size,
      duplicates,
      invalid,
    });
  } else if (m.cmd === "ids") {
    process.send?.({ type: "ids", ids: [...ids] });
  }
});

await listen();
process.send?.({ type: "up", port });
