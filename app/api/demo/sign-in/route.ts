// Demo mode only: signs a real SIWE message with a demo persona's key, server-side, so the browser
// then signs in through the same next-auth + viem verification path as a wallet would.
import { createSiweMessage } from "viem/siwe";
import { getRuntime } from "@/server/runtime";
import { DEMO_PERSONAS, demoAccount } from "@/server/auth/demo-personas";

export const dynamic = "force-dynamic";

export async function GET() {
  const runtime = await getRuntime();
  if (!runtime.env.demo) return Response.json({ personas: [] });
  return Response.json({ personas: DEMO_PERSONAS.map((p) => ({ id: p.id, label: p.label, roles: p.roles, address: demoAccount(p.id).address })) });
}

export async function POST(request: Request) {
  const runtime = await getRuntime();
  if (!runtime.env.demo) return Response.json({ error: "demo sign-in is off (not in demo mode)" }, { status: 403 });
  const body = (await request.json().catch(() => null)) as { persona?: unknown; nonce?: unknown } | null;
  const persona = DEMO_PERSONAS.find((p) => p.id === body?.persona);
  if (!persona) return Response.json({ error: "persona: unknown demo persona" }, { status: 400 });
  if (typeof body?.nonce !== "string" || !/^[0-9a-zA-Z]{8,}$/.test(body.nonce)) {
    return Response.json({ error: "nonce: expected the CSRF token from /api/auth/csrf" }, { status: 400 });
  }
  const account = demoAccount(persona.id);
  const site = new URL(runtime.env.publicUrl);
  const now = new Date();
  const message = createSiweMessage({
    domain: site.host,
    address: account.address,
    statement: `Sign in to Riskwarden as the demo persona "${persona.label}".`,
    uri: site.origin,
    version: "1",
    chainId: runtime.env.chainId,
    nonce: body.nonce,
    issuedAt: now,
    expirationTime: new Date(now.getTime() + 10 * 60_000),
  });
  const signature = await account.signMessage({ message });
  return Response.json({ message, signature });
}
