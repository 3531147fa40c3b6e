// End to end on a virtual clock, without I/O: detector alerts -> Notifier -> Standard Webhooks
// requests -> per-attempt signing -> a flaky receiver that verifies with the `standardwebhooks`
// library -> retry decisions. This is the composition the dispatcher worker performs.
import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import { buildRequests, headersForAttempt, type WebhookRequest } from "./formats/index";
import { decideAfterAttempt, retryPolicy, type DeliveryOutcome } from "./retry";
import { Notifier } from "./routing";
import { newWebhookSecret } from "./signing";
import type { Alert } from "./types";

describe("alert pipeline", () => {
  it("pages once, retries with the same webhook-id, and resolves on the same endpoint", () => {
    // Real wall-clock base so the library's 5-minute timestamp check passes.
    const base = Math.floor(Date.now() / 1000) * 1000 - 120_000;
    const clock = { t: base, nowMs() { return this.t; } };
    const secret = newWebhookSecret();
    const receiverLib = new Webhook(secret);
    const notifier = new Notifier(
      { routes: [{ match: { severity: ["critical", "warning"] }, webhooks: ["oncall"], groupWaitMs: 1_000, groupIntervalMs: 10_000, repeatIntervalMs: 3_600_000 }] },
      clock,
    );
    const policy = retryPolicy({ jitter: "none", timeScale: 0.001 }); // 5 s step -> 5 ms

    // Receiver: first delivery of each message id gets 503 + Retry-After: 2, then 200.
    const seenIds = new Map<string, number>();
    const received: { type: string; fingerprint: string; webhookId: string }[] = [];
    const receive = (req: WebhookRequest, headers: Record<string, string>): DeliveryOutcome => {
      const payload = receiverLib.verify(req.body, headers) as { type: string; data: { fingerprint: string } };
      const n = (seenIds.get(headers["webhook-id"]) ?? 0) + 1;
      seenIds.set(headers["webhook-id"], n);
      if (n === 1) return { kind: "response", status: 503, retryAfter: "2" };
      received.push({ type: payload.type, fingerprint: payload.data.fingerprint, webhookId: headers["webhook-id"] });
      return { kind: "response", status: 204 };
    };
    const deliver = (req: WebhookRequest) => {
      let attemptsMade = 0;
      let at = clock.t;
      const ids: string[] = [];
      for (;;) {
        const headers = headersForAttempt(req, at, [secret]);
        ids.push(headers["webhook-id"]);
        attemptsMade++;
        const d = decideAfterAttempt({ attemptsMade, previousDelayMs: 0 }, receive(req, headers), policy, at);
        if (d.action !== "retry") return { decision: d.action, ids, attemptsMade, at };
        at = d.nextAttemptAtMs;
      }
    };

    const alert: Alert = {
      fingerprint: "staleness:ETH-USD:pyth-main",
      labels: { check: "staleness", market: "ETH-USD", feed: "pyth-main", severity: "critical" },
      status: "firing",
      value: 12_000,
      threshold: 5_000,
      firedAtMs: base,
      resolvedAtMs: null,
      acknowledgedAtMs: null,
      link: null,
    };
    notifier.ingest(alert);
    clock.t = notifier.nextWakeAtMs()!;
    const first = notifier.flushDue();
    expect(first.notifications.map((n) => n.reason)).toEqual(["initial"]);
    const [fireReq] = buildRequests("standard", first.notifications[0], { endpointUrl: "https://hooks.example.com/rw", endpointId: "oncall", appBaseUrl: "https://rw.example" });
    const fired = deliver(fireReq);
    // 503 then 204. Retry-After 2 s · timeScale 0.001 = 2 ms is below the scheduled 5 s · 0.001 = 5 ms, so the schedule wins.
    expect(fired).toMatchObject({ decision: "delivered", attemptsMade: 2, at: clock.t + 5 });
    expect(new Set(fired.ids).size).toBe(1);

    clock.t = base + 5_000;
    notifier.ingest({ ...alert, status: "resolved", resolvedAtMs: clock.t });
    clock.t = notifier.nextWakeAtMs()!;
    const second = notifier.flushDue();
    expect(second.notifications.map((n) => [n.endpointId, n.reason])).toEqual([["oncall", "resolved"]]);
    const [resolveReq] = buildRequests("standard", second.notifications[0], { endpointUrl: "https://hooks.example.com/rw", endpointId: "oncall", appBaseUrl: "https://rw.example" });
    expect(deliver(resolveReq).decision).toBe("delivered");

    expect(received.map((r) => `${r.type} ${r.fingerprint}`)).toEqual(["alert.firing staleness:ETH-USD:pyth-main", "alert.resolved staleness:ETH-USD:pyth-main"]);
    expect(received[0].webhookId).not.toBe(received[1].webhookId);
    expect(notifier.nextWakeAtMs()).toBeNull();
  });
});
