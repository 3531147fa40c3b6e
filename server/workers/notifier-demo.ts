// Demo mode only (no config file): an in-process webhook receiver on 127.0.0.1 and a catch-all route
// to it, so the Webhooks page shows real signed deliveries, attempts and latencies out of the box.
// The receiver checks every signature with the endpoint's secret and answers 401 when one fails.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { encryptSecret, maskSecret, newWebhookSecret, verifyStandardWebhook } from "../../lib/alerts";
import type { PrismaClient } from "../../generated/prisma/client";
import { endpointSecret } from "../services/webhooks/endpoints";

export const DEMO_ENDPOINT_ID = "demo-receiver";
export const DEMO_ROUTE_ID = "demo-everything";
/** Where the demo receiver listens: the dispatcher allowlists it in demo mode without a config file. */
export const DEMO_RECEIVER_HOST = "127.0.0.1";

export async function startDemoReceiver(db: PrismaClient, appSecret: string): Promise<{ url: string; stop(): Promise<void> }> {
  const existing = await db.webhookEndpoint.findUnique({ where: { id: DEMO_ENDPOINT_ID } });
  let secret = existing ? endpointSecret(existing, appSecret) : null;
  secret ??= newWebhookSecret();
  const verifiedWith = secret;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const headers: Record<string, string | undefined> = {};
      for (const [k, v] of Object.entries(req.headers)) headers[k] = typeof v === "string" ? v : undefined;
      try {
        verifyStandardWebhook({ secrets: [verifiedWith], headers, body: Buffer.concat(chunks).toString("utf8"), nowSeconds: Math.floor(Date.now() / 1000) });
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ received: headers["webhook-id"], verified: true }));
      } catch (error) {
        res.writeHead(401, { "content-type": "text/plain" }).end(`signature check failed: ${(error as Error).message}`);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, DEMO_RECEIVER_HOST, resolve));
  const url = `http://${DEMO_RECEIVER_HOST}:${(server.address() as AddressInfo).port}/hook`;
  const secretFields = { secretCipher: encryptSecret(secret, appSecret, { context: DEMO_ENDPOINT_ID }), secretHint: maskSecret(secret) };
  await db.webhookEndpoint.upsert({
    where: { id: DEMO_ENDPOINT_ID },
    create: { id: DEMO_ENDPOINT_ID, format: "standard", url, ...secretFields },
    // A new port each start: move the endpoint (and its backlog) to it.
    update: { url, ...(existing?.secretCipher ? {} : secretFields) },
  });
  if (!(await db.alertRoute.findUnique({ where: { id: DEMO_ROUTE_ID } }))) {
    await db.alertRoute.create({
      data: { id: DEMO_ROUTE_ID, position: 999, match: {}, webhookIds: [DEMO_ENDPOINT_ID], groupWaitMs: 5_000, groupIntervalMs: 30_000, repeatIntervalMs: 3_600_000 },
    });
  }
  return {
    url,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
