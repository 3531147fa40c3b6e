// Replay of recorded frames through the live parsers and detectors on a virtual clock
// (shared contracts config-and-replay.md, `riskwarden replay`). Pure: the CLI reads the files.
// The clock starts at the first frame's receivedAt and advances to each frame's receivedAt;
// time-driven checks are evaluated on the engine's grid as the clock passes, never by wall time.
import type { RiskwardenConfig } from "../config/riskwarden-config";
import { OracleEngine, engineOptionsFromConfig } from "./detectors";
import { createFeedParser } from "./parsers/index";
import type { AlertEvent, FeedParser } from "./types";

export interface RecordedFrame {
  receivedAt: number;
  feed: string;
  frame: string;
}

export interface ReplayAlert {
  fingerprint: string;
  check: string;
  market: string | null;
  feed: string;
  severity: string;
  firedAt: number;
  resolvedAt: number | null;
  value: number;
  threshold: number;
}

export interface ReplayOutput {
  frames: number;
  ticks: number;
  rejected: Array<{ feed: string; count: number; reasons: Record<string, number> }>;
  prices: Record<string, { reference: number | null; sources: Record<string, number> }>;
  alerts: ReplayAlert[];
}

export class ReplayInputError extends Error {}

/** Parse one JSONL line; `where` (e.g. "frames.jsonl:12") prefixes errors. */
export function parseRecordedLine(line: string, where: string): RecordedFrame {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw new ReplayInputError(`${where}: expected a JSON object {"receivedAt","feed","frame"}, got ${JSON.stringify(line.slice(0, 60))}`);
  }
  const record = value as Partial<RecordedFrame> | null;
  if (!record || typeof record !== "object") throw new ReplayInputError(`${where}: expected a JSON object {"receivedAt","feed","frame"}`);
  if (typeof record.receivedAt !== "number" || !Number.isFinite(record.receivedAt)) throw new ReplayInputError(`${where}: receivedAt: expected epoch milliseconds, got ${JSON.stringify(record.receivedAt)}`);
  if (typeof record.feed !== "string") throw new ReplayInputError(`${where}: feed: expected a feed id, got ${JSON.stringify(record.feed)}`);
  if (typeof record.frame !== "string") throw new ReplayInputError(`${where}: frame: expected the text frame as a string, got ${JSON.stringify(record.frame)?.slice(0, 60)}`);
  return { receivedAt: record.receivedAt, feed: record.feed, frame: record.frame };
}

export function replayFrames(config: RiskwardenConfig, frames: Iterable<RecordedFrame>, inputName = "input"): ReplayOutput {
  const parsers = new Map<string, FeedParser>();
  for (const feed of config.feeds) parsers.set(feed.id, createFeedParser(feed));
  let engine: OracleEngine | null = null;
  const events: AlertEvent[] = [];
  let frameCount = 0;
  let tickCount = 0;
  let lastAt = Number.NEGATIVE_INFINITY;

  for (const recorded of frames) {
    frameCount++;
    const parser = parsers.get(recorded.feed);
    if (!parser) throw new ReplayInputError(`${inputName}: frame ${frameCount}: feed "${recorded.feed}" is not in the config (known: ${[...parsers.keys()].join(", ")})`);
    if (recorded.receivedAt < lastAt) throw new ReplayInputError(`${inputName}: frame ${frameCount}: receivedAt ${recorded.receivedAt} goes back in time (previous ${lastAt})`);
    lastAt = recorded.receivedAt;
    if (!engine) {
      engine = new OracleEngine({ ...engineOptionsFromConfig(config, recorded.receivedAt), onEvent: (e) => events.push(e) });
    }
    const result = parser.parseFrame(recorded.frame, recorded.receivedAt);
    tickCount += result.ticks.length;
    engine.ingestParseResult(recorded.feed, result, recorded.receivedAt);
  }

  const counters = engine?.feedCounters() ?? {};
  const rejected = config.feeds
    .filter((feed) => (counters[feed.id]?.rejected ?? 0) > 0)
    .map((feed) => ({ feed: feed.id, count: counters[feed.id].rejected, reasons: counters[feed.id].rejectionsByReason }));

  const prices: ReplayOutput["prices"] = {};
  for (const [market, state] of Object.entries(engine?.snapshot() ?? {})) {
    const sources: Record<string, number> = {};
    for (const [feed, source] of Object.entries(state.sources)) if (source.price !== null) sources[feed] = source.price;
    prices[market] = { reference: state.reference, sources };
  }

  const alerts: ReplayAlert[] = [];
  const openByFingerprint = new Map<string, ReplayAlert>();
  for (const event of events) {
    if (event.kind === "firing") {
      const alert: ReplayAlert = {
        fingerprint: event.fingerprint,
        check: event.check,
        market: event.market,
        feed: event.feed,
        severity: event.severity,
        firedAt: event.at,
        resolvedAt: null,
        value: event.value,
        threshold: event.threshold,
      };
      alerts.push(alert);
      openByFingerprint.set(event.fingerprint, alert);
    } else {
      const open = openByFingerprint.get(event.fingerprint);
      if (open) {
        open.resolvedAt = event.at;
        openByFingerprint.delete(event.fingerprint);
      }
    }
  }
  alerts.sort((a, b) => a.firedAt - b.firedAt || a.fingerprint.localeCompare(b.fingerprint));
  return { frames: frameCount, ticks: tickCount, rejected, prices, alerts };
}
