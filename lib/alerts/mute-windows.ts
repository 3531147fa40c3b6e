// Mute windows: recurring weekday/time ranges during which a route sends no firing notifications
// (e.g. a planned maintenance slot). Modelled on Alertmanager `time_intervals`
// (https://prometheus.io/docs/alerting/latest/configuration/#time_interval): a window is active
// when ANY of its intervals matches, and an interval matches when ALL of its given fields match
// (an omitted field matches everything). Times are `HH:MM`, start inclusive, end exclusive,
// `24:00` allowed as an end. `location` is `UTC`, a fixed offset like `+05:30`, or an IANA zone
// name resolved with the runtime's ICU data (DST-correct, no I/O).

export const WEEKDAYS = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export interface TimeRange {
  /** `HH:MM`, inclusive. */
  startTime: string;
  /** `HH:MM`, exclusive; `24:00` = end of day. */
  endTime: string;
}

export interface TimeInterval {
  /** Day names or inclusive ranges (`monday:friday`); omitted = every day. */
  weekdays?: string[];
  /** Omitted = the whole day. */
  times?: TimeRange[];
  /** `UTC` (default), `+HH:MM`/`-HH:MM`, or an IANA zone such as `Europe/Berlin`. */
  location?: string;
}

export interface MuteWindow {
  name: string;
  timeIntervals: TimeInterval[];
}

export interface LocalTime {
  /** 0 = Sunday … 6 = Saturday. */
  weekday: number;
  /** Minutes since local midnight. */
  minuteOfDay: number;
}

const formatterCache = new Map<string, Intl.DateTimeFormat>();

function zoneFormatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatterCache.get(timeZone);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat("en-US", {
        timeZone,
        weekday: "short",
        hour: "2-digit",
        minute: "2-digit",
        hourCycle: "h23",
      });
    } catch {
      throw new Error(`unknown time zone ${JSON.stringify(timeZone)}: expected UTC, ±HH:MM or an IANA name`);
    }
    formatterCache.set(timeZone, f);
  }
  return f;
}

const SHORT_DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

export function parseUtcOffsetMinutes(location: string): number | null {
  const m = /^([+-])(\d{2}):?(\d{2})$/.exec(location);
  if (!m) return null;
  const minutes = Number(m[2]) * 60 + Number(m[3]);
  if (Number(m[3]) >= 60 || minutes > 14 * 60) throw new Error(`UTC offset out of range: ${location}`);
  return m[1] === "-" ? -minutes : minutes;
}

export function localTimeAt(atMs: number, location = "UTC"): LocalTime {
  const offset = location === "UTC" || location === "Z" ? 0 : parseUtcOffsetMinutes(location);
  if (offset !== null) {
    const shifted = new Date(atMs + offset * 60_000);
    return { weekday: shifted.getUTCDay(), minuteOfDay: shifted.getUTCHours() * 60 + shifted.getUTCMinutes() };
  }
  const parts = zoneFormatter(location).formatToParts(new Date(atMs));
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? "";
  return { weekday: SHORT_DAYS.indexOf(get("weekday")), minuteOfDay: Number(get("hour")) * 60 + Number(get("minute")) };
}

export function parseClockMinutes(hhmm: string, allowEndOfDay: boolean): number {
  const m = /^(\d{2}):(\d{2})$/.exec(hhmm);
  if (!m) throw new Error(`time ${JSON.stringify(hhmm)}: expected HH:MM`);
  const minutes = Number(m[1]) * 60 + Number(m[2]);
  if (Number(m[2]) >= 60 || minutes > 24 * 60 || (minutes === 24 * 60 && !allowEndOfDay)) {
    throw new Error(`time ${JSON.stringify(hhmm)}: out of range`);
  }
  return minutes;
}

function weekdayIndex(name: string): number {
  const i = WEEKDAYS.indexOf(name.trim().toLowerCase() as Weekday);
  if (i < 0) throw new Error(`weekday ${JSON.stringify(name)}: expected one of ${WEEKDAYS.join(", ")}`);
  return i;
}

/** Expands `["monday:friday", "sunday"]` to the set of day indexes; ranges may wrap (`friday:monday`). */
export function expandWeekdays(spec: readonly string[]): Set<number> {
  const days = new Set<number>();
  for (const item of spec) {
    const [from, to] = item.split(":");
    const start = weekdayIndex(from);
    const end = to === undefined ? start : weekdayIndex(to);
    for (let d = start; ; d = (d + 1) % 7) {
      days.add(d);
      if (d === end) break;
    }
  }
  return days;
}

export interface CompiledMuteWindow {
  name: string;
  isActive(atMs: number): boolean;
}

export function compileMuteWindow(window: MuteWindow): CompiledMuteWindow {
  const intervals = window.timeIntervals.map((interval) => {
    const location = interval.location ?? "UTC";
    localTimeAt(0, location); // validate the zone now, not at the first evaluation
    const days = interval.weekdays ? expandWeekdays(interval.weekdays) : null;
    const ranges = interval.times?.map((r) => {
      const start = parseClockMinutes(r.startTime, false);
      const end = parseClockMinutes(r.endTime, true);
      if (end <= start) {
        throw new Error(`mute window ${window.name}: endTime ${r.endTime} must be after startTime ${r.startTime} (split ranges crossing midnight in two)`);
      }
      return { start, end };
    });
    return { location, days, ranges };
  });
  return {
    name: window.name,
    isActive(atMs) {
      return intervals.some(({ location, days, ranges }) => {
        const local = localTimeAt(atMs, location);
        if (days && !days.has(local.weekday)) return false;
        if (ranges && !ranges.some((r) => local.minuteOfDay >= r.start && local.minuteOfDay < r.end)) return false;
        return true;
      });
    },
  };
}
