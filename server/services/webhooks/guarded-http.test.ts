// The guarded webhook sender against real local HTTP/HTTPS servers, with an injected resolver
// standing in for DNS. The loopback server counts TCP connections: "nothing reached it" means not
// even a connection, not just no HTTP request.
import { readFileSync } from "node:fs";
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { LookupAddress } from "node:dns";
import type { AddressInfo } from "node:net";
import type { TLSSocket } from "node:tls";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createGuardedSender, pinnedLookup, WebhookTargetBlocked, type GuardedSender } from "./guarded-http";
import type { AddressLookup } from "./url-check";

type LocalServer = { port: number; connections: number; requests: { host: string | undefined; servername: string | undefined; body: string }[]; close(): Promise<void> };

async function listen(server: Server): Promise<LocalServer> {
  const local: LocalServer = { port: 0, connections: 0, requests: [], close: async () => {} };
  server.on("connection", () => (local.connections += 1));
  server.on("secureConnection", () => (local.connections += 1));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  local.port = (server.address() as AddressInfo).port;
  local.close = () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return local;
}

function recordingHandler(local: () => LocalServer) {
  return (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      local().requests.push({ host: req.headers.host, servername: (req.socket as TLSSocket).servername || undefined, body: Buffer.concat(chunks).toString("utf8") });
      res.writeHead(200, { "content-type": "text/plain", "retry-after": "7" }).end("reached the loopback receiver");
    });
  };
}

/** A resolver whose answers are scripted per call; `calls` records every question. */
function scriptedResolver(answers: string[][]): AddressLookup & { calls: string[] } {
  const calls: string[] = [];
  const resolver = async (host: string) => {
    calls.push(host);
    return answers[Math.min(calls.length - 1, answers.length - 1)];
  };
  return Object.assign(resolver, { calls });
}

const PUBLIC = "203.0.113.7"; // RFC 5737 TEST-NET-3: public by the guard's rules, never routed
const request = (url: string, timeoutMs = 2000) => ({ url, headers: { "content-type": "application/json" }, body: '{"type":"webhook.test"}', signal: AbortSignal.timeout(timeoutMs) });

describe("guarded webhook sender", () => {
  let loopback: LocalServer;
  let sender: GuardedSender | null = null;

  beforeAll(async () => {
    loopback = await listen(createHttpServer(recordingHandler(() => loopback)));
  });
  afterAll(async () => {
    await loopback?.close();
  });
  afterEach(() => {
    sender?.close();
    sender = null;
    loopback.connections = 0;
    loopback.requests.length = 0;
  });

  it("refuses a host that now resolves to loopback, without connecting", async () => {
    const resolver = scriptedResolver([["127.0.0.1"]]);
    sender = createGuardedSender({ allowHosts: [], lookup: resolver });
    const attempt = sender.send(request(`https://hooks.rebind.test:${loopback.port}/hook`));
    await expect(attempt).rejects.toBeInstanceOf(WebhookTargetBlocked);
    await expect(attempt).rejects.toThrow("hooks.rebind.test resolves to 127.0.0.1, a loopback address; add the host to security.allowWebhookHosts to allow it");
    expect(resolver.calls).toEqual(["hooks.rebind.test"]);
    expect(loopback.connections).toBe(0);
  });

  it("checks every address: one internal answer among public ones refuses the attempt", async () => {
    sender = createGuardedSender({ allowHosts: [], lookup: scriptedResolver([[PUBLIC, "169.254.169.254"]]) });
    await expect(sender.send(request(`https://hooks.rebind.test:${loopback.port}/hook`))).rejects.toThrow(
      "hooks.rebind.test resolves to 169.254.169.254, a link-local (cloud metadata service) address",
    );
    expect(loopback.connections).toBe(0);
  });

  it("connects to the address it checked: a rebinding answer after the check is never asked for", async () => {
    // Check-time answer public, every later answer loopback. A client that resolved again when it
    // connects would reach the loopback server.
    const resolver = scriptedResolver([[PUBLIC], ["127.0.0.1"]]);
    sender = createGuardedSender({ allowHosts: [], lookup: resolver });
    const outcome = await sender.send({ ...request(`https://hooks.rebind.test:${loopback.port}/hook`, 500) }).then(
      (response) => ({ response }),
      (error: Error) => ({ error }),
    );
    // Whatever the network does with TEST-NET-3 (unreachable, timeout, a sandbox proxy answering),
    // the guard let it through and nothing came to 127.0.0.1.
    if ("error" in outcome) expect(outcome.error).not.toBeInstanceOf(WebhookTargetBlocked);
    else expect(outcome.response.body).not.toBe("reached the loopback receiver");
    expect(resolver.calls).toEqual(["hooks.rebind.test"]);
    expect(loopback.connections).toBe(0);
    expect(loopback.requests).toEqual([]);
  });

  it("refuses IP-literal targets in private ranges, and plain http to a host that is not allowlisted", async () => {
    const resolver = scriptedResolver([[PUBLIC]]);
    sender = createGuardedSender({ allowHosts: [], lookup: resolver });
    await expect(sender.send(request(`http://127.0.0.1:${loopback.port}/hook`))).rejects.toThrow("scheme http is not allowed (https required)");
    await expect(sender.send(request(`https://127.0.0.1:${loopback.port}/hook`))).rejects.toThrow("127.0.0.1 resolves to 127.0.0.1, a loopback address");
    await expect(sender.send(request("https://[::ffff:169.254.169.254]/latest/meta-data"))).rejects.toThrow("link-local (cloud metadata service)");
    await expect(sender.send(request(`http://hooks.example.com:${loopback.port}/hook`))).rejects.toThrow("scheme http is not allowed");
    expect(resolver.calls).toEqual([]);
    expect(loopback.connections).toBe(0);
  });

  it("an allowlisted host name reaches its private address, with its own Host header", async () => {
    const resolver = scriptedResolver([["127.0.0.1"]]);
    sender = createGuardedSender({ allowHosts: ["Hooks.Internal"], lookup: resolver });
    const response = await sender.send(request(`http://hooks.internal:${loopback.port}/hook`));
    expect(response).toEqual({ status: 200, retryAfter: "7", body: "reached the loopback receiver" });
    expect(loopback.requests).toEqual([{ host: `hooks.internal:${loopback.port}`, servername: undefined, body: '{"type":"webhook.test"}' }]);
    expect(resolver.calls).toEqual(["hooks.internal"]);
  });

  it("an allowlisted IP literal is reached without any lookup", async () => {
    const resolver = scriptedResolver([[PUBLIC]]);
    sender = createGuardedSender({ allowHosts: ["127.0.0.1"], lookup: resolver });
    expect((await sender.send(request(`http://127.0.0.1:${loopback.port}/hook`))).status).toBe(200);
    expect(resolver.calls).toEqual([]);
  });

  it("keeps only the first bytes of a large response", async () => {
    const big = await listen(createHttpServer((_req, res) => res.writeHead(500).end("x".repeat(100_000))));
    try {
      sender = createGuardedSender({ allowHosts: ["127.0.0.1"], maxResponseBytes: 1024 });
      const response = await sender.send(request(`http://127.0.0.1:${big.port}/hook`));
      expect(response.status).toBe(500);
      expect(response.body).toBe("x".repeat(1024));
    } finally {
      await big.close();
    }
  });

  it("gives up when the signal aborts (the dispatcher's request timeout)", async () => {
    const slow = await listen(createHttpServer((_req, res) => setTimeout(() => res.writeHead(200).end("late"), 2000)));
    try {
      sender = createGuardedSender({ allowHosts: ["127.0.0.1"] });
      await expect(sender.send(request(`http://127.0.0.1:${slow.port}/hook`, 200))).rejects.toMatchObject({ name: "TimeoutError" });
    } finally {
      await slow.close();
    }
  });

  describe("over TLS", () => {
    const cert = readFileSync(new URL("../../testing/tls/hooks-internal.crt", import.meta.url));
    const key = readFileSync(new URL("../../testing/tls/hooks-internal.key", import.meta.url));
    let tls: LocalServer;

    beforeAll(async () => {
      tls = await listen(createHttpsServer({ cert, key }, recordingHandler(() => tls)));
    });
    afterAll(async () => {
      await tls?.close();
    });

    it("connects to the pinned address but sends SNI and checks the certificate for the URL's host name", async () => {
      sender = createGuardedSender({ allowHosts: ["hooks.internal", "other.internal"], lookup: scriptedResolver([["127.0.0.1"]]), ca: cert });
      const response = await sender.send(request(`https://hooks.internal:${tls.port}/hook`));
      expect(response.status).toBe(200);
      expect(tls.requests.at(-1)).toMatchObject({ host: `hooks.internal:${tls.port}`, servername: "hooks.internal" });
      // Same address, another name: the certificate does not name it, so the request is refused.
      await expect(sender.send(request(`https://other.internal:${tls.port}/hook`))).rejects.toMatchObject({ code: "ERR_TLS_CERT_ALTNAME_INVALID" });
      expect(tls.requests).toHaveLength(1);
    });
  });
});

describe("pinnedLookup", () => {
  const checked: LookupAddress[] = [
    { address: "203.0.113.7", family: 4 },
    { address: "2001:db8::7", family: 6 },
  ];
  const ask = (hostname: string, options: { family?: number; all?: boolean }) =>
    new Promise<{ error: NodeJS.ErrnoException | null; address: unknown; family?: number }>((resolve) =>
      pinnedLookup("hooks.example.com", checked)(hostname, options, (error, address, family) => resolve({ error, address, family })),
    );

  it("answers only with the checked addresses of the checked host", async () => {
    expect(await ask("hooks.example.com", { all: true })).toMatchObject({ error: null, address: checked });
    expect(await ask("hooks.example.com", { family: 6, all: true })).toMatchObject({ error: null, address: [checked[1]] });
    expect(await ask("HOOKS.example.com", { family: 4 })).toMatchObject({ error: null, address: "203.0.113.7", family: 4 });
    expect((await ask("metadata.internal", { all: true })).error?.code).toBe("ENOTFOUND");
  });
});
