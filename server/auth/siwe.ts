// Sign-In with Ethereum (EIP-4361) verification with viem: domain, uri, chain id, time window,
// nonce (= the next-auth CSRF token, as in the SIWE next-auth example) and signature.
// https://eips.ethereum.org/EIPS/eip-4361 · viem "siwe" utilities.
import { getAddress, verifyMessage, type Hex } from "viem";
import { parseSiweMessage } from "viem/siwe";

export type SiweExpectation = {
  /** The app's public URL (NEXTAUTH_URL): its host is the expected domain, and the message uri must be on it. */
  publicUrl: string;
  chainId: number;
  /** The CSRF token from the sign-in request's cookie. */
  nonce: string;
  now: Date;
};

export type SiweResult = { ok: true; address: `0x${string}`; nonce: string } | { ok: false; reason: string };

export async function verifySiweSignIn(message: string, signature: string, expected: SiweExpectation): Promise<SiweResult> {
  let fields: ReturnType<typeof parseSiweMessage>;
  try {
    fields = parseSiweMessage(message);
  } catch {
    return { ok: false, reason: "message is not an EIP-4361 message" };
  }
  if (!fields.address || !fields.domain || !fields.uri || !fields.nonce || !fields.chainId) {
    return { ok: false, reason: "message is not an EIP-4361 message" };
  }
  const site = new URL(expected.publicUrl);
  if (fields.domain !== site.host) return { ok: false, reason: `domain ${fields.domain} is not ${site.host}` };
  let uri: URL;
  try {
    uri = new URL(fields.uri);
  } catch {
    return { ok: false, reason: "uri is not a URL" };
  }
  if (uri.origin !== site.origin) return { ok: false, reason: `uri ${fields.uri} is not on ${site.origin}` };
  if (fields.chainId !== expected.chainId) return { ok: false, reason: `chain id ${fields.chainId} is not ${expected.chainId}` };
  if (fields.nonce !== expected.nonce) return { ok: false, reason: "nonce does not match this session" };
  if (fields.expirationTime && fields.expirationTime.getTime() <= expected.now.getTime()) return { ok: false, reason: "message has expired" };
  if (fields.notBefore && fields.notBefore.getTime() > expected.now.getTime()) return { ok: false, reason: "message is not valid yet" };
  if (!/^0x[0-9a-fA-F]+$/.test(signature)) return { ok: false, reason: "signature is not hex" };
  let valid = false;
  try {
    valid = await verifyMessage({ address: fields.address, message, signature: signature as Hex });
  } catch {
    valid = false;
  }
  if (!valid) return { ok: false, reason: "signature does not match the address" };
  return { ok: true, address: getAddress(fields.address), nonce: fields.nonce };
}

/** Reads next-auth's CSRF token (`token|hash`) from a Cookie header. */
export function csrfTokenFromCookie(cookieHeader: string | undefined): string | null {
  if (!cookieHeader) return null;
  for (const part of cookieHeader.split(";")) {
    const [name, ...rest] = part.trim().split("=");
    if (name === "next-auth.csrf-token" || name === "__Host-next-auth.csrf-token") {
      return decodeURIComponent(rest.join("=")).split("|")[0] ?? null;
    }
  }
  return null;
}
