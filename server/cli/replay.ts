// `riskwarden replay --config CONFIG.yaml --input FRAMES.jsonl [--json]`
// (shared contracts config-and-replay.md). Runs lib/oracle's parsers and detectors on a virtual clock.
import { readFileSync } from "node:fs";
import path from "node:path";
import { ConfigError, parseConfig } from "../../lib/config/riskwarden-config";
import { ReplayInputError, parseRecordedLine, replayFrames, type RecordedFrame, type ReplayOutput } from "../../lib/oracle/replay";
import { CliInputError } from "./errors";

const usage = "usage: riskwarden replay --config CONFIG.yaml --input FRAMES.jsonl [--json]";

interface ReplayArgs {
  config: string;
  input: string;
  json: boolean;
}

function parseArgs(args: string[]): ReplayArgs {
  let config: string | undefined;
  let input: string | undefined;
  let json = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const [flag, inline] = arg.includes("=") ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)] : [arg, undefined];
    const value = () => {
      const v = inline ?? args[++i];
      if (v === undefined || v === "") throw new CliInputError(`riskwarden replay: ${flag} needs a value; ${usage}`);
      return v;
    };
    if (flag === "--config") config = value();
    else if (flag === "--input") input = value();
    else if (flag === "--json") json = true;
    else throw new CliInputError(`riskwarden replay: unknown option ${JSON.stringify(arg)}; ${usage}`);
  }
  if (!config) throw new CliInputError(`riskwarden replay: --config is required; ${usage}`);
  if (!input) throw new CliInputError(`riskwarden replay: --input is required; ${usage}`);
  return { config, input, json };
}

function readText(file: string, what: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new CliInputError(`riskwarden replay: cannot read ${what} ${file}: ${code ?? String(error)}`);
  }
}

function* recordedFrames(text: string, name: string): Generator<RecordedFrame> {
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === "") continue;
    yield parseRecordedLine(line, `${name}:${i + 1}`);
  }
}

export function runReplayFiles(configFile: string, inputFile: string): ReplayOutput {
  const configText = readText(configFile, "config");
  let config;
  try {
    config = parseConfig(configText, path.basename(configFile));
  } catch (error) {
    if (error instanceof ConfigError) throw new CliInputError(error.message);
    throw error;
  }
  const inputText = readText(inputFile, "input");
  try {
    return replayFrames(config, recordedFrames(inputText, path.basename(inputFile)), path.basename(inputFile));
  } catch (error) {
    if (error instanceof ReplayInputError) throw new CliInputError(error.message);
    throw error;
  }
}

function humanSummary(out: ReplayOutput): string {
  const lines = [`frames ${out.frames}, ticks ${out.ticks}`];
  for (const r of out.rejected) lines.push(`rejected ${r.feed}: ${r.count} (${Object.entries(r.reasons).map(([k, v]) => `${k}: ${v}`).join(", ")})`);
  for (const [market, p] of Object.entries(out.prices)) {
    lines.push(`${market} reference ${p.reference ?? "-"}  ${Object.entries(p.sources).map(([f, v]) => `${f} ${v}`).join("  ")}`);
  }
  if (out.alerts.length === 0) lines.push("no alerts");
  for (const a of out.alerts) {
    lines.push(`${a.severity.padEnd(8)} ${a.fingerprint} fired ${new Date(a.firedAt).toISOString()} ${a.resolvedAt === null ? "still open" : `resolved ${new Date(a.resolvedAt).toISOString()}`} value ${a.value} threshold ${a.threshold}`);
  }
  return `${lines.join("\n")}\n`;
}

export async function runReplay(args: string[]): Promise<number> {
  const parsed = parseArgs(args);
  const out = runReplayFiles(parsed.config, parsed.input);
  process.stdout.write(parsed.json ? `${JSON.stringify(out, null, 2)}\n` : humanSummary(out));
  return 0;
}

export const run = runReplay;
