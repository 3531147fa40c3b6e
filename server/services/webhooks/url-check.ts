// SSRF guard with DNS: every address the host resolves to must be public, unless the host is in
// config `security.allowWebhookHosts` (lib/alerts url-guard.ts has the ranges and the reasons).
// Plain http is accepted only for allowlisted hosts (local receivers in tests and development).
import { lookup as dnsLookup } from "node:dns/promises";
import { checkWebhookUrl, isIpLiteral } from "../../../lib/alerts/url-guard";
import { invalidInput } from "../../errors";

export type AddressLookup = (host: string) => Promise<string[]>;

export const systemLookup: AddressLookup = async (host) => (await dnsLookup(host, { all: true, verbatim: true })).map((a) => a.address);

export async function checkEndpointUrl(url: string, options: { allowHosts: readonly string[]; lookup?: AddressLookup }) {
  let host = "";
  try {
    host = new URL(url).hostname.replace(/^\[|\]$/g, "").toLowerCase();
  } catch {
    // checkWebhookUrl reports it
  }
  const allowlisted = options.allowHosts.some((h) => h.toLowerCase().replace(/^\[|\]$/g, "") === host);
  let resolvedAddresses: string[] = [];
  if (host && !isIpLiteral(host) && !allowlisted) {
    try {
      resolvedAddresses = await (options.lookup ?? systemLookup)(host);
    } catch {
      resolvedAddresses = [];
    }
  }
  return checkWebhookUrl(url, { resolvedAddresses, allowHosts: options.allowHosts, allowHttp: allowlisted });
}

/** Throws BAD_REQUEST on `url` with the guard's reason. */
export async function assertEndpointUrl(url: string, options: { allowHosts: readonly string[]; lookup?: AddressLookup }): Promise<void> {
  const verdict = await checkEndpointUrl(url, options);
  if (!verdict.allowed) throw invalidInput([{ path: "url", reason: verdict.reason }]);
}
