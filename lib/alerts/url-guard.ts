// SSRF guard for webhook endpoint URLs (Standard Webhooks spec, "Server side request forgery"):
// refuse targets on private, loopback, link-local (incl. the cloud metadata address
// 169.254.169.254), unspecified, multicast or reserved addresses unless the host is allowlisted in
// config (`security.allowWebhookHosts`).
//
// Pure: the caller resolves the hostname (dns.lookup with all: true) and passes every address in;
// it must then connect to one of the checked addresses (not resolve again), or a DNS-rebinding
// answer could swap in an internal address between check and connect.
//
// Ranges: RFC 1918 (10/8, 172.16/12, 192.168/16), RFC 6598 shared CGN space 100.64/10, RFC 1122
// loopback 127/8 and "this network" 0/8, RFC 3927 link-local 169.254/16, RFC 5771 multicast 224/4,
// RFC 1112 reserved 240/4; IPv6 RFC 4291 ::/128, ::1, fe80::/10, ff00::/8, IPv4-mapped
// ::ffff:0:0/96, RFC 4193 unique-local fc00::/7, RFC 3879 deprecated site-local fec0::/10, and the
// IPv4-embedding prefixes NAT64 64:ff9b::/96 (RFC 6052) and 6to4 2002::/16 (RFC 3056), which are
// judged by the IPv4 address they carry.

export type AddressClass = "public" | "private" | "loopback" | "link-local" | "unspecified" | "multicast" | "reserved" | "invalid";

export interface AddressVerdict {
  address: string;
  class: AddressClass;
  /** Set when an IPv6 address embeds the IPv4 address that was judged. */
  embeddedIpv4?: string;
}

function parseIpv4(text: string): number[] | null {
  const parts = text.split(".");
  if (parts.length !== 4) return null;
  const bytes = parts.map((p) => (/^\d{1,3}$/.test(p) ? Number(p) : NaN));
  return bytes.every((b) => b >= 0 && b <= 255) ? bytes : null;
}

function classifyIpv4Bytes([a, b]: number[]): AddressClass {
  if (a === 0) return "unspecified";
  if (a === 127) return "loopback";
  if (a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 100 && b >= 64 && b <= 127)) return "private";
  if (a === 169 && b === 254) return "link-local";
  if (a >= 224 && a <= 239) return "multicast";
  if (a >= 240) return "reserved";
  return "public";
}

/** Eight 16-bit groups, or null. Accepts `::` compression and a trailing dotted IPv4. */
function parseIpv6(text: string): number[] | null {
  let s = text.toLowerCase();
  const zone = s.indexOf("%");
  if (zone >= 0) s = s.slice(0, zone);
  let tail: number[] = [];
  const lastColon = s.lastIndexOf(":");
  if (s.includes(".")) {
    const v4 = parseIpv4(s.slice(lastColon + 1));
    if (!v4) return null;
    tail = [(v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3]];
    // keep a trailing "::" (compression), drop a single trailing ":" separator
    const prefix = s.slice(0, lastColon + 1);
    s = prefix.endsWith("::") ? prefix : prefix.slice(0, -1);
  }
  const halves = s.split("::");
  if (halves.length > 2) return null;
  const parse = (h: string) => (h === "" ? [] : h.split(":").map((g) => (/^[0-9a-f]{1,4}$/.test(g) ? parseInt(g, 16) : NaN)));
  const head = parse(halves[0]);
  const rest = halves.length === 2 ? parse(halves[1]) : [];
  if ([...head, ...rest].some((g) => Number.isNaN(g))) return null;
  const explicit = head.length + rest.length + tail.length;
  if (halves.length === 1 ? explicit !== 8 : explicit > 7) return null;
  const zeros = new Array(8 - explicit).fill(0);
  return [...head, ...zeros, ...rest, ...tail];
}

function v4FromGroups(hi: number, lo: number): number[] {
  return [hi >> 8, hi & 0xff, lo >> 8, lo & 0xff];
}

export function classifyAddress(address: string): AddressVerdict {
  const bare = address.replace(/^\[|\]$/g, "");
  const v4 = parseIpv4(bare);
  if (v4) return { address: bare, class: classifyIpv4Bytes(v4) };
  const g = parseIpv6(bare);
  if (!g) return { address: bare, class: "invalid" };
  const embedded = (bytes: number[]): AddressVerdict => ({ address: bare, class: classifyIpv4Bytes(bytes), embeddedIpv4: bytes.join(".") });
  const firstFiveZero = g.slice(0, 5).every((x) => x === 0);
  if (g.every((x) => x === 0)) return { address: bare, class: "unspecified" };
  if (g.slice(0, 7).every((x) => x === 0) && g[7] === 1) return { address: bare, class: "loopback" };
  if (firstFiveZero && g[5] === 0xffff) return embedded(v4FromGroups(g[6], g[7])); // ::ffff:a.b.c.d
  if (firstFiveZero && g[5] === 0) return embedded(v4FromGroups(g[6], g[7])); // deprecated ::a.b.c.d
  if (g[0] === 0x64 && g[1] === 0xff9b && g.slice(2, 6).every((x) => x === 0)) return embedded(v4FromGroups(g[6], g[7]));
  if (g[0] === 0x2002) return embedded(v4FromGroups(g[1], g[2]));
  if ((g[0] & 0xffc0) === 0xfe80) return { address: bare, class: "link-local" };
  if ((g[0] & 0xfe00) === 0xfc00 || (g[0] & 0xffc0) === 0xfec0) return { address: bare, class: "private" };
  if ((g[0] & 0xff00) === 0xff00) return { address: bare, class: "multicast" };
  return { address: bare, class: "public" };
}

export function isIpLiteral(host: string): boolean {
  return classifyAddress(host).class !== "invalid";
}

export type UrlGuardResult =
  | { allowed: true; url: URL; host: string; allowlisted: boolean; addresses: AddressVerdict[] }
  | { allowed: false; reason: string; addresses: AddressVerdict[] };

export interface UrlGuardOptions {
  /** Addresses the hostname resolved to (ignored for IP-literal hosts). */
  resolvedAddresses: readonly string[];
  /** Hostnames or IP literals from `security.allowWebhookHosts` (case-insensitive, exact). */
  allowHosts?: readonly string[];
  /** Plain http is refused unless allowed (secrets and alert contents travel in the body). */
  allowHttp?: boolean;
}

export function checkWebhookUrl(rawUrl: string, options: UrlGuardOptions): UrlGuardResult {
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    return { allowed: false, reason: `not a valid URL: ${JSON.stringify(rawUrl)}`, addresses: [] };
  }
  if (url.protocol !== "https:" && !(url.protocol === "http:" && options.allowHttp)) {
    return { allowed: false, reason: `scheme ${url.protocol.replace(/:$/, "")} is not allowed (https required)`, addresses: [] };
  }
  if (url.username || url.password) return { allowed: false, reason: "credentials in the URL are not allowed; use the endpoint secret", addresses: [] };
  // WHATWG URL already normalises IPv4 tricks (0x7f.1, 2130706433, 127.1 -> 127.0.0.1).
  const host = url.hostname.replace(/^\[|\]$/g, "").toLowerCase().replace(/\.$/, "");
  const allowlisted = (options.allowHosts ?? []).some((h) => h.toLowerCase().replace(/^\[|\]$/g, "") === host);
  const literal = classifyAddress(host);
  const addresses = literal.class !== "invalid" ? [literal] : options.resolvedAddresses.map(classifyAddress);
  if (allowlisted) return { allowed: true, url, host, allowlisted: true, addresses };
  if (literal.class === "invalid" && (host === "localhost" || host.endsWith(".localhost"))) {
    return { allowed: false, reason: `${host} is loopback (RFC 6761); add it to security.allowWebhookHosts to allow it`, addresses };
  }
  if (addresses.length === 0) return { allowed: false, reason: `${host} did not resolve to any address`, addresses };
  const bad = addresses.find((a) => a.class !== "public");
  if (bad) {
    const what = bad.class === "link-local" && (bad.embeddedIpv4 ?? bad.address) === "169.254.169.254" ? "link-local (cloud metadata service)" : bad.class;
    return {
      allowed: false,
      reason: `${host} resolves to ${bad.address}${bad.embeddedIpv4 ? ` (IPv4 ${bad.embeddedIpv4})` : ""}, a ${what} address; add the host to security.allowWebhookHosts to allow it`,
      addresses,
    };
  }
  return { allowed: true, url, host, allowlisted: false, addresses };
}
