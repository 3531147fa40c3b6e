// Delivery retry policy, response classification and endpoint health, as pure functions; the
// dispatcher (server/workers) performs the HTTP calls and persists the state these return.
//
// Sources:
// - Standard Webhooks spec v1.0.0, "Deliverability and reliability" and "Delivery success and
//   failure" (https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md):
//   example schedule immediately, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h with random
//   jitter; 2xx = success; 3xx = failure (do not follow redirects); 410 Gone = disable the endpoint;
//   429 and 502/504 = throttle; every other status = failure; honour `Retry-After`; disable an
//   endpoint that fails consistently for a long time. Request timeout 15–30 s.
// - Svix (the spec's origin) documents the shorter schedule immediately, 5 s, 5 min, 30 min, 2 h,
//   5 h, 10 h, 10 h and disables endpoints after 5 days of continuous failure; offered as
//   SVIX_SCHEDULE_MS.
// Decision on "other 4xx" (400, 401, 403, 404, …): retried like any failure, as the spec and Svix
// do. A receiver being redeployed or misconfigured often answers 404/401 for minutes; giving up on
// the first one would lose a page. Only 410 is a definitive "stop".
// Durations are integer milliseconds; jitter uses an injected `random()` so tests are exact.

export const STANDARD_WEBHOOKS_SCHEDULE_MS: readonly number[] = [
  0, 5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 50_400_000, 72_000_000, 86_400_000,
];
export const SVIX_SCHEDULE_MS: readonly number[] = [0, 5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000];

export type JitterMode = "none" | "full" | "equal" | "decorrelated";

export interface RetryPolicy {
  /** Delay before attempt i, measured from the previous attempt's failure (index 0 = first attempt). */
  scheduleMs: readonly number[];
  jitter: JitterMode;
  /** Multiplies every duration below (schedule, Retry-After, caps, disable window); 0.001 in tests. */
  timeScale: number;
  /** Longest Retry-After honoured; a server asking for more is retried after this. */
  maxRetryAfterMs: number;
  /** An endpoint failing continuously this long is disabled (Svix: 5 days). */
  disableAfterFailingForMs: number;
  requestTimeoutMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  scheduleMs: STANDARD_WEBHOOKS_SCHEDULE_MS,
  // Equal jitter keeps at least half of each step, so the whole schedule still spans days (full
  // jitter would halve it on average); the random half still de-synchronises retries.
  jitter: "equal",
  timeScale: 1,
  maxRetryAfterMs: 6 * 3_600_000,
  disableAfterFailingForMs: 5 * 86_400_000,
  requestTimeoutMs: 15_000,
};

export function retryPolicy(overrides: Partial<RetryPolicy> = {}): RetryPolicy {
  const policy = { ...DEFAULT_RETRY_POLICY, ...overrides };
  if (policy.scheduleMs.length === 0 || policy.scheduleMs.some((d) => !Number.isFinite(d) || d < 0)) {
    throw new Error("retry scheduleMs must be a non-empty list of non-negative durations");
  }
  if (!(policy.timeScale > 0)) throw new Error("retry timeScale must be positive");
  return policy;
}

/** What happened on one attempt. */
export type DeliveryOutcome =
  | { kind: "response"; status: number; retryAfter?: string | null }
  | { kind: "timeout" }
  | { kind: "network"; message: string }
  /** The SSRF guard refused the address the host resolved to at this attempt; nothing was sent. */
  | { kind: "blocked"; reason: string };

export type ResponseVerdict =
  | { verdict: "delivered" }
  | { verdict: "disable-endpoint"; reason: string }
  | { verdict: "retry"; reason: string; throttle: boolean; retryAfterMs: number | null };

/**
 * `Retry-After` (RFC 9110 §10.2.3): delay-seconds or an HTTP-date. Returns ms from `nowMs`
 * (0 for dates in the past), or null when absent or unparsable.
 */
export function parseRetryAfter(header: string | null | undefined, nowMs: number): number | null {
  if (header === null || header === undefined) return null;
  const value = header.trim();
  if (value === "") return null;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  // Date.parse accepts IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT") and the obsolete RFC 850 and
  // asctime forms HTTP recipients must also accept.
  if (!/[A-Za-z]/.test(value)) return null;
  const at = Date.parse(value);
  if (Number.isNaN(at)) return null;
  return Math.max(0, at - nowMs);
}

export function classifyOutcome(outcome: DeliveryOutcome, nowMs: number): ResponseVerdict {
  if (outcome.kind === "timeout") return { verdict: "retry", reason: "timeout", throttle: true, retryAfterMs: null };
  if (outcome.kind === "network") return { verdict: "retry", reason: `network error: ${outcome.message}`, throttle: false, retryAfterMs: null };
  // Retried on the schedule: DNS may point back at a public address later; a target that stays
  // refused fails continuously and gets the endpoint disabled like any other failure.
  if (outcome.kind === "blocked") return { verdict: "retry", reason: `blocked: ${outcome.reason}`, throttle: false, retryAfterMs: null };
  const { status } = outcome;
  if (status >= 200 && status <= 299) return { verdict: "delivered" };
  if (status === 410) return { verdict: "disable-endpoint", reason: "endpoint answered 410 Gone" };
  const retryAfterMs = parseRetryAfter(outcome.retryAfter, nowMs);
  if (status >= 300 && status <= 399) return { verdict: "retry", reason: `redirect ${status} not followed; update the endpoint URL`, throttle: false, retryAfterMs };
  const throttle = status === 429 || status === 502 || status === 503 || status === 504;
  return { verdict: "retry", reason: `HTTP ${status}`, throttle, retryAfterMs };
}

/** Jittered delay around a scheduled step; `random` returns [0, 1). */
export function jitteredDelayMs(baseMs: number, mode: JitterMode, random: () => number, previousDelayMs = 0): number {
  switch (mode) {
    case "none":
      return baseMs;
    case "full": // AWS Architecture Blog, "Exponential Backoff And Jitter" (2015): random_between(0, base)
      return Math.floor(random() * baseMs);
    case "equal": // same article: base/2 + random_between(0, base/2)
      return Math.floor(baseMs / 2 + random() * (baseMs / 2));
    case "decorrelated": {
      // same article: sleep = min(cap, random_between(base, prev·3)); here the scheduled step is the
      // floor and 3× the step the cap, so the schedule's shape survives.
      const upper = Math.min(3 * baseMs, Math.max(baseMs, 3 * previousDelayMs));
      return Math.floor(baseMs + random() * (upper - baseMs));
    }
  }
}

export interface AttemptState {
  /** Attempts already made, including the one whose outcome is being decided. */
  attemptsMade: number;
  /** Delay used before the last attempt (for decorrelated jitter). */
  previousDelayMs: number;
}

export type AttemptDecision =
  | { action: "delivered" }
  | { action: "disable-endpoint"; reason: string }
  | { action: "dead-letter"; reason: string; attemptsMade: number }
  | {
      action: "retry";
      reason: string;
      nextAttemptAtMs: number;
      delayMs: number;
      /** When Retry-After was given: hold every message to this endpoint until then. */
      pauseEndpointUntilMs: number | null;
      throttle: boolean;
    };

/** Decides what follows an attempt that ended at `nowMs` with `outcome`. */
export function decideAfterAttempt(
  state: AttemptState,
  outcome: DeliveryOutcome,
  policy: RetryPolicy,
  nowMs: number,
  random: () => number = Math.random,
): AttemptDecision {
  const verdict = classifyOutcome(outcome, nowMs);
  if (verdict.verdict === "delivered") return { action: "delivered" };
  if (verdict.verdict === "disable-endpoint") return { action: "disable-endpoint", reason: verdict.reason };
  if (state.attemptsMade >= policy.scheduleMs.length) {
    return { action: "dead-letter", reason: `gave up after ${state.attemptsMade} attempts; last: ${verdict.reason}`, attemptsMade: state.attemptsMade };
  }
  const scheduled = policy.scheduleMs[state.attemptsMade] * policy.timeScale;
  let delayMs = jitteredDelayMs(scheduled, policy.jitter, random, state.previousDelayMs);
  let pauseEndpointUntilMs: number | null = null;
  if (verdict.retryAfterMs !== null) {
    const honoured = Math.min(verdict.retryAfterMs * policy.timeScale, policy.maxRetryAfterMs * policy.timeScale);
    delayMs = Math.max(delayMs, honoured);
    pauseEndpointUntilMs = nowMs + honoured;
  }
  delayMs = Math.round(delayMs);
  return { action: "retry", reason: verdict.reason, nextAttemptAtMs: nowMs + delayMs, delayMs, pauseEndpointUntilMs, throttle: verdict.throttle };
}

export interface EndpointHealth {
  /** Start of the current run of failures, null while healthy. */
  failingSinceMs: number | null;
  disabled: boolean;
  disabledReason: string | null;
}

export const HEALTHY_ENDPOINT: EndpointHealth = { failingSinceMs: null, disabled: false, disabledReason: null };

/** Endpoint health after an attempt: any success heals; 410 or a long failure streak disables. */
export function endpointHealthAfter(health: EndpointHealth, outcome: DeliveryOutcome, policy: RetryPolicy, nowMs: number): EndpointHealth {
  if (health.disabled) return health;
  const verdict = classifyOutcome(outcome, nowMs);
  if (verdict.verdict === "delivered") return HEALTHY_ENDPOINT;
  if (verdict.verdict === "disable-endpoint") return { failingSinceMs: health.failingSinceMs ?? nowMs, disabled: true, disabledReason: verdict.reason };
  const failingSinceMs = health.failingSinceMs ?? nowMs;
  const window = policy.disableAfterFailingForMs * policy.timeScale;
  if (nowMs - failingSinceMs >= window) {
    return { failingSinceMs, disabled: true, disabledReason: `failing continuously since ${new Date(failingSinceMs).toISOString()} (${verdict.reason})` };
  }
  return { failingSinceMs, disabled: false, disabledReason: null };
}
