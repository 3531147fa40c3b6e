import { describe, expect, it } from "vitest";
import { createSiweMessage } from "viem/siwe";
import { privateKeyToAccount } from "viem/accounts";
import { csrfTokenFromCookie, verifySiweSignIn } from "./siwe";

// Fixed test key (never funded): the well-known first Hardhat/Anvil account.
const account = privateKeyToAccount("0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80");
const now = new Date("2026-11-25T12:00:00Z");
const expected = { publicUrl: "http://localhost:3000", chainId: 1, nonce: "abcdef0123456789", now };

function message(overrides: Partial<Parameters<typeof createSiweMessage>[0]> = {}) {
  return createSiweMessage({
    domain: "localhost:3000",
    address: account.address,
    uri: "http://localhost:3000",
    version: "1",
    chainId: 1,
    nonce: "abcdef0123456789",
    issuedAt: new Date("2026-11-25T11:59:00Z"),
    expirationTime: new Date("2026-11-25T12:09:00Z"),
    ...overrides,
  });
}

describe("verifySiweSignIn", () => {
  it("accepts a well-formed, correctly signed message", async () => {
    const text = message();
    const result = await verifySiweSignIn(text, await account.signMessage({ message: text }), expected);
    expect(result).toEqual({ ok: true, address: account.address, nonce: "abcdef0123456789" });
  });

  it.each([
    ["another domain", { domain: "evil.example" }, "domain evil.example is not localhost:3000"],
    ["a uri off the site", { uri: "https://evil.example/login" }, "uri https://evil.example/login is not on http://localhost:3000"],
    ["another chain", { chainId: 10 }, "chain id 10 is not 1"],
    ["another nonce", { nonce: "zzzzzzzz99999999" }, "nonce does not match this session"],
    ["an expired message", { expirationTime: new Date("2026-11-25T11:59:30Z") }, "message has expired"],
    ["a not-yet-valid message", { notBefore: new Date("2026-11-25T12:05:00Z") }, "message is not valid yet"],
  ])("refuses %s", async (_label, overrides, reason) => {
    const text = message(overrides);
    const result = await verifySiweSignIn(text, await account.signMessage({ message: text }), expected);
    expect(result).toEqual({ ok: false, reason });
  });

  it("refuses a signature over a different message and garbage", async () => {
    const signature = await account.signMessage({ message: message({ statement: "something else" }) });
    expect(await verifySiweSignIn(message(), signature, expected)).toEqual({ ok: false, reason: "signature does not match the address" });
    expect(await verifySiweSignIn("hello", signature, expected)).toEqual({ ok: false, reason: "message is not an EIP-4361 message" });
    expect(await verifySiweSignIn(message(), "not-hex", expected)).toEqual({ ok: false, reason: "signature is not hex" });
  });
});

describe("csrfTokenFromCookie", () => {
  it("reads the token part of next-auth's token|hash cookie, secure or not", () => {
    expect(csrfTokenFromCookie("a=1; next-auth.csrf-token=tok123%7Chash456; b=2")).toBe("tok123");
    expect(csrfTokenFromCookie("__Host-next-auth.csrf-token=tok789|hash")).toBe("tok789");
    expect(csrfTokenFromCookie("other=1")).toBeNull();
    expect(csrfTokenFromCookie(undefined)).toBeNull();
  });
});
