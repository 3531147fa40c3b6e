// Governance settings in force: lib/governance defaults, overridden by the config file's
// `governance:` key (validated once at start), overridden at run time by the steward pause switch
// (GovernanceSetting rows, audited). `votingToken` in the same key names the ERC20Votes token read
// through RPC_URL; it is not a lib/governance setting and is split off before validation.
import { parseGovernanceSettings, type GovernanceSettings } from "../../../lib/governance";
import type { Prisma } from "../../../generated/prisma/client";
import { AppError } from "../../errors";
import type { Db, Tx } from "../../db";

export const STEWARD_PAUSED_KEY = "steward.paused";

export type GovernanceConfig = { settings: GovernanceSettings; votingToken?: `0x${string}` };

/** Validates the config file's `governance:` value; throws one line per problem (start fails). */
export function governanceConfigFrom(raw: unknown): GovernanceConfig {
  const { votingToken, ...overrides } = (raw ?? {}) as Record<string, unknown>;
  if (votingToken !== undefined && (typeof votingToken !== "string" || !/^0x[0-9a-fA-F]{40}$/.test(votingToken))) {
    throw new Error(`config: governance.votingToken: expected a 0x-prefixed 20-byte address, got ${JSON.stringify(votingToken)}`);
  }
  const parsed = parseGovernanceSettings(overrides);
  if (!parsed.ok) {
    throw new Error(parsed.issues.map((issue) => `config: governance.${issue.path}: ${issue.reason}`).join("\n"));
  }
  return { settings: parsed.settings, ...(votingToken ? { votingToken: votingToken as `0x${string}` } : {}) };
}

/** Base settings with the run-time overrides stored in the database. */
export async function settingsInForce(db: Db | Tx, base: GovernanceSettings): Promise<GovernanceSettings> {
  const paused = await db.governanceSetting.findUnique({ where: { key: STEWARD_PAUSED_KEY } });
  if (!paused) return base;
  return { ...base, steward: { ...base.steward, paused: paused.value === true } };
}

/** The steward pause switch (committee or admin), audited. */
export async function setStewardPaused(db: Db, input: { paused: boolean; actor: string; reason?: string }) {
  if (input.reason !== undefined && input.reason.length > 2000) throw new AppError("BAD_REQUEST", "reason: at most 2000 characters");
  await db.$transaction(async (tx) => {
    await tx.governanceSetting.upsert({
      where: { key: STEWARD_PAUSED_KEY },
      create: { key: STEWARD_PAUSED_KEY, value: input.paused, updatedBy: input.actor },
      update: { value: input.paused, updatedBy: input.actor },
    });
    await tx.auditLog.create({
      data: { actor: input.actor, action: input.paused ? "steward.pause" : "steward.unpause", target: "steward", details: { reason: input.reason ?? null } as Prisma.InputJsonValue },
    });
  });
  return { paused: input.paused };
}
