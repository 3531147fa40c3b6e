// Governance in a real browser, in demo mode: a committee member drafts a change and sees its
// preview as they type, submits; two other members approve (2-of-3); the admin moves the demo
// clock; holders vote with server-signed EIP-712 votes; time advances through the vote and the
// timelock; the scheduler executes; the market shows parameter version 2.
import { describe, expect, inject, it } from "vitest";
import path from "node:path";
import type { Page } from "playwright-core";
import { demoSessions, screenshotDir } from "./browser";

const baseUrl = inject("baseUrl");
const DAY_MS = 86_400_000;
const { signedIn } = demoSessions(baseUrl);

async function stateOf(page: Page): Promise<string | null> {
  return page.getByTestId("proposal-detail").getAttribute("data-state");
}

describe("governance", () => {
  it("drafts with live preview, reviews, votes, advances time and executes into version 2", async () => {
    const alice = await signedIn("committee-1");
    await alice.goto(`${baseUrl}/proposals/new`);
    await alice.getByTestId("editor-title").fill("ETH maintenance margin 3 % → 3.5 %");
    await alice.getByTestId("editor-rationale").fill("Live EWMA volatility puts the floor above 3 %.");
    await alice.getByTestId("change-market-0").selectOption("ETH-USD");
    await alice.getByTestId("change-path-0").selectOption("maintenanceMarginFraction");
    // An invariant break is shown as the user types, with the field…
    await alice.getByTestId("change-value-0").fill("0.06");
    await expect.poll(() => alice.getByTestId("preview-issues").textContent(), { timeout: 15_000 }).toContain('markets["ETH-USD"].maintenanceMarginFraction');
    // …and a valid value previews its effect on the demo book, with the tier.
    await alice.getByTestId("change-value-0").fill("0.035");
    await alice.getByTestId("newly-liquidatable").waitFor({ timeout: 20_000 });
    await expect.poll(() => alice.getByTestId("live-preview").getByTestId("tier-chip").first().textContent()).toBe("minor");
    await alice.screenshot({ path: path.join(screenshotDir, "governance-editor.png"), fullPage: true });
    await alice.getByTestId("save-submit").click();
    await alice.waitForURL(/\/proposals\/prop_/);
    const proposalUrl = alice.url();
    await expect.poll(() => stateOf(alice), { timeout: 15_000 }).toBe("CommitteeReview");

    for (const member of ["committee-2", "committee-3"]) {
      const page = await signedIn(member);
      await page.goto(proposalUrl);
      await page.getByTestId("action-approve").click();
      await expect.poll(() => page.getByTestId("reviews").textContent(), { timeout: 15_000 }).toContain("approve");
    }
    await alice.reload();
    await expect.poll(() => stateOf(alice), { timeout: 15_000 }).toBe("Pending");

    const admin = await signedIn("admin-1");
    await admin.goto(proposalUrl);
    await admin.getByTestId(`demo-advance-${DAY_MS}`).click();
    await expect.poll(() => stateOf(admin), { timeout: 15_000 }).toBe("Active");

    for (const [holder, button, reason] of [
      ["holder-1", "vote-for", "the preview shows few accounts at risk"],
      ["holder-2", "vote-against", ""],
    ] as const) {
      const page = await signedIn(holder);
      await page.goto(proposalUrl);
      await page.getByTestId("voter-power").waitFor({ timeout: 15_000 });
      if (reason) await page.getByTestId("action-text").fill(reason);
      await page.getByTestId(button).click();
      await expect.poll(() => page.getByTestId("votes-table").textContent(), { timeout: 15_000 }).toContain(button === "vote-for" ? "for" : "against");
    }
    await admin.reload();
    await expect.poll(() => admin.getByTestId("vote-row").count(), { timeout: 15_000 }).toBe(2);
    await expect.poll(() => admin.getByTestId("votes-table").textContent()).toContain("EIP-712 ✓");
    await admin.screenshot({ path: path.join(screenshotDir, "governance-voting.png"), fullPage: true });

    // Three days of voting (minor level), then one day of timelock: the scheduler executes.
    await admin.getByTestId(`demo-advance-${3 * DAY_MS}`).click();
    await expect.poll(() => stateOf(admin), { timeout: 15_000 }).toBe("Queued");
    await admin.getByTestId(`demo-advance-${DAY_MS}`).click();
    await expect.poll(() => stateOf(admin), { timeout: 15_000 }).toBe("Executed");
    await expect.poll(() => admin.getByTestId("timeline").textContent()).toContain("executed");
    await expect.poll(() => admin.getByTestId("executed-versions").textContent()).toContain("ETH-USD v2");
    await admin.screenshot({ path: path.join(screenshotDir, "governance-executed.png"), fullPage: true });

    await admin.goto(`${baseUrl}/`);
    await expect.poll(() => admin.getByTestId("market-row-ETH-USD").textContent(), { timeout: 15_000 }).toContain("v2");
    await expect.poll(() => admin.getByTestId("market-row-ETH-USD").textContent()).toContain("3.50 %");
    // The market page lists version 2 as active, linked to the proposal that created it.
    await admin.goto(`${baseUrl}/markets/ETH-USD`);
    await expect.poll(() => admin.getByTestId("version-row-2").textContent(), { timeout: 20_000 }).toContain("active");
    await expect.poll(() => admin.getByTestId("version-row-2").textContent()).toContain("proposal #1");

    // Fast lane: a steward update within bounds applies at once, one beyond them is refused with the rule.
    await admin.goto(`${baseUrl}/proposals/steward`);
    await admin.getByTestId("steward-market").selectOption("BTC-USD");
    await admin.getByTestId("steward-path").selectOption("liquidationPenalty");
    await admin.getByTestId("steward-value").fill("0.02");
    await admin.getByTestId("steward-apply").click();
    await expect.poll(() => admin.getByTestId("steward-message").textContent(), { timeout: 15_000 }).toContain("UpdateNotInRange");
    await admin.getByTestId("steward-value").fill("0.011");
    await admin.getByTestId("steward-apply").click();
    await expect.poll(() => admin.getByTestId("steward-message").textContent(), { timeout: 15_000 }).toContain("Applied");
    await expect.poll(() => admin.getByTestId("steward-history").textContent(), { timeout: 15_000 }).toContain("liquidationPenalty");
    await admin.screenshot({ path: path.join(screenshotDir, "governance-steward.png"), fullPage: true });

    await admin.goto(`${baseUrl}/audit`);
    await expect.poll(() => admin.getByTestId("audit-table").textContent(), { timeout: 15_000 }).toContain("proposal.execute");
    await expect.poll(() => admin.getByTestId("audit-table").textContent()).toContain("steward.update");
  });
});
