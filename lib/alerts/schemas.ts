// zod schemas for the alerting parts of the config file (routes, silences, mute windows, inhibit
// rules), meant to be plugged into lib/config/riskwarden-config.ts. Shapes follow shared
// contracts/config-and-replay.md; durations are integer milliseconds (`…Ms`).

import { z } from "zod";
import { MATCH_TYPES, parseMatcher, compileMatcher, type LabelMatcher } from "./matchers";
import { compileMuteWindow } from "./mute-windows";

const labelName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "expected a label name ([A-Za-z_][A-Za-z0-9_]*)");
const durationMs = z.number().int("expected an integer number of milliseconds").nonnegative();

/** `{name, type, value}` or the text form `market=~"BTC-.*"`; regexes are checked here. */
export const labelMatcherSchema = z
  .union([z.object({ name: labelName, type: z.enum(MATCH_TYPES), value: z.string() }), z.string()])
  .transform((m, ctx): LabelMatcher => {
    try {
      const matcher = typeof m === "string" ? parseMatcher(m) : m;
      compileMatcher(matcher); // label name and regex syntax
      return matcher;
    } catch (err) {
      ctx.addIssue({ code: "custom", message: (err as Error).message });
      return z.NEVER;
    }
  });

export const routeSchema = z.object({
  id: z.string().min(1).optional(),
  /** Label -> value or list of values (any); all keys must match; `{}` matches everything. */
  match: z.record(labelName, z.union([z.string(), z.array(z.string())])).default({}),
  matchers: z.array(labelMatcherSchema).optional(),
  webhooks: z.array(z.string().min(1)).min(1, "a route needs at least one webhook id"),
  groupBy: z.array(z.union([labelName, z.literal("...")])).optional(),
  groupWaitMs: durationMs.optional(),
  groupIntervalMs: durationMs.positive().optional(),
  repeatIntervalMs: durationMs.optional(),
  muteWindows: z.array(z.string().min(1)).optional(),
});

export const silenceSchema = z
  .object({
    id: z.string().min(1),
    matchers: z.array(labelMatcherSchema).min(1, "a silence needs at least one matcher"),
    startsAtMs: z.number().int(),
    endsAtMs: z.number().int(),
    createdBy: z.string().min(1, "a silence needs an author"),
    comment: z.string().min(1, "a silence needs a comment saying why"),
  })
  .refine((s) => s.endsAtMs > s.startsAtMs, { message: "endsAtMs must be after startsAtMs", path: ["endsAtMs"] });

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, "expected HH:MM");

export const muteWindowSchema = z
  .object({
    name: z.string().min(1),
    timeIntervals: z
      .array(
        z.object({
          weekdays: z.array(z.string()).optional(),
          times: z.array(z.object({ startTime: hhmm, endTime: hhmm })).optional(),
          location: z.string().optional(),
        }),
      )
      .min(1),
  })
  .superRefine((w, ctx) => {
    try {
      compileMuteWindow(w);
    } catch (err) {
      ctx.addIssue({ code: "custom", message: (err as Error).message });
    }
  });

export const inhibitRuleSchema = z.object({
  name: z.string().optional(),
  sourceMatchers: z.array(labelMatcherSchema).min(1),
  targetMatchers: z.array(labelMatcherSchema).min(1),
  equal: z.array(labelName).default([]),
});

/** The alerting block of the config file. */
export const alertingConfigSchema = z
  .object({
    routes: z.array(routeSchema).default([]),
    silences: z.array(silenceSchema).default([]),
    muteWindows: z.array(muteWindowSchema).default([]),
    /** Omitted = DEFAULT_INHIBIT_RULES; `[]` disables inhibition. */
    inhibitRules: z.array(inhibitRuleSchema).optional(),
  })
  .superRefine((cfg, ctx) => {
    const windows = new Set(cfg.muteWindows.map((w) => w.name));
    cfg.routes.forEach((r, i) =>
      r.muteWindows?.forEach((name, j) => {
        if (!windows.has(name)) ctx.addIssue({ code: "custom", message: `unknown mute window ${JSON.stringify(name)}`, path: ["routes", i, "muteWindows", j] });
      }),
    );
  });

export type RouteInput = z.input<typeof routeSchema>;
export type AlertingConfig = z.output<typeof alertingConfigSchema>;
