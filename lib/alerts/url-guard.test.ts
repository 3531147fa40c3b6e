import { describe, expect, it } from "vitest";
import { checkWebhookUrl, classifyAddress, type AddressClass } from "./url-guard";

describe("classifyAddress", () => {
  it.each<[string, AddressClass, string?]>([
    ["8.8.8.8", "public"],
    ["10.1.2.3", "private"], // RFC 1918 10/8
    ["172.16.0.1", "private"], // 172.16/12 lower edge
    ["172.31.255.255", "private"], // upper edge
    ["172.32.0.1", "public"], // just outside 172.16/12
    ["192.168.1.1", "private"],
    ["100.64.0.1", "private"], // RFC 6598 CGN
    ["100.127.255.255", "private"],
    ["100.128.0.1", "public"],
    ["127.0.0.1", "loopback"],
    ["127.255.0.9", "loopback"], // whole 127/8
    ["169.254.169.254", "link-local"], // cloud metadata
    ["0.0.0.0", "unspecified"],
    ["224.0.0.1", "multicast"],
    ["255.255.255.255", "reserved"],
    ["::", "unspecified"],
    ["::1", "loopback"],
    ["fe80::1", "link-local"],
    ["febf::1", "link-local"], // fe80::/10 upper edge
    ["fc00::1", "private"],
    ["fd12:3456::1", "private"], // fc00::/7 covers fd
    ["fec0::1", "private"], // deprecated site-local
    ["ff02::1", "multicast"],
    ["2001:4860:4860::8888", "public"],
    ["::ffff:127.0.0.1", "loopback", "127.0.0.1"], // IPv4-mapped
    ["::ffff:7f00:1", "loopback", "127.0.0.1"], // same, hex form
    ["::ffff:169.254.169.254", "link-local", "169.254.169.254"],
    ["::ffff:8.8.8.8", "public", "8.8.8.8"],
    ["64:ff9b::10.0.0.1", "private", "10.0.0.1"], // NAT64
    ["2002:c0a8:0101::1", "private", "192.168.1.1"], // 6to4
    ["[::1]", "loopback"],
    ["fe80::1%eth0", "link-local"],
    ["not-an-ip", "invalid"],
    ["1.2.3", "invalid"],
    ["1:2:3:4:5:6:7:8:9", "invalid"],
  ])("%s -> %s", (address, expected, embedded) => {
    const v = classifyAddress(address);
    expect(v.class).toBe(expected);
    if (embedded) expect(v.embeddedIpv4).toBe(embedded);
  });
});

describe("checkWebhookUrl", () => {
  it.each<[string, string[], boolean, RegExp | null]>([
    ["https://hooks.example.com/x", ["93.184.215.14"], true, null],
    // one private answer among public ones is enough to refuse (the connect could pick it)
    ["https://hooks.example.com/x", ["93.184.215.14", "10.0.0.5"], false, /10\.0\.0\.5, a private address/],
    ["https://hooks.example.com/x", [], false, /did not resolve/],
    ["https://127.0.0.1/x", [], false, /loopback/],
    // WHATWG URL normalises numeric tricks before we look
    ["https://2130706433/x", [], false, /127\.0\.0\.1, a loopback/],
    ["https://0x7f.1/x", [], false, /loopback/],
    ["https://[::ffff:169.254.169.254]/latest", [], false, /cloud metadata/],
    ["https://169.254.169.254/latest/meta-data", [], false, /link-local \(cloud metadata service\)/],
    ["https://metadata.internal/x", ["169.254.169.254"], false, /cloud metadata/],
    ["https://localhost:8080/x", [], false, /localhost is loopback/],
    ["https://api.localhost/x", ["93.184.215.14"], false, /loopback/],
    ["http://hooks.example.com/x", ["93.184.215.14"], false, /https required/],
    ["ftp://hooks.example.com/x", ["93.184.215.14"], false, /scheme ftp/],
    ["https://user:pw@hooks.example.com/x", ["93.184.215.14"], false, /credentials/],
    ["not a url", [], false, /not a valid URL/],
  ])("%s resolving to %j -> %s", (url, addresses, allowed, reason) => {
    const r = checkWebhookUrl(url, { resolvedAddresses: addresses });
    expect(r.allowed).toBe(allowed);
    if (!r.allowed && reason) expect(r.reason).toMatch(reason);
  });

  it("allows private targets only when the host is allowlisted", () => {
    const opts = { resolvedAddresses: ["10.0.0.7"], allowHosts: ["Alertmanager.internal"] };
    const r = checkWebhookUrl("https://alertmanager.internal:9093/api/v2/alerts", opts);
    expect(r).toMatchObject({ allowed: true, allowlisted: true, host: "alertmanager.internal" });
    expect(checkWebhookUrl("http://127.0.0.1:9999/hook", { resolvedAddresses: [], allowHosts: ["127.0.0.1"], allowHttp: true }).allowed).toBe(true);
    expect(checkWebhookUrl("https://[::1]:9999/hook", { resolvedAddresses: [], allowHosts: ["::1"] }).allowed).toBe(true);
    expect(checkWebhookUrl("https://other.internal/", opts).allowed).toBe(false);
  });
});
