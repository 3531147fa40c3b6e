import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decryptSecret } from "../../../lib/alerts";
import { openTestDatabase, testDatabaseKinds, type TestDatabase } from "../../testing/databases";
import { createEndpoint, deleteEndpoint, listEndpoints, rotateEndpointSecret, updateEndpoint } from "./endpoints";
import { createRoute, deleteRoute, listRoutes } from "./routes";
import { createSilence, expireSilence, listSilences } from "./silences";
import { syncConfigFile } from "./sync-config";
import type { AddressLookup } from "./url-check";

const APP_SECRET = "test-app-secret-0123456789abcdef-0123456789";
// Names resolve only through this table: no network in tests.
const dnsTable: Record<string, string[]> = {
  "hooks.example.com": ["93.184.216.34"],
  "internal.example.com": ["10.0.0.5"],
  "rebind.example.com": ["93.184.216.34", "169.254.169.254"],
};
const lookup: AddressLookup = async (host) => {
  const addresses = dnsTable[host];
  if (!addresses) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: "ENOTFOUND" });
  return addresses;
};

describe.each(testDatabaseKinds())("webhook endpoints, routes, silences, config sync (%s)", (kind) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await openTestDatabase(kind);
  });
  afterAll(async () => {
    await database?.dispose();
  });

  it("generates a whsec_ secret once and stores it only encrypted", async () => {
    const { endpoint, secret } = await createEndpoint(database.prisma, { id: "oncall", format: "standard", url: "https://hooks.example.com/riskwarden" }, { allowHosts: [], lookup, appSecret: APP_SECRET });
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(endpoint.secretHint).toBe(`whsec_…${secret.slice(-4)}`);
    expect(endpoint).not.toHaveProperty("secretCipher");
    const row = await database.prisma.webhookEndpoint.findUniqueOrThrow({ where: { id: "oncall" } });
    expect(row.secretCipher).toMatch(/^rwsec:v1:/);
    expect(row.secretCipher).not.toContain(secret.slice(6, 20));
    expect(decryptSecret(row.secretCipher!, APP_SECRET, { context: "oncall" })).toBe(secret);
    const listed = await listEndpoints(database.prisma);
    expect(JSON.stringify(listed)).not.toContain(secret.slice(6));
    const rotated = await rotateEndpointSecret(database.prisma, { id: "oncall" }, { appSecret: APP_SECRET });
    expect(rotated.secret).not.toBe(secret);
    await expect(createEndpoint(database.prisma, { id: "oncall", format: "standard", url: "https://hooks.example.com/x" }, { allowHosts: [], lookup, appSecret: APP_SECRET })).rejects.toMatchObject({ code: "CONFLICT" });
  });

  it("refuses private, loopback and link-local targets unless allowlisted, checking every resolved address", async () => {
    const guard = { allowHosts: [] as string[], lookup, appSecret: APP_SECRET };
    const refused = async (url: string) => {
      const error = await createEndpoint(database.prisma, { id: `x${Math.random().toString(36).slice(2, 8)}`, format: "standard", url }, guard).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: "BAD_REQUEST" });
      return (error as { issues: { path: string; reason: string }[] }).issues[0];
    };
    expect(await refused("https://internal.example.com/hook")).toEqual({ path: "url", reason: expect.stringMatching(/resolves to 10\.0\.0\.5, a private address/) });
    expect((await refused("https://rebind.example.com/hook")).reason).toMatch(/169\.254\.169\.254, a link-local \(cloud metadata service\) address/);
    expect((await refused("https://127.0.0.1:8443/hook")).reason).toMatch(/loopback/);
    expect((await refused("http://hooks.example.com/hook")).reason).toMatch(/https required/);
    expect((await refused("https://nowhere.example.com/hook")).reason).toMatch(/did not resolve/);
    // Allowlisted loopback, plain http allowed for it (tests and local receivers).
    const allowed = await createEndpoint(database.prisma, { id: "local", format: "standard", url: "http://127.0.0.1:9/hook" }, { ...guard, allowHosts: ["127.0.0.1"] });
    expect(allowed.endpoint.url).toBe("http://127.0.0.1:9/hook");
    await expect(updateEndpoint(database.prisma, { id: "local", url: "http://127.0.0.1:9/hook" }, guard)).rejects.toMatchObject({ code: "BAD_REQUEST" });
  });

  it("syncs file-managed endpoints and routes, which the UI may not edit", async () => {
    const webhooks: Parameters<typeof syncConfigFile>[1]["config"]["webhooks"] = [
      { id: "file-hook", format: "slack", url: "http://127.0.0.1:9/slack", headers: { "x-team": "risk" } },
      { id: "file-bad", format: "standard", url: "https://internal.example.com/hook", secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", headers: {} },
    ];
    const config = {
      webhooks,
      routes: [{ match: { severity: ["critical", "warning"] }, webhooks: ["file-hook"], groupWaitMs: 30000, groupIntervalMs: 300000, repeatIntervalMs: 14400000 }],
      security: { allowWebhookHosts: ["127.0.0.1"] },
    };
    const report = await syncConfigFile(database.prisma, { config, appSecret: APP_SECRET, lookup });
    expect(report.disabled.map((d) => d.id)).toEqual(["file-bad"]);
    const endpoints = await database.prisma.webhookEndpoint.findMany({ where: { managedByFile: true }, orderBy: { id: "asc" } });
    expect(endpoints.map((e) => [e.id, e.enabled, e.headers])).toEqual([
      ["file-bad", false, {}],
      ["file-hook", true, { "x-team": "risk" }],
    ]);
    expect(endpoints[0].disabledReason).toMatch(/^config file URL refused: internal\.example\.com resolves to 10\.0\.0\.5/);
    const routes = await listRoutes(database.prisma);
    expect(routes.filter((r) => r.managedByFile).map((r) => [r.id, r.position, r.webhookIds])).toEqual([["file-0", 0, ["file-hook"]]]);
    await expect(updateEndpoint(database.prisma, { id: "file-hook", url: "http://127.0.0.1:9/other" }, { allowHosts: ["127.0.0.1"] })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(deleteEndpoint(database.prisma, { id: "file-hook" })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(deleteRoute(database.prisma, "file-0")).rejects.toMatchObject({ code: "FORBIDDEN" });
    // A UI route comes after the file's; unknown endpoints are refused.
    const uiRoute = await createRoute(database.prisma, { match: {}, webhookIds: ["local"] });
    expect(uiRoute.position).toBeGreaterThanOrEqual(1000);
    await expect(createRoute(database.prisma, { match: {}, webhookIds: ["nope"] })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(deleteEndpoint(database.prisma, { id: "local" })).rejects.toMatchObject({ code: "CONFLICT" });
    // The next start without these entries removes them.
    await syncConfigFile(database.prisma, { config: { ...config, webhooks: [], routes: [] }, appSecret: APP_SECRET, lookup });
    expect(await database.prisma.webhookEndpoint.count({ where: { id: { in: ["file-hook", "file-bad"] } } })).toBe(0);
    expect((await listRoutes(database.prisma)).map((r) => r.id)).toEqual([uiRoute.id]);
  });

  it("creates, lists and expires silences; refuses invalid matchers", async () => {
    const now = Date.UTC(2026, 10, 25, 12);
    const silence = await createSilence(database.prisma, { matchers: ['market="BTC-USD"', "check=~dev.*"], endsAt: new Date(now + 3_600_000), comment: "exchange maintenance", author: "0xOnCall" }, now);
    expect(silence.matchers).toEqual([
      { name: "market", type: "=", value: "BTC-USD" },
      { name: "check", type: "=~", value: "dev.*" },
    ]);
    expect((await listSilences(database.prisma, {}, now)).map((s) => s.id)).toEqual([silence.id]);
    await expect(createSilence(database.prisma, { matchers: ["check=~(unclosed"], endsAt: new Date(now + 1000), comment: "x", author: "a" }, now)).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(createSilence(database.prisma, { matchers: ["market=BTC-USD"], endsAt: new Date(now - 1000), comment: "x", author: "a" }, now)).rejects.toMatchObject({ code: "BAD_REQUEST" });
    const expired = await expireSilence(database.prisma, { id: silence.id }, now + 60_000);
    expect(expired.endsAt.getTime()).toBe(now + 60_000);
    expect(await listSilences(database.prisma, {}, now + 60_001)).toHaveLength(0);
    await expect(expireSilence(database.prisma, { id: silence.id }, now + 120_000)).rejects.toMatchObject({ code: "CONFLICT" });
  });
});
