// The one HTTP client that talks to webhook endpoints (dispatcher deliveries, test sends, PagerDuty
// change events). Each attempt resolves the host ONCE, runs the SSRF guard on every address
// (lib/alerts url-guard.ts; allowlisted hosts skip the check) and connects only to those addresses:
// the socket's `lookup` answers with the checked list instead of asking DNS again, so a name that
// rebinds to 127.0.0.1 or 169.254.169.254 between check and connect (DNS rebinding, Standard
// Webhooks spec "Server side request forgery") cannot redirect the request.
// The Host header, TLS SNI and certificate check still use the URL's hostname (node:http(s) take
// them from `host`/`servername`; only the address lookup is replaced).
import http from "node:http";
import https from "node:https";
import { isIPv6, type LookupFunction } from "node:net";
import type { LookupAddress } from "node:dns";
import { checkWebhookUrl, isIpLiteral } from "../../../lib/alerts/url-guard";
import { systemLookup, type AddressLookup } from "./url-check";

/** The guard refused the target before any connection was made. */
export class WebhookTargetBlocked extends Error {
  override readonly name = "WebhookTargetBlocked";
}

export type WebhookHttpRequest = { url: string; headers: Record<string, string>; body: string; signal: AbortSignal };
export type WebhookHttpResponse = { status: number; retryAfter: string | null; body: string };

export type GuardedSenderOptions = {
  /** `security.allowWebhookHosts`: these hosts may resolve to private/loopback addresses (and use http). */
  allowHosts: readonly string[];
  /** Resolver for host names (default: the system resolver, every address). */
  lookup?: AddressLookup;
  /** Response bytes kept for the delivery log; the rest is discarded and the connection closed. */
  maxResponseBytes?: number;
  /** Extra trusted CA certificates (tests with a local TLS receiver). */
  ca?: string | Buffer;
};

export type GuardedSender = {
  send(request: WebhookHttpRequest): Promise<WebhookHttpResponse>;
  /** Closes idle keep-alive connections. */
  close(): void;
};

type CheckedTarget = { url: URL; host: string; addresses: LookupAddress[] };

/** A `lookup` for one connection that only ever returns the already-checked addresses of `host`. */
export function pinnedLookup(host: string, addresses: readonly LookupAddress[]): LookupFunction {
  return (hostname, options, callback) => {
    const family = options.family === 4 || options.family === 6 ? options.family : options.family === "IPv4" ? 4 : options.family === "IPv6" ? 6 : 0;
    const usable = hostname.toLowerCase() === host ? addresses.filter((a) => family === 0 || a.family === family) : [];
    if (usable.length === 0) {
      const error = Object.assign(new Error(`no checked address for ${hostname}`), { code: "ENOTFOUND", hostname });
      if (options.all) callback(error, []);
      else callback(error, "", 0);
      return;
    }
    if (options.all) callback(null, [...usable]);
    else callback(null, usable[0].address, usable[0].family);
  };
}

function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : new DOMException("aborted", "AbortError");
}

export function createGuardedSender(options: GuardedSenderOptions): GuardedSender {
  const lookup = options.lookup ?? systemLookup;
  const maxResponseBytes = options.maxResponseBytes ?? 16 * 1024;
  const allowHosts = options.allowHosts.map((h) => h.toLowerCase().replace(/^\[|\]$/g, ""));
  // Keep-alive: a pooled socket was connected to an address that passed the guard when it was opened.
  const httpAgent = new http.Agent({ keepAlive: true });
  const httpsAgent = new https.Agent({ keepAlive: true, ...(options.ca ? { ca: options.ca } : {}) });

  /** Resolves once, checks every address; throws WebhookTargetBlocked with the guard's reason. */
  async function checkedTarget(rawUrl: string): Promise<CheckedTarget> {
    let url: URL;
    try {
      url = new URL(rawUrl);
    } catch {
      throw new WebhookTargetBlocked(`not a valid URL: ${JSON.stringify(rawUrl)}`);
    }
    const host = url.hostname.replace(/^\[|\]$/g, "").toLowerCase();
    const allowlisted = allowHosts.includes(host.replace(/\.$/, ""));
    let resolved: string[] = [];
    if (isIpLiteral(host)) {
      resolved = [host];
    } else if (url.protocol === "https:" || (url.protocol === "http:" && allowlisted)) {
      // (other schemes are refused below without asking DNS)
      try {
        resolved = await lookup(host);
      } catch (error) {
        // Not a guard decision: a network failure, retried like one.
        const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
        throw Object.assign(new Error(`${code} resolving ${host}`), { code });
      }
    }
    const verdict = checkWebhookUrl(rawUrl, { resolvedAddresses: resolved, allowHosts: options.allowHosts, allowHttp: allowlisted });
    if (!verdict.allowed) throw new WebhookTargetBlocked(verdict.reason);
    return { url, host, addresses: resolved.map((address) => ({ address, family: isIPv6(address) ? 6 : 4 })) };
  }

  async function send(request: WebhookHttpRequest): Promise<WebhookHttpResponse> {
    if (request.signal.aborted) throw abortError(request.signal);
    const target = await checkedTarget(request.url);
    const { url } = target;
    const secure = url.protocol === "https:";
    const literal = isIpLiteral(target.host);
    return new Promise<WebhookHttpResponse>((resolve, reject) => {
      let settled = false;
      const finish = (error: Error | null, response?: WebhookHttpResponse) => {
        if (settled) return;
        settled = true;
        request.signal.removeEventListener("abort", onAbort);
        if (error) reject(error);
        else resolve(response!);
      };
      const req = (secure ? https : http).request({
        protocol: url.protocol,
        host: target.host,
        port: url.port || (secure ? 443 : 80),
        path: `${url.pathname}${url.search}`,
        method: "POST",
        headers: { ...request.headers, "content-length": String(Buffer.byteLength(request.body)) },
        agent: secure ? httpsAgent : httpAgent,
        // IP literals connect without a lookup; names only to their checked addresses.
        ...(literal ? {} : { lookup: pinnedLookup(target.host, target.addresses) }),
        ...(secure && !literal ? { servername: target.host } : {}),
      });
      function onAbort() {
        const error = abortError(request.signal);
        req.destroy(error);
        finish(error);
      }
      request.signal.addEventListener("abort", onAbort, { once: true });
      req.on("error", (error) => finish(error));
      req.on("response", (res) => {
        const chunks: Buffer[] = [];
        let kept = 0;
        const done = () =>
          finish(null, {
            status: res.statusCode ?? 0,
            retryAfter: typeof res.headers["retry-after"] === "string" ? res.headers["retry-after"] : null,
            body: Buffer.concat(chunks).toString("utf8"),
          });
        res.on("data", (chunk: Buffer) => {
          if (kept >= maxResponseBytes) return;
          chunks.push(chunk.subarray(0, maxResponseBytes - kept));
          kept += Math.min(chunk.length, maxResponseBytes - kept);
          if (kept >= maxResponseBytes) {
            // Enough for the log: stop reading (the socket is not reused).
            res.destroy();
            done();
          }
        });
        res.on("end", done);
        res.on("error", (error) => finish(error));
        res.on("close", () => (res.complete ? done() : finish(Object.assign(new Error("response ended early"), { code: "ECONNRESET" }))));
      });
      req.end(request.body);
    });
  }

  return {
    send,
    close() {
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  };
}
