// DNS rebinding through the whole delivery path: an endpoint whose name passed the SSRF guard when it
// was created (public address) and resolves to 127.0.0.1 when the dispatcher sends. An injected
// resolver stands in for DNS; the loopback receivers are real and count TCP connections.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { retryPolicy } from "../../lib/alerts";
import { openTestDatabase, testDatabaseKinds, type TestDatabase } from "../testing/databases";
import { createEndpoint } from "../services/webhooks/endpoints";
import { listDeliveries, testSend } from "../services/webhooks/deliveries";
import type { AddressLookup } from "../services/webhooks/url-check";
import { Dispatcher } from "./dispatcher";
import { startReceiver, waitFor, type Receiver } from "./dispatcher-test-support";

const APP_SECRET = "test-app-secret-0123456789abcdef-0123456789";
const PUBLIC = "203.0.113.7"; // RFC 5737 TEST-NET-3: public by the guard's rules, never routed

/** Per host, the answers of successive lookups (the last one repeats); `calls` counts questions. */
function scriptedDns(script: Record<string, string[][]>): AddressLookup & { calls: Record<string, number> } {
  const calls: Record<string, number> = {};
  const lookup = async (host: string) => {
    const answers = script[host];
    if (!answers) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: "ENOTFOUND" });
    calls[host] = (calls[host] ?? 0) + 1;
    return answers[Math.min(calls[host] - 1, answers.length - 1)];
  };
  return Object.assign(lookup, { calls });
}

describe.each(testDatabaseKinds())("dispatcher SSRF guard at send time (%s)", (kind) => {
  let database: TestDatabase;
  let target: Receiver; // what a rebinding name would reach
  let internal: Receiver; // an allowlisted internal receiver
  let dns: ReturnType<typeof scriptedDns>;
  let dispatcher: Dispatcher;
  const now = Date.now();

  beforeAll(async () => {
    database = await openTestDatabase(kind);
    target = await startReceiver();
    internal = await startReceiver();
    dns = scriptedDns({
      // Public when the endpoint is created, loopback from then on.
      "hooks.rebind.test": [[PUBLIC], ["127.0.0.1"]],
      // Public at creation and at the dispatcher's own lookup, loopback for any later question.
      "hooks.flip.test": [[PUBLIC], [PUBLIC], ["127.0.0.1"]],
      "hooks.internal": [["127.0.0.1"]],
    });
    const guard = { allowHosts: ["hooks.internal"], lookup: dns, appSecret: APP_SECRET };
    await createEndpoint(database.prisma, { id: "rebind", format: "standard", url: `https://hooks.rebind.test:${target.port}/hook` }, guard);
    await createEndpoint(database.prisma, { id: "flip", format: "standard", url: `https://hooks.flip.test:${target.port}/hook` }, guard);
    await createEndpoint(database.prisma, { id: "internal", format: "standard", url: `http://hooks.internal:${internal.port}/hook` }, guard);
  });
  afterAll(async () => {
    await target?.close();
    await internal?.close();
    await database?.dispose();
  });
  beforeEach(() => {
    // One attempt only (a second step far away): each test looks at exactly one attempt per message.
    dispatcher = new Dispatcher(database.prisma, {
      appSecret: APP_SECRET,
      allowHosts: ["hooks.internal"],
      lookup: dns,
      policy: retryPolicy({ scheduleMs: [0, 3_600_000] }),
      nowMs: () => now,
      random: () => 0.5,
      pollMs: 50,
      requestTimeoutMs: 1000,
    });
    dispatcher.start();
  });
  afterEach(async () => {
    await dispatcher.stop();
  });

  async function onlyAttempt(endpointId: string) {
    await waitFor(async () => (await listDeliveries(database.prisma, { endpointId })).deliveries[0]?.attemptLog.length === 1, `an attempt to ${endpointId}`);
    await dispatcher.whenIdle();
    const [delivery] = (await listDeliveries(database.prisma, { endpointId })).deliveries;
    return { delivery, attempt: delivery.attemptLog[0] };
  }

  it("refuses a name that now resolves to loopback: a failed attempt with the reason, nothing sent, the dispatcher goes on", async () => {
    const blocked = await testSend(database.prisma, { endpointId: "rebind", actor: "0xOnCall" }, now);
    const allowed = await testSend(database.prisma, { endpointId: "internal", actor: "0xOnCall" }, now);
    dispatcher.wake();
    const { delivery, attempt } = await onlyAttempt("rebind");
    const reason = "hooks.rebind.test resolves to 127.0.0.1, a loopback address; add the host to security.allowWebhookHosts to allow it";
    expect(attempt).toMatchObject({ statusCode: null, responseExcerpt: null, error: `blocked: ${reason}` });
    expect(delivery).toMatchObject({ messageId: blocked.messageId, status: "pending", attempts: 1, lastError: `blocked: ${reason}` });
    expect(delivery.nextAttemptAt.getTime()).toBeGreaterThan(now);
    expect(target.connections).toBe(0);
    expect(dns.calls["hooks.rebind.test"]).toBe(2); // creation, then this attempt

    // The allowlisted internal name, resolved the same way, is delivered.
    await waitFor(() => internal.received.some((r) => r.headers["webhook-id"] === allowed.messageId), "the allowlisted delivery");
    expect(internal.received[0].headers.host).toBe(`hooks.internal:${internal.port}`);
    expect((await onlyAttempt("internal")).delivery.status).toBe("delivered");
    expect(dispatcher.health()).toMatchObject({ running: true });
  });

  it("connects to the address it checked: a loopback answer after the check is never used", async () => {
    await testSend(database.prisma, { endpointId: "flip", actor: "0xOnCall" }, now);
    dispatcher.wake();
    const { attempt } = await onlyAttempt("flip");
    // TEST-NET-3 is unreachable, times out or meets a proxy whose certificate does not name
    // hooks.flip.test; whichever, the guard let the attempt through and 127.0.0.1 saw nothing.
    expect(attempt.error).not.toMatch(/^blocked/);
    expect(attempt.statusCode).toBeNull();
    expect(dns.calls["hooks.flip.test"]).toBe(2); // creation, then this attempt: no second lookup to connect
    expect(target.connections).toBe(0);
  });
});
