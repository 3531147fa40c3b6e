// Alert routes managed from the UI (file-managed routes come from the config file and are read-only
// here). Every matching route sends, in position order (contract config-and-replay.md); UI routes
// come after the file's.
import { randomUUID } from "node:crypto";
import { z } from "zod";
import { compileRoute, DEFAULT_GROUP_INTERVAL_MS, DEFAULT_GROUP_WAIT_MS, DEFAULT_REPEAT_INTERVAL_MS } from "../../../lib/alerts";
import type { PrismaClient } from "../../../generated/prisma/client";
import { AppError, invalidInput } from "../../errors";

/** UI routes are positioned after file routes (which take 0..n-1). */
export const UI_ROUTE_POSITION_BASE = 1000;

const labelName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "a label name");
export const routeInputSchema = z.object({
  match: z.record(labelName, z.union([z.string(), z.array(z.string())])).default({}),
  webhookIds: z.array(z.string().min(1)).min(1, "at least one webhook endpoint"),
  groupBy: z.array(z.string()).optional(),
  groupWaitMs: z.number().int().nonnegative().default(DEFAULT_GROUP_WAIT_MS),
  groupIntervalMs: z.number().int().positive().default(DEFAULT_GROUP_INTERVAL_MS),
  repeatIntervalMs: z.number().int().positive().default(DEFAULT_REPEAT_INTERVAL_MS),
  position: z.number().int().nonnegative().optional(),
});
export type RouteInput = z.input<typeof routeInputSchema>;

async function validated(db: PrismaClient, input: RouteInput, id: string) {
  const result = routeInputSchema.safeParse(input);
  if (!result.success) throw invalidInput(result.error.issues.map((i) => ({ path: i.path.join(".") || "route", reason: i.message })));
  const data = result.data;
  try {
    compileRoute({ id, match: data.match, webhooks: data.webhookIds, groupBy: data.groupBy, groupWaitMs: data.groupWaitMs, groupIntervalMs: data.groupIntervalMs, repeatIntervalMs: data.repeatIntervalMs }, 0);
  } catch (error) {
    throw invalidInput([{ path: "route", reason: (error as Error).message }]);
  }
  const known = new Set((await db.webhookEndpoint.findMany({ select: { id: true } })).map((e) => e.id));
  const unknown = data.webhookIds.filter((w) => !known.has(w));
  if (unknown.length > 0) throw invalidInput([{ path: "webhookIds", reason: `unknown endpoint(s) ${unknown.join(", ")}` }]);
  return data;
}

export async function listRoutes(db: PrismaClient) {
  return db.alertRoute.findMany({ orderBy: [{ position: "asc" }, { createdAt: "asc" }] });
}

export async function createRoute(db: PrismaClient, input: RouteInput) {
  const id = `route-${randomUUID().slice(0, 8)}`;
  const data = await validated(db, input, id);
  const last = await db.alertRoute.findFirst({ where: { managedByFile: false }, orderBy: { position: "desc" } });
  return db.alertRoute.create({
    data: {
      id,
      position: data.position ?? Math.max(UI_ROUTE_POSITION_BASE, (last?.position ?? UI_ROUTE_POSITION_BASE - 1) + 1),
      match: data.match,
      webhookIds: data.webhookIds,
      groupBy: data.groupBy ?? undefined,
      groupWaitMs: data.groupWaitMs,
      groupIntervalMs: data.groupIntervalMs,
      repeatIntervalMs: data.repeatIntervalMs,
    },
  });
}

async function uiRoute(db: PrismaClient, id: string) {
  const route = await db.alertRoute.findUnique({ where: { id } });
  if (!route) throw new AppError("NOT_FOUND", `No route ${id}`);
  if (route.managedByFile) throw new AppError("FORBIDDEN", `Route ${id} comes from the config file; change it there`);
  return route;
}

export async function updateRoute(db: PrismaClient, id: string, input: RouteInput) {
  const existing = await uiRoute(db, id);
  const data = await validated(db, input, id);
  return db.alertRoute.update({
    where: { id },
    data: {
      position: data.position ?? existing.position,
      match: data.match,
      webhookIds: data.webhookIds,
      groupBy: data.groupBy ?? undefined,
      groupWaitMs: data.groupWaitMs,
      groupIntervalMs: data.groupIntervalMs,
      repeatIntervalMs: data.repeatIntervalMs,
    },
  });
}

export async function deleteRoute(db: PrismaClient, id: string) {
  await uiRoute(db, id);
  await db.alertRoute.delete({ where: { id } });
  return { deleted: id };
}
