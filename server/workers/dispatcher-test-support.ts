// Test support for the webhook tests: a local HTTP receiver that records every request and answers
// as the test scripts it, and a bounded wait for a condition.
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export type ReceivedRequest = { path: string; headers: Record<string, string>; body: string; receivedAtMs: number };
export type ReceiverReply = { status: number; headers?: Record<string, string>; body?: string; delayMs?: number };

export type Receiver = {
  url: string;
  port: number;
  received: ReceivedRequest[];
  /** TCP connections accepted (a connection that never sent a valid HTTP request counts too). */
  connections: number;
  /** Decides each reply; default 200 "ok". */
  reply: (request: ReceivedRequest, index: number) => ReceiverReply;
  close(): Promise<void>;
};

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

export async function startReceiver(port = 0): Promise<Receiver> {
  const receiver: Receiver = {
    url: "",
    port: 0,
    received: [],
    connections: 0,
    reply: () => ({ status: 200, body: "ok" }),
    close: async () => {},
  };
  const server: Server = createServer(async (req, res) => {
    const body = await readBody(req);
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers[k] = v;
    const request = { path: req.url ?? "/", headers, body, receivedAtMs: Date.now() };
    const index = receiver.received.length;
    receiver.received.push(request);
    const reply = receiver.reply(request, index);
    if (reply.delayMs) await new Promise((r) => setTimeout(r, reply.delayMs));
    res.writeHead(reply.status, { "content-type": "text/plain", ...reply.headers });
    res.end(reply.body ?? "");
  });
  server.keepAliveTimeout = 60_000;
  server.on("connection", () => (receiver.connections += 1));
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  const address = server.address() as AddressInfo;
  receiver.port = address.port;
  receiver.url = `http://127.0.0.1:${address.port}/hook`;
  receiver.close = () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return receiver;
}

/** Polls `condition` until it holds; throws with `what` after `timeoutMs` (a bound, not a measurement). */
export async function waitFor(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
