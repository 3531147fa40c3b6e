// Silences (Alertmanager semantics, lib/alerts silences.ts): matchers on labels, a time window, an
// author and a comment saying why. They hide FIRING notifications only; a resolve of an alert an
// endpoint was told about still goes out. Expiring sets endsAt to now (kept for the record).
import { z } from "zod";
import { compileMatcher, parseMatcher, type LabelMatcher } from "../../../lib/alerts";
import type { Prisma, PrismaClient } from "../../../generated/prisma/client";
import { AppError, invalidInput } from "../../errors";

export const createSilenceSchema = z.object({
  /** `{name, type, value}` or the text form `market=~"BTC-.*"`. */
  matchers: z.array(z.union([z.string(), z.object({ name: z.string(), type: z.enum(["=", "!=", "=~", "!~"]), value: z.string() })])).min(1, "at least one matcher"),
  startsAt: z.date().optional(),
  endsAt: z.date(),
  comment: z.string().min(1, "say why"),
});

export async function createSilence(db: PrismaClient, input: z.input<typeof createSilenceSchema> & { author: string }, nowMs = Date.now()) {
  const result = createSilenceSchema.safeParse(input);
  if (!result.success) throw invalidInput(result.error.issues.map((i) => ({ path: i.path.join(".") || "silence", reason: i.message })));
  const data = result.data;
  const matchers: LabelMatcher[] = [];
  for (const [index, m] of data.matchers.entries()) {
    try {
      const matcher = typeof m === "string" ? parseMatcher(m) : m;
      compileMatcher(matcher);
      matchers.push(matcher);
    } catch (error) {
      throw invalidInput([{ path: `matchers.${index}`, reason: (error as Error).message }]);
    }
  }
  const startsAt = data.startsAt ?? new Date(nowMs);
  if (data.endsAt.getTime() <= startsAt.getTime()) throw invalidInput([{ path: "endsAt", reason: "must be after startsAt" }]);
  return db.silence.create({ data: { matchers: matchers as unknown as Prisma.InputJsonValue, startsAt, endsAt: data.endsAt, author: input.author, comment: data.comment } });
}

export async function listSilences(db: PrismaClient, input: { includeExpired?: boolean } = {}, nowMs = Date.now()) {
  return db.silence.findMany({
    where: input.includeExpired ? {} : { endsAt: { gt: new Date(nowMs) } },
    orderBy: { createdAt: "desc" },
    take: 200,
  });
}

export async function expireSilence(db: PrismaClient, input: { id: string }, nowMs = Date.now()) {
  const silence = await db.silence.findUnique({ where: { id: input.id } });
  if (!silence) throw new AppError("NOT_FOUND", `No silence ${input.id}`);
  if (silence.managedByFile) throw new AppError("FORBIDDEN", "This silence comes from the config file; change it there");
  if (silence.endsAt.getTime() <= nowMs) throw new AppError("CONFLICT", "This silence has already ended");
  return db.silence.update({ where: { id: input.id }, data: { endsAt: new Date(nowMs) } });
}
