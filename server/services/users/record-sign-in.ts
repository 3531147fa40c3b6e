import type { PrismaClient } from "../../../generated/prisma/client";

/** Marks the nonce used and upserts the user; false when the nonce was already used (replay). */
export async function recordSignIn(db: PrismaClient, input: { address: string; nonce: string }): Promise<boolean> {
  const inserted = await db.$executeRaw`INSERT INTO "SiweNonce" ("nonce", "address") VALUES (${input.nonce}, ${input.address}) ON CONFLICT DO NOTHING`;
  if (inserted === 0) return false;
  await db.user.upsert({
    where: { address: input.address },
    create: { address: input.address, lastLoginAt: new Date() },
    update: { lastLoginAt: new Date() },
  });
  return true;
}
