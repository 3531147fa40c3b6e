// Webhook endpoints: create (secret generated and returned ONCE, stored encrypted with APP_SECRET),
// update, enable/disable, rotate secret, delete, list. Endpoints from the config file are managed by
// the file (`managedByFile`) and refused here, except enabling/disabling (an on-call action).
import { z } from "zod";
import { decryptSecret, encryptSecret, ENDPOINT_FORMATS, maskSecret, newWebhookSecret } from "../../../lib/alerts";
import type { Prisma, PrismaClient } from "../../../generated/prisma/client";
import { AppError, invalidInput } from "../../errors";
import { assertEndpointUrl, type AddressLookup } from "./url-check";

export const endpointIdSchema = z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, "letters, digits, . _ - (1-64)");

export type GuardOptions = { allowHosts: readonly string[]; lookup?: AddressLookup };

/** Columns safe to show: never the cipher text. */
export const endpointPublicSelect = {
  id: true,
  format: true,
  url: true,
  managedByFile: true,
  enabled: true,
  disabledReason: true,
  failingSince: true,
  pausedUntil: true,
  secretHint: true,
  headers: true,
  createdAt: true,
} satisfies Prisma.WebhookEndpointSelect;

function parseOrThrow<T>(schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value);
  if (!result.success) throw invalidInput(result.error.issues.map((i) => ({ path: i.path.join(".") || "input", reason: i.message })));
  return result.data;
}

export const createEndpointSchema = z.object({
  id: endpointIdSchema,
  format: z.enum(ENDPOINT_FORMATS),
  url: z.string().min(1),
  headers: z.record(z.string(), z.string()).optional(),
  /** PagerDuty: the integration (routing) key. Other formats: leave empty to generate `whsec_…`. */
  secret: z.string().min(1).optional(),
});

export async function createEndpoint(
  db: PrismaClient,
  input: z.input<typeof createEndpointSchema>,
  options: GuardOptions & { appSecret: string },
): Promise<{ endpoint: Prisma.WebhookEndpointGetPayload<{ select: typeof endpointPublicSelect }>; secret: string }> {
  const data = parseOrThrow(createEndpointSchema, input);
  await assertEndpointUrl(data.url, options);
  if (data.format === "pagerduty" && !data.secret) throw invalidInput([{ path: "secret", reason: "a PagerDuty endpoint needs its integration (routing) key" }]);
  const secret = data.secret ?? newWebhookSecret();
  if (await db.webhookEndpoint.findUnique({ where: { id: data.id } })) throw new AppError("CONFLICT", `Endpoint ${data.id} already exists`);
  const endpoint = await db.webhookEndpoint.create({
    data: {
      id: data.id,
      format: data.format,
      url: data.url,
      headers: data.headers ?? undefined,
      secretCipher: encryptSecret(secret, options.appSecret, { context: data.id }),
      secretHint: maskSecret(secret),
    },
    select: endpointPublicSelect,
  });
  return { endpoint, secret };
}

async function editableEndpoint(db: PrismaClient, id: string) {
  const endpoint = await db.webhookEndpoint.findUnique({ where: { id } });
  if (!endpoint) throw new AppError("NOT_FOUND", `No endpoint ${id}`);
  return endpoint;
}

function refuseFileManaged(endpoint: { id: string; managedByFile: boolean }) {
  if (endpoint.managedByFile) throw new AppError("FORBIDDEN", `Endpoint ${endpoint.id} comes from the config file; change it there`);
}

export const updateEndpointSchema = z.object({
  id: endpointIdSchema,
  url: z.string().min(1).optional(),
  format: z.enum(ENDPOINT_FORMATS).optional(),
  headers: z.record(z.string(), z.string()).optional(),
});

export async function updateEndpoint(db: PrismaClient, input: z.input<typeof updateEndpointSchema>, options: GuardOptions) {
  const data = parseOrThrow(updateEndpointSchema, input);
  const endpoint = await editableEndpoint(db, data.id);
  refuseFileManaged(endpoint);
  if (data.url !== undefined) await assertEndpointUrl(data.url, options);
  return db.webhookEndpoint.update({
    where: { id: data.id },
    data: { url: data.url, format: data.format, headers: data.headers },
    select: endpointPublicSelect,
  });
}

/** Enables (clearing the failure streak and pause) or disables an endpoint; file-managed ones too. */
export async function setEndpointEnabled(db: PrismaClient, input: { id: string; enabled: boolean; reason?: string; actor: string }) {
  await editableEndpoint(db, input.id);
  return db.webhookEndpoint.update({
    where: { id: input.id },
    data: input.enabled
      ? { enabled: true, disabledReason: null, failingSince: null, pausedUntil: null }
      : { enabled: false, disabledReason: input.reason ?? `disabled by ${input.actor}` },
    select: endpointPublicSelect,
  });
}

/** New secret, returned once. The old one stops signing immediately (receivers must be updated). */
export async function rotateEndpointSecret(db: PrismaClient, input: { id: string; secret?: string }, options: { appSecret: string }) {
  const endpoint = await editableEndpoint(db, input.id);
  refuseFileManaged(endpoint);
  const secret = input.secret ?? (endpoint.format === "pagerduty" ? null : newWebhookSecret());
  if (!secret) throw invalidInput([{ path: "secret", reason: "a PagerDuty endpoint needs its integration (routing) key" }]);
  await db.webhookEndpoint.update({
    where: { id: input.id },
    data: { secretCipher: encryptSecret(secret, options.appSecret, { context: input.id }), secretHint: maskSecret(secret) },
  });
  return { secret };
}

/** Deletes an endpoint with its delivery log; refused while a route still names it. */
export async function deleteEndpoint(db: PrismaClient, input: { id: string }) {
  const endpoint = await editableEndpoint(db, input.id);
  refuseFileManaged(endpoint);
  const routes = await db.alertRoute.findMany({ select: { id: true, webhookIds: true } });
  const users = routes.filter((r) => (r.webhookIds as string[]).includes(input.id)).map((r) => r.id);
  if (users.length > 0) throw new AppError("CONFLICT", `Endpoint ${input.id} is used by route(s) ${users.join(", ")}; remove it there first`);
  await db.$transaction([
    db.deliveryAttempt.deleteMany({ where: { delivery: { endpointId: input.id } } }),
    db.outboxDelivery.deleteMany({ where: { endpointId: input.id } }),
    db.webhookEndpoint.delete({ where: { id: input.id } }),
  ]);
  return { deleted: input.id };
}

export async function listEndpoints(db: PrismaClient) {
  const [endpoints, counts] = await Promise.all([
    db.webhookEndpoint.findMany({ orderBy: [{ managedByFile: "desc" }, { id: "asc" }], select: endpointPublicSelect }),
    db.outboxDelivery.groupBy({ by: ["endpointId", "status"], _count: { _all: true } }),
  ]);
  return endpoints.map((e) => {
    const byStatus: Record<string, number> = {};
    for (const c of counts) if (c.endpointId === e.id) byStatus[c.status] = c._count._all;
    return { ...e, deliveries: byStatus };
  });
}

/** Decrypted signing secret (or PagerDuty routing key) of an endpoint; null when it has none. */
export function endpointSecret(endpoint: { id: string; secretCipher: string | null }, appSecret: string): string | null {
  return endpoint.secretCipher ? decryptSecret(endpoint.secretCipher, appSecret, { context: endpoint.id }) : null;
}
