// Starts the runtime (database, migrations, demo, feeds, workers) when the server boots, so the
// dashboard is live before the first request.
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { startServerRuntime } = await import("./server/boot");
  await startServerRuntime();
}
