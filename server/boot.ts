import { getRuntime, stopRuntime } from "./runtime";

/** Called once by Next's instrumentation hook in the Node.js runtime. */
export async function startServerRuntime(): Promise<void> {
  try {
    const runtime = await getRuntime();
    console.log(`[riskwarden] ready: ${runtime.database.kind} database, ${runtime.env.demo ? "demo mode" : "configured"}, ${runtime.env.publicUrl}`);
    const shutdown = async (signal: string) => {
      console.log(`[riskwarden] ${signal}: stopping`);
      await stopRuntime(runtime).catch(() => {});
      process.exit(0);
    };
    process.once("SIGTERM", () => void shutdown("SIGTERM"));
    process.once("SIGINT", () => void shutdown("SIGINT"));
  } catch (error) {
    console.error(`[riskwarden] cannot start: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
}
