// next-auth 4 options: one credentials provider `siwe`, JWT sessions. The secret and public URL come
// from the runtime (validated env), so options are built per process, not at import time.
import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { getRuntime } from "../runtime";
import { csrfTokenFromCookie, verifySiweSignIn } from "./siwe";
import { recordSignIn } from "../services/users/record-sign-in";

let cached: NextAuthOptions | undefined;

export async function getAuthOptions(): Promise<NextAuthOptions> {
  if (cached) return cached;
  const runtime = await getRuntime();
  cached = {
    secret: runtime.appSecret,
    session: { strategy: "jwt", maxAge: 24 * 60 * 60 },
    pages: { signIn: "/signin" },
    providers: [
      CredentialsProvider({
        id: "siwe",
        name: "Ethereum",
        credentials: { message: { label: "Message", type: "text" }, signature: { label: "Signature", type: "text" } },
        async authorize(credentials, request) {
          const message = credentials?.message ?? "";
          const signature = credentials?.signature ?? "";
          const cookie = (request.headers as Record<string, string | undefined> | undefined)?.cookie;
          const nonce = csrfTokenFromCookie(cookie);
          if (!nonce) return null;
          const verdict = await verifySiweSignIn(message, signature, {
            publicUrl: runtime.env.publicUrl,
            chainId: runtime.env.chainId,
            nonce,
            now: new Date(),
          });
          if (!verdict.ok) {
            console.warn(`[auth] SIWE sign-in refused: ${verdict.reason}`);
            return null;
          }
          // Single use: the nonce row's primary key refuses a replay, even across restarts.
          const accepted = await recordSignIn(runtime.database.prisma, { address: verdict.address, nonce: verdict.nonce });
          if (!accepted) {
            console.warn("[auth] SIWE sign-in refused: nonce already used");
            return null;
          }
          return { id: verdict.address, name: verdict.address };
        },
      }),
    ],
    callbacks: {
      async jwt({ token, user }) {
        if (user) token.sub = user.id;
        return token;
      },
      async session({ session, token }) {
        return { ...session, user: { name: token.sub, address: token.sub } } as typeof session;
      },
    },
  };
  return cached;
}
