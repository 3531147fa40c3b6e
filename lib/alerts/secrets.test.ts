import { describe, expect, it } from "vitest";
import { decryptSecret, encryptSecret, isEncryptedSecret, maskSecret, SecretDecryptionError } from "./secrets";

const APP_SECRET = "test-app-secret-0123456789abcdefghijkl";
const OLD_APP_SECRET = "old-app-secret-0123456789abcdefghijklmn";
const WHSEC = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

function flipChar(encrypted: string, partIndex: number): string {
  const parts = encrypted.split(":");
  const p = parts[partIndex];
  parts[partIndex] = (p[0] === "A" ? "B" : "A") + p.slice(1);
  return parts.join(":");
}

describe("secrets at rest (AES-256-GCM, HKDF from APP_SECRET)", () => {
  it("round-trips and never contains the plaintext", () => {
    const enc = encryptSecret(WHSEC, APP_SECRET, { context: "endpoint:oncall" });
    expect(enc).toMatch(/^rwsec:v1:[A-Za-z0-9_-]{22}:[A-Za-z0-9_-]{16}:[A-Za-z0-9_-]+:[A-Za-z0-9_-]{22}$/);
    expect(enc).not.toContain("MfKQ9r8G");
    expect(isEncryptedSecret(enc)).toBe(true);
    expect(decryptSecret(enc, APP_SECRET, { context: "endpoint:oncall" })).toBe(WHSEC);
  });

  it("uses a fresh salt and IV each time", () => {
    expect(encryptSecret(WHSEC, APP_SECRET)).not.toBe(encryptSecret(WHSEC, APP_SECRET));
  });

  it.each([
    ["salt", 2],
    ["iv", 3],
    ["ciphertext", 4],
    ["tag", 5],
  ])("detects tampering with the %s", (_name, index) => {
    const enc = encryptSecret(WHSEC, APP_SECRET);
    expect(() => decryptSecret(flipChar(enc, index), APP_SECRET)).toThrow(SecretDecryptionError);
  });

  it("fails with the wrong key or context, and supports APP_SECRET rotation", () => {
    const enc = encryptSecret(WHSEC, OLD_APP_SECRET, { context: "endpoint:a" });
    expect(() => decryptSecret(enc, APP_SECRET, { context: "endpoint:a" })).toThrow(/failed authentication/);
    expect(() => decryptSecret(enc, OLD_APP_SECRET, { context: "endpoint:b" })).toThrow(/failed authentication/);
    expect(decryptSecret(enc, [APP_SECRET, OLD_APP_SECRET], { context: "endpoint:a" })).toBe(WHSEC);
  });

  it("rejects malformed input, unknown versions and weak APP_SECRETs", () => {
    expect(() => decryptSecret("whsec_plain", APP_SECRET)).toThrow(/not an encrypted secret/);
    expect(() => decryptSecret(encryptSecret(WHSEC, APP_SECRET).replace(":v1:", ":v9:"), APP_SECRET)).toThrow(/unsupported/);
    expect(() => encryptSecret(WHSEC, "short")).toThrow(/at least 32/);
  });

  it("masks secrets for logs and the UI", () => {
    expect(maskSecret(WHSEC)).toBe("whsec_…LaSw");
    expect(maskSecret("abc")).toBe("…");
  });
});
