"use client";
import { useEffect, useState } from "react";
import { signIn } from "next-auth/react";
import { createWalletClient, custom, type EIP1193Provider } from "viem";
import { createSiweMessage } from "viem/siwe";

type Persona = { id: string; label: string; roles: string[]; address: string };

async function freshNonce(): Promise<string> {
  const response = await fetch("/api/auth/csrf", { cache: "no-store" });
  const { csrfToken } = (await response.json()) as { csrfToken: string };
  return csrfToken;
}

async function completeSignIn(message: string, signature: string) {
  const result = await signIn("siwe", { message, signature, redirect: false });
  if (!result || result.error) throw new Error("The signature was refused (wrong domain, expired message or reused nonce). Try again.");
  window.location.href = "/";
}

export function SignInPanel() {
  const [personas, setPersonas] = useState<Persona[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);

  useEffect(() => {
    fetch("/api/demo/sign-in").then((r) => r.json()).then((body: { personas: Persona[] }) => setPersonas(body.personas)).catch(() => setPersonas([]));
  }, []);

  async function signInWithWallet() {
    setError(null);
    const ethereum = (window as unknown as { ethereum?: EIP1193Provider }).ethereum;
    if (!ethereum) {
      setError("No browser wallet found (window.ethereum).");
      return;
    }
    setBusy("wallet");
    try {
      const wallet = createWalletClient({ transport: custom(ethereum) });
      const [address] = await wallet.requestAddresses();
      const chainId = await wallet.getChainId();
      const message = createSiweMessage({
        domain: window.location.host,
        address,
        statement: "Sign in to Riskwarden.",
        uri: window.location.origin,
        version: "1",
        chainId,
        nonce: await freshNonce(),
        issuedAt: new Date(),
        expirationTime: new Date(Date.now() + 10 * 60_000),
      });
      const signature = await wallet.signMessage({ account: address, message });
      await completeSignIn(message, signature);
    } catch (cause) {
      setError(cause instanceof Error ? cause.message : String(cause));
    } finally {
      setBusy(null);
    }
  }

  async function signInAsPersona(persona: Persona) {
    setError(null);
    setBusy(persona.id);
    try {
      const nonce = await freshNonce();
      const response = await fetch("/api/demo/sign-in", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ persona: persona.id, nonce }) });
      const body = (await response.json()) as { message?: string; signature?: string; error?: string };
      if (!response.ok || !body.message || !body.signature) throw new Error(body.error ?? "demo signing failed");
      await completeSignIn(body.message, body.signature);
    } catch (cause) {
      setError(cause instanceof Error ? cause.message : String(cause));
    } finally {
      setBusy(null);
    }
  }

  return (
    <div className="space-y-4">
      <button onClick={signInWithWallet} disabled={busy !== null} className="w-full rounded bg-emerald-600 px-4 py-2 font-medium text-white hover:bg-emerald-500 disabled:opacity-50">
        {busy === "wallet" ? "Waiting for the wallet…" : "Sign in with Ethereum wallet"}
      </button>
      {personas.length > 0 && (
        <div className="rounded-lg border border-slate-800 p-3">
          <p className="mb-2 text-sm text-slate-400">Demo mode: sign in as a demo persona (the server signs a real SIWE message with the persona&apos;s demo key).</p>
          <div className="grid gap-2">
            {personas.map((persona) => (
              <button
                key={persona.id}
                data-testid={`demo-signin-${persona.id}`}
                onClick={() => signInAsPersona(persona)}
                disabled={busy !== null}
                className="flex items-center justify-between rounded border border-slate-700 px-3 py-2 text-left text-sm hover:border-emerald-500 disabled:opacity-50"
              >
                <span>Sign in as {persona.label}</span>
                <span className="font-mono text-xs text-slate-500">{persona.address.slice(0, 8)}…</span>
              </button>
            ))}
          </div>
        </div>
      )}
      {error && <p className="text-sm text-red-400" role="alert">{error}</p>}
    </div>
  );
}
