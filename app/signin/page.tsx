import { SignInPanel } from "@/components/sign-in-panel";

export default function SignInPage() {
  return (
    <div className="mx-auto max-w-lg space-y-4">
      <h1 className="text-2xl font-semibold">Sign in</h1>
      <p className="text-sm text-slate-400">Sign-In with Ethereum (EIP-4361): your wallet signs a message bound to this site, this chain and a one-time nonce.</p>
      <SignInPanel />
    </div>
  );
}
