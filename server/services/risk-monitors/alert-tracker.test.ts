import { describe, expect, it } from "vitest";
import { DEFAULT_RISK_MONITOR_THRESHOLDS as D, nearLiquidationCondition } from "../../../lib/alerts/risk-monitors";
import { RiskAlertTracker } from "./alert-tracker";

const times = { forMs: 10_000, clearForMs: 30_000 };
const link = "https://rw.example/markets/ETH-USD";
/** OI share → condition with the default levels (warning 10 %, critical 25 %). */
const at = (share: number) => nearLiquidationCondition("ETH-USD", { share, notionalUsd: share * 1000, openInterestUsd: 1000 }, D.nearLiquidation);

describe("RiskAlertTracker", () => {
  it("fires after forMs at since + forMs, ignores a short spike, resolves after clearForMs", () => {
    const tracker = new RiskAlertTracker();
    expect(tracker.observe(at(0.12), times, 0, link)).toEqual([]);
    expect(tracker.observe(at(0.05), times, 5_000, link)).toEqual([]); // gone before forMs: nothing
    expect(tracker.observe(at(0.12), times, 10_000, link)).toEqual([]);
    expect(tracker.status("risk-near-liquidation-oi:ETH-USD:-")).toMatchObject({ status: "pending", severity: "warning" });
    const fired = tracker.observe(at(0.12), times, 20_000, link);
    expect(fired).toHaveLength(1);
    expect(fired[0]).toMatchObject({ status: "firing", firedAtMs: 20_000, labels: { check: "risk-near-liquidation-oi", market: "ETH-USD", severity: "warning" }, threshold: 0.1, link });
    // Dips below the level for less than clearForMs: still firing, nothing recorded.
    expect(tracker.observe(at(0.05), times, 25_000, link)).toEqual([]);
    expect(tracker.observe(at(0.11), times, 40_000, link)).toEqual([]);
    expect(tracker.observe(at(0.05), times, 45_000, link)).toEqual([]);
    const resolved = tracker.observe(at(0.04), times, 75_000, link);
    expect(resolved).toEqual([expect.objectContaining({ status: "resolved", resolvedAtMs: 75_000, firedAtMs: 20_000, value: 0.04 })]);
    expect(tracker.status("risk-near-liquidation-oi:ETH-USD:-").status).toBe("ok");
  });

  it("escalates a warning that stays critical for forMs (resolve + critical firing); a critical alert is not downgraded", () => {
    const tracker = new RiskAlertTracker();
    tracker.observe(at(0.12), times, 0, link);
    expect(tracker.observe(at(0.12), times, 10_000, link)).toHaveLength(1);
    expect(tracker.observe(at(0.3), times, 12_000, link)).toEqual([]);
    const escalated = tracker.observe(at(0.3), times, 22_000, link);
    expect(escalated.map((a) => [a.status, a.labels.severity, a.status === "resolved" ? a.resolvedAtMs : a.firedAtMs])).toEqual([
      ["resolved", "warning", 22_000],
      ["firing", "critical", 22_000],
    ]);
    expect(escalated[1].threshold).toBe(0.25);
    // Back to warning level: stays the open critical alert until the condition is gone entirely.
    expect(tracker.observe(at(0.12), times, 60_000, link)).toEqual([]);
    expect(tracker.status("risk-near-liquidation-oi:ETH-USD:-")).toMatchObject({ status: "firing", severity: "critical" });
  });

  it("an alert restored from the database resolves through the clear time; a market gone from the book resolves too", () => {
    const tracker = new RiskAlertTracker();
    tracker.restore(
      { fingerprint: "risk-near-liquidation-oi:ETH-USD:-", labels: { check: "risk-near-liquidation-oi", market: "ETH-USD", severity: "warning" }, status: "firing", value: 0.2, threshold: 0.1, firedAtMs: 1_000, resolvedAtMs: null, acknowledgedAtMs: null, link },
      times,
    );
    expect(tracker.observe(at(0.2), times, 50_000, link)).toEqual([]); // still holds: no duplicate firing
    expect(tracker.observeGone("risk-near-liquidation-oi:ETH-USD:-", times, 60_000)).toEqual([]);
    expect(tracker.observeGone("risk-near-liquidation-oi:ETH-USD:-", times, 90_000)).toEqual([expect.objectContaining({ status: "resolved", resolvedAtMs: 90_000, firedAtMs: 1_000 })]);
    expect(tracker.fingerprints()).toEqual(["risk-near-liquidation-oi:ETH-USD:-"]);
    expect(tracker.observeGone("risk-near-liquidation-oi:ETH-USD:-", times, 95_000)).toEqual([]);
    expect(tracker.fingerprints()).toEqual([]);
  });

  it("edited hold times apply to a firing alert without re-firing it", () => {
    const tracker = new RiskAlertTracker();
    tracker.observe(at(0.12), { forMs: 0, clearForMs: 0 }, 0, link);
    expect(tracker.status("risk-near-liquidation-oi:ETH-USD:-").status).toBe("firing");
    expect(tracker.observe(at(0.05), { forMs: 0, clearForMs: 60_000 }, 1_000, link)).toEqual([]);
    expect(tracker.observe(at(0.05), { forMs: 0, clearForMs: 60_000 }, 61_000, link)).toEqual([expect.objectContaining({ status: "resolved", resolvedAtMs: 61_000 })]);
  });
});
