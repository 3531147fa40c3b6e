import { describe, expect, it } from "vitest";
import {
  classifyOutcome,
  decideAfterAttempt,
  endpointHealthAfter,
  HEALTHY_ENDPOINT,
  jitteredDelayMs,
  parseRetryAfter,
  retryPolicy,
  STANDARD_WEBHOOKS_SCHEDULE_MS,
  SVIX_SCHEDULE_MS,
  type DeliveryOutcome,
} from "./retry";

const NOW = Date.UTC(2026, 10, 25, 12, 0, 0);
const fail500: DeliveryOutcome = { kind: "response", status: 500 };

describe("schedules", () => {
  it("match the documented tables", () => {
    // Standard Webhooks spec v1.0.0 "Example retry schedule": cumulative 00:00:00, 00:00:05,
    // 00:05:05, 00:35:05, 02:35:05, 07:35:05, 17:35:05, 31:35:05, 51:35:05, 75:35:05.
    const cumulative = STANDARD_WEBHOOKS_SCHEDULE_MS.reduce<number[]>((acc, d) => [...acc, (acc.at(-1) ?? 0) + d], []);
    const pad = (n: number) => String(n).padStart(2, "0");
    const hms = (ms: number) => `${pad(Math.floor(ms / 3_600_000))}:${pad(Math.floor((ms % 3_600_000) / 60_000))}:${pad(Math.floor((ms % 60_000) / 1_000))}`;
    expect(cumulative.map(hms)).toEqual(["00:00:00", "00:00:05", "00:05:05", "00:35:05", "02:35:05", "07:35:05", "17:35:05", "31:35:05", "51:35:05", "75:35:05"]);
    // Svix docs: immediately, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h; "fails three times before
    // succeeding ... delivered roughly 35 minutes and 5 seconds following the first attempt".
    expect(SVIX_SCHEDULE_MS.slice(0, 4).reduce((a, b) => a + b, 0)).toBe(35 * 60_000 + 5_000);
  });
});

describe("classifyOutcome", () => {
  it.each<[DeliveryOutcome, string, boolean?]>([
    [{ kind: "response", status: 200 }, "delivered"],
    [{ kind: "response", status: 204 }, "delivered"],
    [{ kind: "response", status: 299 }, "delivered"],
    [{ kind: "response", status: 410 }, "disable-endpoint"],
    [{ kind: "response", status: 301 }, "retry", false], // redirects are failures, not followed
    [{ kind: "response", status: 400 }, "retry", false], // other 4xx: retried (spec, Svix)
    [{ kind: "response", status: 404 }, "retry", false],
    [{ kind: "response", status: 429 }, "retry", true],
    [{ kind: "response", status: 500 }, "retry", false],
    [{ kind: "response", status: 502 }, "retry", true],
    [{ kind: "response", status: 503 }, "retry", true],
    [{ kind: "response", status: 504 }, "retry", true],
    [{ kind: "timeout" }, "retry", true],
    [{ kind: "network", message: "ECONNREFUSED" }, "retry", false],
    [{ kind: "blocked", reason: "hooks.example.com resolves to 127.0.0.1, a loopback address" }, "retry", false],
  ])("%j -> %s", (outcome, verdict, throttle) => {
    const v = classifyOutcome(outcome, NOW);
    expect(v.verdict).toBe(verdict);
    if (v.verdict === "retry") expect(v.throttle).toBe(throttle);
  });
});

describe("parseRetryAfter", () => {
  it.each<[string | null, number | null]>([
    ["120", 120_000],
    ["0", 0],
    // IMF-fixdate 90 s after NOW
    ["Wed, 25 Nov 2026 12:01:30 GMT", 90_000],
    // obsolete RFC 850 form, same instant
    ["Wednesday, 25-Nov-26 12:01:30 GMT", 90_000],
    // a date in the past means "now"
    ["Wed, 25 Nov 2026 11:00:00 GMT", 0],
    ["-5", null],
    ["1.5", null],
    ["soon", null],
    ["", null],
    [null, null],
  ])("%s -> %s", (header, expected) => {
    expect(parseRetryAfter(header, NOW)).toBe(expected);
  });
});

describe("jitter", () => {
  it.each([
    // base 300 000 ms (5 min step), random = 0.5
    ["none", 0.5, 0, 300_000],
    ["full", 0.5, 0, 150_000], // 0.5·base
    ["full", 0, 0, 0],
    ["equal", 0.5, 0, 225_000], // base/2 + 0.5·base/2
    ["equal", 0, 0, 150_000],
    ["decorrelated", 0.5, 5_000, 300_000], // prev·3 < base -> exactly base
    ["decorrelated", 0.5, 200_000, 450_000], // between(300 000, 600 000) at 0.5
    ["decorrelated", 0.999999, 10_000_000, 899_999], // capped at 3·base (floor)
  ] as const)("%s random=%d prev=%d -> %d", (mode, r, prev, expected) => {
    expect(jitteredDelayMs(300_000, mode, () => r, prev)).toBe(expected);
  });
});

describe("decideAfterAttempt", () => {
  const policy = retryPolicy({ jitter: "none" });

  it("walks the schedule, then dead-letters after the last attempt", () => {
    const delays: number[] = [];
    let attemptsMade = 1;
    let previousDelayMs = 0;
    for (;;) {
      const d = decideAfterAttempt({ attemptsMade, previousDelayMs }, fail500, policy, NOW);
      if (d.action !== "retry") {
        expect(d).toEqual({ action: "dead-letter", reason: "gave up after 10 attempts; last: HTTP 500", attemptsMade: 10 });
        break;
      }
      delays.push(d.delayMs);
      expect(d.nextAttemptAtMs).toBe(NOW + d.delayMs);
      previousDelayMs = d.delayMs;
      attemptsMade++;
    }
    expect(delays).toEqual(STANDARD_WEBHOOKS_SCHEDULE_MS.slice(1));
  });

  it("compresses the schedule with timeScale for tests", () => {
    const fast = retryPolicy({ jitter: "none", timeScale: 0.001 });
    const d = decideAfterAttempt({ attemptsMade: 3, previousDelayMs: 0 }, fail500, fast, NOW);
    expect(d).toMatchObject({ action: "retry", delayMs: 1_800 }); // 30 min · 0.001
  });

  it("honours Retry-After above the schedule and pauses the endpoint, capped", () => {
    const d = decideAfterAttempt({ attemptsMade: 1, previousDelayMs: 0 }, { kind: "response", status: 429, retryAfter: "120" }, policy, NOW);
    // schedule says 5 s, server says 120 s -> 120 s
    expect(d).toEqual({ action: "retry", reason: "HTTP 429", nextAttemptAtMs: NOW + 120_000, delayMs: 120_000, pauseEndpointUntilMs: NOW + 120_000, throttle: true });
    // a Retry-After shorter than the schedule does not shorten it
    const short = decideAfterAttempt({ attemptsMade: 3, previousDelayMs: 0 }, { kind: "response", status: 503, retryAfter: "1" }, policy, NOW);
    expect(short).toMatchObject({ delayMs: 1_800_000, pauseEndpointUntilMs: NOW + 1_000 });
    // absurd Retry-After is capped at maxRetryAfterMs (6 h default)
    const huge = decideAfterAttempt({ attemptsMade: 1, previousDelayMs: 0 }, { kind: "response", status: 503, retryAfter: "999999" }, policy, NOW);
    expect(huge).toMatchObject({ delayMs: 6 * 3_600_000 });
  });

  it("stops on 2xx and 410", () => {
    expect(decideAfterAttempt({ attemptsMade: 1, previousDelayMs: 0 }, { kind: "response", status: 202 }, policy, NOW)).toEqual({ action: "delivered" });
    expect(decideAfterAttempt({ attemptsMade: 1, previousDelayMs: 0 }, { kind: "response", status: 410 }, policy, NOW)).toEqual({
      action: "disable-endpoint",
      reason: "endpoint answered 410 Gone",
    });
  });

  it("uses the injected random for jitter", () => {
    const equal = retryPolicy({ jitter: "equal" });
    expect(decideAfterAttempt({ attemptsMade: 2, previousDelayMs: 0 }, fail500, equal, NOW, () => 0.5)).toMatchObject({ delayMs: 225_000 });
  });

  it("rejects a nonsensical policy", () => {
    expect(() => retryPolicy({ scheduleMs: [] })).toThrow(/non-empty/);
    expect(() => retryPolicy({ timeScale: 0 })).toThrow(/positive/);
  });
});

describe("endpointHealthAfter", () => {
  const policy = retryPolicy({ disableAfterFailingForMs: 5 * 86_400_000 });
  const day = 86_400_000;

  it("disables after 5 days of continuous failure, heals on any success", () => {
    let h = endpointHealthAfter(HEALTHY_ENDPOINT, fail500, policy, NOW);
    expect(h).toEqual({ failingSinceMs: NOW, disabled: false, disabledReason: null });
    h = endpointHealthAfter(h, { kind: "timeout" }, policy, NOW + 5 * day - 1);
    expect(h.disabled).toBe(false);
    const healed = endpointHealthAfter(h, { kind: "response", status: 200 }, policy, NOW + 5 * day - 1);
    expect(healed).toEqual(HEALTHY_ENDPOINT);
    h = endpointHealthAfter(h, { kind: "network", message: "ECONNRESET" }, policy, NOW + 5 * day);
    expect(h).toEqual({ failingSinceMs: NOW, disabled: true, disabledReason: "failing continuously since 2026-11-25T12:00:00.000Z (network error: ECONNRESET)" });
    // stays disabled until an operator re-enables it
    expect(endpointHealthAfter(h, { kind: "response", status: 200 }, policy, NOW + 6 * day)).toBe(h);
  });

  it("disables at once on 410", () => {
    expect(endpointHealthAfter(HEALTHY_ENDPOINT, { kind: "response", status: 410 }, policy, NOW)).toEqual({ failingSinceMs: NOW, disabled: true, disabledReason: "endpoint answered 410 Gone" });
  });
});
