// Roles by address. "holder" is anyone signed in; the others are granted (RoleGrant) and audited.
export const GRANTABLE_ROLES = ["committee", "oncall", "admin"] as const;
export type GrantableRole = (typeof GRANTABLE_ROLES)[number];
export type Role = "holder" | GrantableRole;

export type SessionUser = { address: `0x${string}`; roles: Role[] };
