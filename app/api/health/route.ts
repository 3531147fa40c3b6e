import { getRuntime } from "@/server/runtime";
import { migrationsDirectory } from "@/server/db";
import { pendingMigrations, readMigrations } from "@/server/db/migrate";

export const dynamic = "force-dynamic";

/** Database reachable, migrations current, each subsystem's (feeds, workers) state. 503 when not healthy. */
export async function GET() {
  const runtime = await getRuntime();
  let database: { reachable: boolean; kind: string; error?: string } = { reachable: false, kind: runtime.database.kind };
  let migrations: { current: boolean; pending: string[] } = { current: false, pending: [] };
  try {
    await runtime.database.sql.query("SELECT 1");
    database = { reachable: true, kind: runtime.database.kind };
    const pending = await pendingMigrations(runtime.database.sql, await readMigrations(migrationsDirectory));
    migrations = { current: pending.length === 0, pending };
  } catch (error) {
    database.error = error instanceof Error ? error.message : String(error);
  }
  const subsystems = Object.fromEntries([...runtime.subsystems].map(([name, subsystem]) => [name, subsystem.health?.() ?? { running: true }]));
  const healthy = database.reachable && migrations.current;
  return Response.json(
    { status: healthy ? "ok" : "degraded", demo: runtime.env.demo, startedAt: runtime.startedAt, database, migrations, ...subsystems },
    { status: healthy ? 200 : 503 },
  );
}
