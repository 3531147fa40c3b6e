import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestDatabase, testDatabaseKinds, type TestDatabase } from "../../testing/databases";
import { grantRole, revokeRole, rolesOf } from "./roles";
import { recordSignIn } from "./record-sign-in";

const ADMIN = "0x00000000000000000000000000000000000000Ad";
const ALICE = "0x1111111111111111111111111111111111111111";

describe.each(testDatabaseKinds())("roles (%s)", (kind) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await openTestDatabase(kind);
  });
  afterAll(async () => {
    await db?.dispose();
  });

  it("grants, lists and revokes roles, each change audited", async () => {
    expect(await rolesOf(db.prisma, ALICE)).toEqual(["holder"]);
    await grantRole(db.prisma, { address: ALICE.toLowerCase(), role: "committee", grantedBy: ADMIN });
    await grantRole(db.prisma, { address: ALICE, role: "committee", grantedBy: ADMIN }); // idempotent
    await grantRole(db.prisma, { address: ALICE, role: "oncall", grantedBy: ADMIN });
    expect((await rolesOf(db.prisma, ALICE)).sort()).toEqual(["committee", "holder", "oncall"]);
    await revokeRole(db.prisma, { address: ALICE, role: "oncall", revokedBy: ADMIN });
    expect((await rolesOf(db.prisma, ALICE)).sort()).toEqual(["committee", "holder"]);
    const audit = await db.prisma.auditLog.findMany({ where: { target: ALICE }, orderBy: { id: "asc" } });
    expect(audit.map((entry) => [entry.action, (entry.details as { role: string }).role, entry.actor])).toEqual([
      ["role.grant", "committee", ADMIN],
      ["role.grant", "oncall", ADMIN],
      ["role.revoke", "oncall", ADMIN],
    ]);
  });

  it("refuses a malformed address with the field and reason", async () => {
    await expect(grantRole(db.prisma, { address: "0x123", role: "admin", grantedBy: ADMIN })).rejects.toMatchObject({ code: "BAD_REQUEST", issues: [{ path: "address" }] });
  });

  it("accepts a SIWE nonce once", async () => {
    expect(await recordSignIn(db.prisma, { address: ALICE, nonce: "nonce-abc-123" })).toBe(true);
    expect(await recordSignIn(db.prisma, { address: ALICE, nonce: "nonce-abc-123" })).toBe(false);
  });
});
