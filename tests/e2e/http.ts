// A tiny cookie-keeping HTTP client for API-level end-to-end checks (sign-in without a browser).
export class HttpSession {
  private readonly cookies = new Map<string, string>();
  constructor(readonly baseUrl: string) {}

  async fetch(pathname: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size) headers.set("cookie", [...this.cookies].map(([name, value]) => `${name}=${value}`).join("; "));
    const response = await fetch(new URL(pathname, this.baseUrl), { ...init, headers, redirect: "manual" });
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(";");
      const index = pair.indexOf("=");
      const name = pair.slice(0, index).trim();
      const value = pair.slice(index + 1).trim();
      const expired = attributes.some((attribute) => /max-age=0/i.test(attribute.trim())) || value === "";
      if (expired) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return response;
  }

  cookie(name: string): string | undefined {
    return this.cookies.get(name);
  }

  setCookie(name: string, value: string): void {
    this.cookies.set(name, value);
  }

  async csrfToken(): Promise<string> {
    const response = await this.fetch("/api/auth/csrf");
    return ((await response.json()) as { csrfToken: string }).csrfToken;
  }

  /** Posts a SIWE message + signature to next-auth's credentials callback; true when a session results. */
  async signIn(message: string, signature: string, csrfToken: string): Promise<boolean> {
    const body = new URLSearchParams({ message, signature, csrfToken, callbackUrl: this.baseUrl, json: "true" });
    await this.fetch("/api/auth/callback/siwe", { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body });
    const session = await this.fetch("/api/auth/session");
    const json = (await session.json()) as { user?: { address?: string } };
    return Boolean(json.user?.address);
  }

  async signOut(): Promise<void> {
    this.cookies.clear();
  }
}
