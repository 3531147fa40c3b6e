// At start, the config file's webhooks, routes and silences become database rows marked
// `managedByFile` (read-only in the UI, which shows a "from config file" badge). File entries that
// disappeared are removed: routes at once; endpoints too, unless they have delivery history or a UI
// route uses them (then they are disabled with a reason, and the history stays); silences end at
// once (kept for the record, like a silence expired in the UI) or, if they had not started, go.
// An endpoint whose URL fails the SSRF guard is stored DISABLED with the guard's reason rather than
// stopping the start (a DNS outage at boot must not take monitoring down).
import { encryptSecret, maskSecret } from "../../../lib/alerts";
import { ConfigError, type RiskwardenConfig, type SilenceConfig } from "../../../lib/config/riskwarden-config";
import type { Prisma, PrismaClient } from "../../../generated/prisma/client";
import { checkEndpointUrl, type AddressLookup } from "./url-check";

/** Config routes have no id in the file: their position names them. */
export function fileRouteId(index: number): string {
  return `file-${index}`;
}

export async function syncConfigFile(
  db: PrismaClient,
  input: {
    config: Pick<RiskwardenConfig, "webhooks" | "routes" | "security"> & Partial<Pick<RiskwardenConfig, "silences">>;
    appSecret: string;
    lookup?: AddressLookup;
    nowMs?: number;
  },
) {
  const allowHosts = input.config.security.allowWebhookHosts;
  const report = { endpoints: [] as string[], disabled: [] as { id: string; reason: string }[], removed: [] as string[], routes: input.config.routes.length };
  const existing = await db.webhookEndpoint.findMany({ select: { id: true, managedByFile: true, secretCipher: true, url: true, enabled: true, disabledReason: true } });
  const byId = new Map(existing.map((e) => [e.id, e]));
  for (const webhook of input.config.webhooks) {
    const verdict = await checkEndpointUrl(webhook.url, { allowHosts, lookup: input.lookup });
    const guardReason = verdict.allowed ? null : `config file URL refused: ${verdict.reason}`;
    if (guardReason) report.disabled.push({ id: webhook.id, reason: guardReason });
    const secretFields = webhook.secret
      ? { secretCipher: encryptSecret(webhook.secret, input.appSecret, { context: webhook.id }), secretHint: maskSecret(webhook.secret) }
      : { secretCipher: null, secretHint: null };
    const previous = byId.get(webhook.id);
    // Keep a runtime disable (410, long failure) of an unchanged endpoint across restarts.
    const keepDisabled = previous && previous.managedByFile && previous.url === webhook.url && !previous.enabled && !previous.disabledReason?.startsWith("config file URL refused");
    const enabledFields = guardReason ? { enabled: false, disabledReason: guardReason } : keepDisabled ? {} : { enabled: true, disabledReason: null };
    await db.webhookEndpoint.upsert({
      where: { id: webhook.id },
      create: { id: webhook.id, format: webhook.format, url: webhook.url, headers: webhook.headers, managedByFile: true, ...secretFields, ...enabledFields },
      update: { format: webhook.format, url: webhook.url, headers: webhook.headers, managedByFile: true, ...secretFields, ...enabledFields },
    });
    report.endpoints.push(webhook.id);
  }
  const inFile = new Set(input.config.webhooks.map((w) => w.id));
  const uiRoutes = await db.alertRoute.findMany({ where: { managedByFile: false }, select: { webhookIds: true } });
  const usedByUi = new Set(uiRoutes.flatMap((r) => r.webhookIds as string[]));
  for (const gone of existing.filter((e) => e.managedByFile && !inFile.has(e.id))) {
    const history = await db.outboxDelivery.count({ where: { endpointId: gone.id } });
    if (history > 0 || usedByUi.has(gone.id)) {
      await db.webhookEndpoint.update({ where: { id: gone.id }, data: { managedByFile: false, enabled: false, disabledReason: "removed from the config file" } });
    } else {
      await db.webhookEndpoint.delete({ where: { id: gone.id } });
    }
    report.removed.push(gone.id);
  }
  await db.$transaction([
    db.alertRoute.deleteMany({ where: { managedByFile: true } }),
    db.alertRoute.createMany({
      data: input.config.routes.map((route, index) => ({
        id: fileRouteId(index),
        position: index,
        match: route.match,
        webhookIds: route.webhooks,
        groupWaitMs: route.groupWaitMs,
        groupIntervalMs: route.groupIntervalMs,
        repeatIntervalMs: route.repeatIntervalMs,
        managedByFile: true,
      })),
    }),
  ]);
  return { ...report, silences: await syncFileSilences(db, input.config.silences ?? [], input.nowMs ?? Date.now()) };
}

/**
 * The file's silences by their `id` (stable across restarts: an unchanged entry is rewritten in
 * place, never duplicated). `startsAt` left out of the file is the first start that saw the entry.
 * An entry that already ended is stored only if it was stored before (to record its new end).
 */
export async function syncFileSilences(db: PrismaClient, silences: readonly SilenceConfig[], nowMs: number) {
  const report = { active: [] as string[], alreadyEnded: [] as string[], ended: [] as string[], removed: [] as string[] };
  const existing = await db.silence.findMany({ select: { id: true, managedByFile: true, startsAt: true, endsAt: true } });
  const byId = new Map(existing.map((s) => [s.id, s]));
  const writes: Prisma.PrismaPromise<unknown>[] = [];
  silences.forEach((silence, index) => {
    const previous = byId.get(silence.id);
    if (previous && !previous.managedByFile) {
      throw new ConfigError(`config file: silences[${index}].id: expected an id not used by a silence created in the UI, got ${JSON.stringify(silence.id)}`, `silences[${index}].id`);
    }
    const endsAtMs = Date.parse(silence.endsAt);
    if (endsAtMs <= nowMs) {
      report.alreadyEnded.push(silence.id);
      if (!previous) return;
    } else {
      report.active.push(silence.id);
    }
    const previousStartMs = previous?.startsAt.getTime();
    const startsAtMs = silence.startsAt !== undefined ? Date.parse(silence.startsAt) : previousStartMs !== undefined && previousStartMs < endsAtMs ? previousStartMs : Math.min(nowMs, endsAtMs);
    const data = {
      matchers: silence.matchers as unknown as Prisma.InputJsonValue,
      startsAt: new Date(startsAtMs),
      endsAt: new Date(endsAtMs),
      author: silence.createdBy,
      comment: silence.comment,
      managedByFile: true,
    };
    writes.push(db.silence.upsert({ where: { id: silence.id }, create: { id: silence.id, ...data }, update: data }));
  });
  const inFile = new Set(silences.map((s) => s.id));
  for (const gone of existing.filter((s) => s.managedByFile && !inFile.has(s.id))) {
    if (gone.startsAt.getTime() > nowMs) {
      writes.push(db.silence.delete({ where: { id: gone.id } }));
      report.removed.push(gone.id);
    } else if (gone.endsAt.getTime() > nowMs) {
      writes.push(db.silence.update({ where: { id: gone.id }, data: { endsAt: new Date(nowMs) } }));
      report.ended.push(gone.id);
    }
  }
  if (writes.length > 0) await db.$transaction(writes);
  return report;
}
