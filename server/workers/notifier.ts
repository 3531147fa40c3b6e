// The notifier worker and the alerting subsystem. The worker sleeps until the Notifier's next
// group-wait/interval timer (`nextWakeAtMs`, at most 1 s so a missed poke costs little) and then
// has the engine write the due notifications into the outbox, transactionally.
// At start the subsystem copies the config file's webhooks, routes and silences into the database
// (managedByFile), then restores the Notifier from its persisted state.
import type { Runtime, Subsystem } from "../runtime-types";
import { AlertingEngine } from "../services/alerts/alerting-engine";
import { syncConfigFile } from "../services/webhooks/sync-config";
import { startDemoReceiver } from "./notifier-demo";
import { AppError } from "../errors";
import type { AlertEvent as OracleAlertEvent } from "../../lib/oracle/types";
import { fromOracleEvent, recordAlertEvent } from "../services/alerts/record-alert-event";

export class NotifierWorker {
  private running = false;
  private done: Promise<void> = Promise.resolve();
  private wakeUp: (() => void) | null = null;

  constructor(
    private readonly engine: AlertingEngine,
    private readonly options: { nowMs?: () => number; maxSleepMs?: number } = {},
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.done = this.loop();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.poke();
    await this.done;
  }

  /** The next wake-up time may have moved (a new group was opened). */
  poke(): void {
    this.wakeUp?.();
  }

  private async loop(): Promise<void> {
    const now = this.options.nowMs ?? Date.now;
    const maxSleepMs = this.options.maxSleepMs ?? 1000;
    while (this.running) {
      const next = this.engine.nextWakeAtMs();
      if (next !== null && next <= now()) {
        await this.engine.flushDue().catch((error) => console.error(`[notifier] flush failed: ${(error as Error).message}`));
        continue;
      }
      const waitMs = next === null ? maxSleepMs : Math.min(maxSleepMs, next - now());
      await new Promise<void>((resolve) => {
        let timer: NodeJS.Timeout | undefined;
        const finish = () => {
          clearTimeout(timer);
          this.wakeUp = null;
          resolve();
        };
        timer = setTimeout(finish, Math.max(1, waitMs));
        this.wakeUp = finish;
      });
    }
  }
}

export type AlertingSubsystem = Subsystem & {
  engine: AlertingEngine;
  worker: NotifierWorker;
  /** The feeds subsystem hands detector events here (server/services/oracle/feeds-subsystem.ts). */
  recordOracleEvent(event: OracleAlertEvent): Promise<void>;
};

export async function startAlerting(runtime: Runtime): Promise<AlertingSubsystem> {
  const db = runtime.database.prisma;
  if (runtime.config) {
    const report = await syncConfigFile(db, { config: runtime.config, appSecret: runtime.appSecret });
    for (const d of report.disabled) console.warn(`[alerting] webhook ${d.id} disabled: ${d.reason}`);
    for (const id of report.silences.alreadyEnded) console.warn(`[alerting] config file silence ${id} has already ended; remove it from the file`);
  }
  // Demo mode without a config file: a local receiver so deliveries can be seen end to end.
  const demoReceiver = runtime.env.demo && !runtime.config ? await startDemoReceiver(db, runtime.appSecret) : null;
  let worker: NotifierWorker | null = null;
  const engine = await AlertingEngine.open(db, {
    appBaseUrl: runtime.env.publicUrl,
    pool: runtime.database.pool,
    onCommitted({ alertChanges, outboxRows, handedOff }) {
      for (const change of alertChanges) runtime.bus.publish("alert.changed", change);
      // Rows handed to the dispatcher are on their way; the rest wait for its claim.
      if (outboxRows > handedOff) runtime.bus.publish("outbox.enqueued", { count: outboxRows - handedOff, at: Date.now() });
      worker?.poke();
    },
  });
  worker = new NotifierWorker(engine);
  const unsubscribe = runtime.bus.subscribe("alerting.config.changed", () => {
    engine.reload().catch((error) => console.error(`[alerting] reload failed: ${(error as Error).message}`));
  });
  worker.start();
  const started = worker;
  return {
    name: "alerting",
    engine,
    worker: started,
    async recordOracleEvent(event) {
      await recordAlertEvent(engine, fromOracleEvent(event));
    },
    health: () => ({ groups: engine.groupsView().length, nextWakeAtMs: engine.nextWakeAtMs() }),
    async stop() {
      unsubscribe();
      await started.stop();
      await engine.idle();
      await demoReceiver?.stop();
    },
  };
}

/** The alerting engine of this runtime (for services called from routers, feeds, risk monitors). */
export function alertingEngineOf(runtime: Runtime): AlertingEngine {
  const subsystem = runtime.subsystems.get("alerting") as AlertingSubsystem | undefined;
  if (!subsystem?.engine) throw new AppError("INTERNAL", "Alerting is not running", { internal: "alerting subsystem not started" });
  return subsystem.engine;
}
