// Encryption at rest of webhook secrets (and PagerDuty routing keys) with a key derived from
// APP_SECRET. The caller passes APP_SECRET in (validated env), nothing here reads process.env.
//
// Format `rwsec:v1:<salt>:<iv>:<ciphertext>:<tag>` (base64url parts):
// - key = HKDF-SHA256(ikm = APP_SECRET, salt = 16 random bytes per value, info = "riskwarden
//   webhook secret v1") -> 32 bytes (RFC 5869); a fresh salt per value means a fresh key per value,
//   so AES-GCM's 96-bit random IV never has to carry the whole nonce-uniqueness burden;
// - AES-256-GCM, 12-byte IV, 16-byte tag (NIST SP 800-38D); the additional authenticated data is the
//   version prefix plus an optional context (e.g. the endpoint id), so a ciphertext copied to another
//   endpoint's row fails to decrypt.
// The version prefix lets a later format (or KDF) coexist; `decryptSecret` accepts several
// APP_SECRETs to allow rotating it (try current, then previous).

import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";

const PREFIX = "rwsec";
const VERSION = "v1";
const HKDF_INFO = "riskwarden webhook secret v1";
export const MIN_APP_SECRET_LENGTH = 32;

export class SecretDecryptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SecretDecryptionError";
  }
}

function deriveKey(appSecret: string, salt: Buffer): Buffer {
  if (appSecret.length < MIN_APP_SECRET_LENGTH) {
    throw new Error(`APP_SECRET must be at least ${MIN_APP_SECRET_LENGTH} characters`);
  }
  return Buffer.from(hkdfSync("sha256", Buffer.from(appSecret, "utf8"), salt, HKDF_INFO, 32));
}

function aad(context: string | undefined): Buffer {
  return Buffer.from(`${PREFIX}:${VERSION}:${context ?? ""}`, "utf8");
}

export function encryptSecret(plaintext: string, appSecret: string, options: { context?: string } = {}): string {
  const salt = randomBytes(16);
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", deriveKey(appSecret, salt), iv);
  cipher.setAAD(aad(options.context));
  const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  const tag = cipher.getAuthTag();
  return [PREFIX, VERSION, salt, iv, ciphertext, tag].map((p) => (typeof p === "string" ? p : p.toString("base64url"))).join(":");
}

export function isEncryptedSecret(value: string): boolean {
  return value.startsWith(`${PREFIX}:`);
}

/**
 * Decrypts with the first APP_SECRET that authenticates. Throws SecretDecryptionError (never the
 * plaintext or key material in the message) on a wrong key, wrong context or any tampering.
 */
export function decryptSecret(encrypted: string, appSecrets: string | readonly string[], options: { context?: string } = {}): string {
  const parts = encrypted.split(":");
  if (parts.length !== 6 || parts[0] !== PREFIX) throw new SecretDecryptionError("not an encrypted secret (expected rwsec:v1:…)");
  if (parts[1] !== VERSION) throw new SecretDecryptionError(`unsupported encrypted secret version ${JSON.stringify(parts[1])}`);
  const [salt, iv, ciphertext, tag] = parts.slice(2).map((p) => Buffer.from(p, "base64url"));
  if (salt.length !== 16 || iv.length !== 12 || tag.length !== 16) throw new SecretDecryptionError("malformed encrypted secret");
  for (const appSecret of typeof appSecrets === "string" ? [appSecrets] : appSecrets) {
    try {
      const decipher = createDecipheriv("aes-256-gcm", deriveKey(appSecret, salt), iv);
      decipher.setAAD(aad(options.context));
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString("utf8");
    } catch (err) {
      if (err instanceof Error && /APP_SECRET/.test(err.message)) throw err;
      // authentication failed with this key: try the next one
    }
  }
  throw new SecretDecryptionError("encrypted secret failed authentication (wrong APP_SECRET, wrong context or tampered)");
}

/** For logs and the UI after the one-time reveal: `whsec_…Xy12`. Never returns more than 4 chars. */
export function maskSecret(secret: string): string {
  const prefix = secret.startsWith("whsec_") ? "whsec_" : "";
  const tail = secret.length - prefix.length >= 16 ? secret.slice(-4) : "";
  return `${prefix}…${tail}`;
}
