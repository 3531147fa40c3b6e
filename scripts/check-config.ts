// Validates the environment and RISKWARDEN_CONFIG; prints one line naming the bad value and exits 1.
import { ConfigError, parseEnv } from "../server/env";
import { loadConfigFile } from "../server/runtime";

try {
  const env = parseEnv(process.env);
  await loadConfigFile(env.configPath, process.env);
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(`riskwarden: ${error.message}`);
    process.exit(1);
  }
  throw error;
}
