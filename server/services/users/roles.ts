// Role grants by address, audited. "holder" is implicit for anyone signed in.
import { getAddress } from "viem";
import type { PrismaClient } from "../../../generated/prisma/client";
import { AppError } from "../../errors";
import { GRANTABLE_ROLES, type GrantableRole, type Role } from "../../auth/roles";

export async function rolesOf(db: PrismaClient, address: string): Promise<Role[]> {
  const grants = await db.roleGrant.findMany({ where: { address }, select: { role: true } });
  return ["holder", ...grants.map((grant) => grant.role as GrantableRole).filter((role) => GRANTABLE_ROLES.includes(role))];
}

function normaliseAddress(address: string): `0x${string}` {
  try {
    return getAddress(address);
  } catch {
    throw new AppError("BAD_REQUEST", `address: expected a 0x-prefixed 20-byte address, got ${JSON.stringify(address)}`, {
      issues: [{ path: "address", reason: "not an Ethereum address" }],
    });
  }
}

export async function grantRole(db: PrismaClient, input: { address: string; role: GrantableRole; grantedBy: string }) {
  const address = normaliseAddress(input.address);
  return db.$transaction(async (tx) => {
    await tx.user.upsert({ where: { address }, create: { address }, update: {} });
    const existing = await tx.roleGrant.findUnique({ where: { address_role: { address, role: input.role } } });
    if (existing) return existing;
    const grant = await tx.roleGrant.create({ data: { address, role: input.role, grantedBy: input.grantedBy } });
    await tx.auditLog.create({ data: { actor: input.grantedBy, action: "role.grant", target: address, details: { role: input.role } } });
    return grant;
  });
}

export async function revokeRole(db: PrismaClient, input: { address: string; role: GrantableRole; revokedBy: string }) {
  const address = normaliseAddress(input.address);
  if (input.role === "admin" && address === input.revokedBy) {
    throw new AppError("BAD_REQUEST", "role: an admin cannot revoke their own admin role", { issues: [{ path: "role", reason: "self-revocation of admin" }] });
  }
  return db.$transaction(async (tx) => {
    const removed = await tx.roleGrant.deleteMany({ where: { address, role: input.role } });
    if (removed.count > 0) {
      await tx.auditLog.create({ data: { actor: input.revokedBy, action: "role.revoke", target: address, details: { role: input.role } } });
    }
    return { revoked: removed.count > 0 };
  });
}

export async function listRoleGrants(db: PrismaClient) {
  return db.roleGrant.findMany({ orderBy: [{ address: "asc" }, { role: "asc" }] });
}

export async function listAudit(db: PrismaClient, input: { limit: number; action?: string }) {
  return db.auditLog.findMany({ where: input.action ? { action: input.action } : undefined, orderBy: { at: "desc" }, take: input.limit });
}
