// Sign-In with Ethereum through the real next-auth endpoint: a valid signature signs in; a tampered
// signature, a wrong domain, a wrong chain, an expired message and a reused nonce are refused.
import { describe, expect, inject, it } from "vitest";
import { createSiweMessage } from "viem/siwe";
import { privateKeyToAccount, generatePrivateKey } from "viem/accounts";
import { HttpSession } from "./http";

const baseUrl = inject("baseUrl");
const account = privateKeyToAccount(generatePrivateKey());

function message(nonce: string, overrides: Partial<Parameters<typeof createSiweMessage>[0]> = {}) {
  const site = new URL(baseUrl);
  return createSiweMessage({
    domain: site.host,
    address: account.address,
    uri: site.origin,
    version: "1",
    chainId: 1,
    nonce,
    issuedAt: new Date(),
    expirationTime: new Date(Date.now() + 5 * 60_000),
    ...overrides,
  });
}

describe("SIWE sign-in", () => {
  it("signs in with a valid signature and shows the address in whoami", async () => {
    const http = new HttpSession(baseUrl);
    const nonce = await http.csrfToken();
    const text = message(nonce);
    expect(await http.signIn(text, await account.signMessage({ message: text }), nonce)).toBe(true);
    const whoami = await http.fetch("/api/trpc/system.whoami");
    const body = (await whoami.json()) as { result: { data: { json: { address: string; roles: string[] } } } };
    expect(body.result.data.json.address).toBe(account.address);
    expect(body.result.data.json.roles).toEqual(["holder"]);
  });

  it("refuses a tampered signature", async () => {
    const http = new HttpSession(baseUrl);
    const nonce = await http.csrfToken();
    const text = message(nonce);
    const signature = await account.signMessage({ message: text });
    const tampered = `${signature.slice(0, 10)}${signature[10] === "a" ? "b" : "a"}${signature.slice(11)}`;
    expect(await http.signIn(text, tampered, nonce)).toBe(false);
  });

  it("refuses a message signed for another domain", async () => {
    const http = new HttpSession(baseUrl);
    const nonce = await http.csrfToken();
    const text = message(nonce, { domain: "evil.example", uri: "https://evil.example" });
    expect(await http.signIn(text, await account.signMessage({ message: text }), nonce)).toBe(false);
  });

  it("refuses another chain and an expired message", async () => {
    const http = new HttpSession(baseUrl);
    let nonce = await http.csrfToken();
    let text = message(nonce, { chainId: 5 });
    expect(await http.signIn(text, await account.signMessage({ message: text }), nonce)).toBe(false);
    nonce = await http.csrfToken();
    text = message(nonce, { issuedAt: new Date(Date.now() - 120_000), expirationTime: new Date(Date.now() - 60_000) });
    expect(await http.signIn(text, await account.signMessage({ message: text }), nonce)).toBe(false);
  });

  it("refuses a replayed nonce, even with the CSRF cookie kept", async () => {
    const first = new HttpSession(baseUrl);
    const nonce = await first.csrfToken();
    const csrfCookie = first.cookie("next-auth.csrf-token");
    expect(csrfCookie).toBeTruthy();
    const text = message(nonce);
    const signature = await account.signMessage({ message: text });
    expect(await first.signIn(text, signature, nonce)).toBe(true);

    // An attacker who captured the message, the signature and the CSRF cookie replays them.
    const replay = new HttpSession(baseUrl);
    replay.setCookie("next-auth.csrf-token", csrfCookie!);
    expect(await replay.signIn(text, signature, nonce)).toBe(false);
  });
});
