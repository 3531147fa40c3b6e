import { describe, expect, it } from "vitest";
import { Notifier } from "./routing";
import { alertingConfigSchema, routeSchema, silenceSchema } from "./schemas";

describe("alerting config schemas", () => {
  it("accepts the contract's route example and feeds the Notifier", () => {
    // shared contracts/config-and-replay.md `routes:` example.
    const cfg = alertingConfigSchema.parse({
      routes: [
        { match: { severity: ["critical", "warning"] }, webhooks: ["oncall-generic"], groupWaitMs: 30000, groupIntervalMs: 300000, repeatIntervalMs: 14400000 },
        { matchers: ['market=~"BTC-.*"', { name: "check", type: "!=", value: "frozen" }], webhooks: ["slack"], muteWindows: ["nights"] },
      ],
      muteWindows: [{ name: "nights", timeIntervals: [{ times: [{ startTime: "00:00", endTime: "06:00" }], location: "Europe/Berlin" }] }],
    });
    expect(cfg.routes[0].match).toEqual({ severity: ["critical", "warning"] });
    expect(cfg.routes[1].matchers).toEqual([
      { name: "market", type: "=~", value: "BTC-.*" },
      { name: "check", type: "!=", value: "frozen" },
    ]);
    expect(() => new Notifier(cfg, { nowMs: () => 0 })).not.toThrow();
  });

  it.each([
    [{ match: {}, webhooks: [] }, "webhooks", "at least one webhook"],
    [{ webhooks: ["a"], groupWaitMs: 1.5 }, "groupWaitMs", "integer"],
    [{ webhooks: ["a"], groupIntervalMs: 0 }, "groupIntervalMs", ""],
    [{ webhooks: ["a"], matchers: ["market=~("] }, "matchers", "invalid regex"],
    [{ webhooks: ["a"], matchers: ["nonsense"] }, "matchers", "cannot parse matcher"],
  ])("rejects route %j at %s", (input, pathHead, message) => {
    const r = routeSchema.safeParse(input);
    expect(r.success).toBe(false);
    const issue = r.error!.issues[0];
    expect(String(issue.path[0])).toBe(pathHead);
    expect(issue.message).toContain(message);
  });

  it("requires author, comment and a forward time window on silences", () => {
    const ok = { id: "s", matchers: ["feed=binance-spot"], startsAtMs: 1, endsAtMs: 2, createdBy: "alice", comment: "maintenance" };
    expect(silenceSchema.parse(ok).matchers).toEqual([{ name: "feed", type: "=", value: "binance-spot" }]);
    expect(silenceSchema.safeParse({ ...ok, comment: "" }).success).toBe(false);
    expect(silenceSchema.safeParse({ ...ok, endsAtMs: 1 }).error!.issues[0].path).toEqual(["endsAtMs"]);
  });

  it("names an unknown mute window with its path", () => {
    const r = alertingConfigSchema.safeParse({ routes: [{ webhooks: ["a"], muteWindows: ["nope"] }] });
    expect(r.error!.issues[0].path).toEqual(["routes", 0, "muteWindows", 0]);
  });
});
