import NextAuth from "next-auth";
import { getAuthOptions } from "@/server/auth/options";

export const dynamic = "force-dynamic";

type RouteContext = { params: Promise<{ nextauth: string[] }> };

async function handler(request: Request, context: RouteContext) {
  const options = await getAuthOptions();
  const params = await context.params;
  const response: Response = await NextAuth(request as never, { params } as never, options);
  // The SIWE nonce is the CSRF token and is single-use: after a sign-in attempt, expire the CSRF
  // cookie so the next sign-in gets a fresh nonce.
  if (request.method === "POST" && params.nextauth.join("/") === "callback/siwe") {
    const headers = new Headers(response.headers);
    for (const name of ["next-auth.csrf-token", "__Host-next-auth.csrf-token"]) {
      headers.append("Set-Cookie", `${name}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax${name.startsWith("__Host-") ? "; Secure" : ""}`);
    }
    return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
  }
  return response;
}

export { handler as GET, handler as POST };
