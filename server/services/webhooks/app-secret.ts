// The key material for webhook secrets at rest (lib/alerts secrets.ts): APP_SECRET. Demo mode may run
// without one; it then uses a fixed, public demo key: demo data is not secret, and a real deployment
// cannot start without APP_SECRET (server/env.ts).
import type { AppEnv } from "../../env";
import { AppError } from "../../errors";

const DEMO_APP_SECRET = "riskwarden-demo-mode-app-secret-not-for-production";

export function appSecretFor(env: Pick<AppEnv, "appSecret" | "demo">): string {
  if (env.appSecret) return env.appSecret;
  if (env.demo) return DEMO_APP_SECRET;
  throw new AppError("PRECONDITION_FAILED", "APP_SECRET is not set; webhook secrets cannot be stored");
}
