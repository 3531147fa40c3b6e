// Standard Webhooks signing (spec v1.0.0, https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md):
// - signed content `{msg_id}.{timestamp}.{payload}`, HMAC-SHA256, base64, prefixed `v1,`;
// - secrets are `whsec_` + base64 of 24..64 random bytes ("at least 24 bytes");
// - `webhook-signature` is a SPACE-separated list so a secret can be rotated without downtime
//   (sign with the new and the old secret; the receiver accepts any match);
// - `webhook-id` is the same on every retry, `webhook-timestamp` is the attempt time in seconds,
//   re-signed on each attempt; receivers reject timestamps more than 5 minutes off.
// Pure apart from randomness in `newWebhookSecret` (node:crypto, no I/O).

import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

export const WEBHOOK_SECRET_PREFIX = "whsec_";
export const SIGNATURE_TOLERANCE_SECONDS = 5 * 60;
const MIN_SECRET_BYTES = 24;
const MAX_SECRET_BYTES = 64;

export class WebhookVerificationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "WebhookVerificationError";
  }
}

/** A fresh `whsec_…` secret (32 random bytes); shown once to the user, then stored encrypted. */
export function newWebhookSecret(byteLength = 32): string {
  if (byteLength < MIN_SECRET_BYTES || byteLength > MAX_SECRET_BYTES) {
    throw new Error(`webhook secret length must be ${MIN_SECRET_BYTES}..${MAX_SECRET_BYTES} bytes`);
  }
  return WEBHOOK_SECRET_PREFIX + randomBytes(byteLength).toString("base64");
}

export function decodeWebhookSecret(secret: string): Buffer {
  const b64 = secret.startsWith(WEBHOOK_SECRET_PREFIX) ? secret.slice(WEBHOOK_SECRET_PREFIX.length) : secret;
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) throw new Error("webhook secret is not base64 (expected whsec_<base64>)");
  const key = Buffer.from(b64, "base64");
  if (key.length < MIN_SECRET_BYTES) {
    throw new Error(`webhook secret is ${key.length} bytes; Standard Webhooks requires at least ${MIN_SECRET_BYTES}`);
  }
  return key;
}

export interface SignInput {
  msgId: string;
  timestampSeconds: number;
  body: string;
}

function assertSignable({ msgId, timestampSeconds }: SignInput): void {
  // The spec: id and timestamp must not contain '.', or the signed content becomes ambiguous.
  if (!msgId || msgId.includes(".") || /\s/.test(msgId)) throw new Error(`webhook id ${JSON.stringify(msgId)} must be non-empty without '.' or spaces`);
  if (!Number.isInteger(timestampSeconds) || timestampSeconds < 0) throw new Error("webhook timestamp must be integer unix seconds");
}

/** `v1,<base64 HMAC-SHA256(key, id.timestamp.body)>` for one secret. */
export function signatureFor(secret: string, input: SignInput): string {
  assertSignable(input);
  const mac = createHmac("sha256", decodeWebhookSecret(secret))
    .update(`${input.msgId}.${input.timestampSeconds}.${input.body}`, "utf8")
    .digest("base64");
  return `v1,${mac}`;
}

/** Value of `webhook-signature`: one signature per secret, space-separated (rotation: new first). */
export function signatureHeader(secrets: readonly string[], input: SignInput): string {
  if (secrets.length === 0) throw new Error("at least one webhook secret is required to sign");
  return secrets.map((s) => signatureFor(s, input)).join(" ");
}

export interface StandardWebhookHeaders {
  "webhook-id": string;
  "webhook-timestamp": string;
  "webhook-signature": string;
}

export function standardWebhookHeaders(secrets: readonly string[], input: SignInput): StandardWebhookHeaders {
  return {
    "webhook-id": input.msgId,
    "webhook-timestamp": String(input.timestampSeconds),
    "webhook-signature": signatureHeader(secrets, input),
  };
}

/**
 * Receiver-side verification (used for our own receivers/tests and the "test endpoint" UI): the
 * timestamp must be within `toleranceSeconds` of `nowSeconds`, and any `v1` signature in the header
 * must match any of `secrets` (constant-time compare).
 */
export function verifyStandardWebhook(args: {
  secrets: readonly string[];
  headers: Record<string, string | undefined>;
  body: string;
  nowSeconds: number;
  toleranceSeconds?: number;
}): void {
  const lower: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(args.headers)) lower[k.toLowerCase()] = v;
  const msgId = lower["webhook-id"];
  const ts = lower["webhook-timestamp"];
  const sigHeader = lower["webhook-signature"];
  if (!msgId || !ts || !sigHeader) throw new WebhookVerificationError("missing webhook-id, webhook-timestamp or webhook-signature");
  if (!/^\d+$/.test(ts)) throw new WebhookVerificationError("webhook-timestamp is not integer seconds");
  const timestampSeconds = Number(ts);
  const tolerance = args.toleranceSeconds ?? SIGNATURE_TOLERANCE_SECONDS;
  if (args.nowSeconds - timestampSeconds > tolerance) throw new WebhookVerificationError("message timestamp too old");
  if (timestampSeconds - args.nowSeconds > tolerance) throw new WebhookVerificationError("message timestamp too new");
  const passed = sigHeader
    .split(" ")
    .filter((s) => s.startsWith("v1,"))
    .map((s) => Buffer.from(s.slice(3), "base64"));
  for (const secret of args.secrets) {
    const expected = Buffer.from(signatureFor(secret, { msgId, timestampSeconds, body: args.body }).slice(3), "base64");
    if (passed.some((p) => p.length === expected.length && timingSafeEqual(p, expected))) return;
  }
  throw new WebhookVerificationError("no matching signature found");
}
