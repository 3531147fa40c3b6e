// Acknowledgement by on-call: stops repeat notifications of the alert while it keeps firing
// (lib/alerts Notifier); new firing alerts and the resolve still go out.
import type { PrismaClient } from "../../../generated/prisma/client";
import { AppError } from "../../errors";
import type { AlertingEngine, RecordResult } from "./alerting-engine";

export async function acknowledgeAlert(db: PrismaClient, engine: AlertingEngine, input: { fingerprint: string; actor: string }): Promise<RecordResult> {
  const result = await engine.acknowledge(input.fingerprint, input.actor);
  if (result.changed) return result;
  const open = await db.alert.findFirst({ where: { fingerprint: input.fingerprint, resolvedAt: null } });
  if (!open) throw new AppError("NOT_FOUND", `No open alert ${input.fingerprint}`);
  throw new AppError("CONFLICT", `Alert ${input.fingerprint} was already acknowledged by ${open.acknowledgedBy ?? "someone"}`);
}
