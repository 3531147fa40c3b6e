// Public API of lib/alerts: alert model, fingerprints, routing/notifier, config schemas, payload
// formats, Standard Webhooks signing, secrets at rest, retry policy, URL guard, risk monitors.
// Pure code: no I/O (node:crypto is used by signing/secrets for HMAC, AES-GCM and randomness).
export * from "./types";
export * from "./fingerprint";
export * from "./matchers";
export * from "./mute-windows";
export * from "./silences";
export * from "./routing";
export * from "./schemas";
export * from "./formats/index";
export * from "./signing";
export * from "./secrets";
export * from "./retry";
export * from "./url-guard";
export * from "./risk-monitors";
export { stableHash } from "./hash";
