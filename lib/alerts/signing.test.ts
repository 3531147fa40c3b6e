import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import {
  decodeWebhookSecret,
  newWebhookSecret,
  signatureFor,
  standardWebhookHeaders,
  verifyStandardWebhook,
  WebhookVerificationError,
} from "./signing";

// Published Standard Webhooks / Svix test vector (used by the reference libraries' tests):
// secret whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw, id msg_p5jXN8AQM9LWM0D4loKWxJek,
// timestamp 1614265330, body {"test": 2432232314} -> v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=
const VECTOR = {
  secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
  msgId: "msg_p5jXN8AQM9LWM0D4loKWxJek",
  timestampSeconds: 1614265330,
  body: '{"test": 2432232314}',
  signature: "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
};

const nowSeconds = () => Math.floor(Date.now() / 1000);
const body = JSON.stringify({ type: "alert.firing", timestamp: "2026-11-25T11:00:00.000Z", data: { fingerprint: "deviation:BTC-USD:binance-spot" } });

describe("Standard Webhooks signing", () => {
  it("reproduces the published test vector", () => {
    expect(signatureFor(VECTOR.secret, VECTOR)).toBe(VECTOR.signature);
    // the whsec_ prefix is optional on input, as in the reference libraries
    expect(signatureFor(VECTOR.secret.slice(6), VECTOR)).toBe(VECTOR.signature);
  });

  it("is verified by the standardwebhooks npm library", () => {
    const secret = newWebhookSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/); // 32 bytes -> 44 base64 chars
    const headers = standardWebhookHeaders([secret], { msgId: "msg_abc123", timestampSeconds: nowSeconds(), body });
    expect(new Webhook(secret).verify(body, { ...headers })).toEqual(JSON.parse(body));
  });

  it("during rotation both the new and the old secret verify with the library", () => {
    const oldSecret = newWebhookSecret();
    const newSecret = newWebhookSecret();
    const headers = standardWebhookHeaders([newSecret, oldSecret], { msgId: "msg_rot", timestampSeconds: nowSeconds(), body });
    expect(headers["webhook-signature"].split(" ")).toHaveLength(2);
    expect(new Webhook(newSecret).verify(body, { ...headers })).toEqual(JSON.parse(body));
    expect(new Webhook(oldSecret).verify(body, { ...headers })).toEqual(JSON.parse(body));
    // a third, unrelated secret must not verify
    expect(() => new Webhook(newWebhookSecret()).verify(body, { ...headers })).toThrow(/No matching signature/);
  });

  it("the library rejects a tampered body, a changed id and a stale timestamp", () => {
    const secret = newWebhookSecret();
    const now = nowSeconds();
    const headers = standardWebhookHeaders([secret], { msgId: "msg_t", timestampSeconds: now, body });
    const wh = new Webhook(secret);
    expect(() => wh.verify(body.replace("BTC", "ETH"), { ...headers })).toThrow(/No matching signature/);
    expect(() => wh.verify(body, { ...headers, "webhook-id": "msg_u" })).toThrow(/No matching signature/);
    const stale = standardWebhookHeaders([secret], { msgId: "msg_t", timestampSeconds: now - 301, body });
    expect(() => wh.verify(body, { ...stale })).toThrow(/too old/);
  });

  it("our verifier accepts what the library signs, with 5 min tolerance both ways", () => {
    const secret = newWebhookSecret();
    const wh = new Webhook(secret);
    const ts = 1_800_000_000;
    const sig = wh.sign("msg_lib", new Date(ts * 1000), body);
    const headers = { "Webhook-Id": "msg_lib", "Webhook-Timestamp": String(ts), "Webhook-Signature": `v1,bogus ${sig}` };
    expect(() => verifyStandardWebhook({ secrets: [secret], headers, body, nowSeconds: ts + 300 })).not.toThrow();
    expect(() => verifyStandardWebhook({ secrets: [secret], headers, body, nowSeconds: ts - 300 })).not.toThrow();
    expect(() => verifyStandardWebhook({ secrets: [secret], headers, body, nowSeconds: ts + 301 })).toThrow(/too old/);
    expect(() => verifyStandardWebhook({ secrets: [secret], headers, body, nowSeconds: ts - 301 })).toThrow(/too new/);
    expect(() => verifyStandardWebhook({ secrets: [newWebhookSecret()], headers, body, nowSeconds: ts })).toThrow(WebhookVerificationError);
  });

  it("refuses short secrets and ids that would make the signed content ambiguous", () => {
    expect(() => decodeWebhookSecret("whsec_" + Buffer.alloc(16).toString("base64"))).toThrow(/at least 24/);
    expect(() => decodeWebhookSecret("whsec_not base64!")).toThrow(/not base64/);
    expect(() => signatureFor(VECTOR.secret, { ...VECTOR, msgId: "a.b" })).toThrow(/without '\.'/);
    expect(() => newWebhookSecret(8)).toThrow(/24\.\.64/);
  });
});
