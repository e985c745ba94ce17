/**
 * Business-time arithmetic for SLA clocks: when a support team is open (weekly hours in one time zone, minus
 * holidays, or around the clock) and how much of that open time lies between two instants, minus pauses
 * (intervals the clock does not run: waiting on the customer). Pure: instants in, instants out, no clock.
 *
 * Local wall times become instants through Intl (the IANA zone data Node ships), so DST days are as long as
 * they really are: "00:00-24:00" on the last Sunday of March in Europe/Berlin is 23 hours of business time.
 */

/** Minutes since local midnight, [start, end); end may be 1440 (24:00). */
export interface DayInterval {
  start: number;
  end: number;
}

export interface BusinessCalendar {
  timeZone: string;
  /** Open intervals per weekday, index 0 = Sunday; null = 24/7 (always open, holidays included). */
  week: readonly (readonly DayInterval[])[] | null;
  /** Whether a local date (YYYY-MM-DD) is closed all day. */
  isHoliday(localDate: string): boolean;
}

/** An interval of instants (epoch ms), [start, end). */
export interface Span {
  start: number;
  end: number;
}

export const MINUTE_MS = 60_000;
const DAY_NAMES = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
/** Longest search for open time: a calendar open less than once in ten years is a configuration error. */
const MAX_DAYS = 3660;

export class BusinessHoursError extends Error {
  override readonly name = 'BusinessHoursError';
}

/**
 * Parses weekly hours: "24/7", or segments separated by ";", each days then intervals:
 * "Mon-Fri 09:00-17:00", "Mon-Thu 09:00-12:00,13:00-17:00; Fri 09:00-15:00", "Sat,Sun 10:00-14:00".
 * Day names are case-insensitive English abbreviations; ranges may wrap (Sun-Thu). Throws BusinessHoursError.
 */
export function parseWeeklyHours(text: string): DayInterval[][] | null {
  const trimmed = text.trim();
  if (/^24\s*\/\s*7$/.test(trimmed)) return null;
  const week: DayInterval[][] = DAY_NAMES.map(() => []);
  const segments = trimmed.split(';').map((s) => s.trim()).filter(Boolean);
  if (segments.length === 0) throw new BusinessHoursError('no business hours given (e.g. "Mon-Fri 09:00-17:00" or "24/7")');
  for (const segment of segments) {
    const m = /^(\S+)\s+(\S+(?:\s*,\s*\S+)*)$/.exec(segment);
    if (!m) throw new BusinessHoursError(`"${segment}" is not "DAYS HH:MM-HH:MM"`);
    const days = parseDays(m[1]!);
    const intervals = m[2]!.split(',').map((s) => parseInterval(s.trim()));
    for (const d of days) week[d]!.push(...intervals);
  }
  for (const day of week) {
    day.sort((a, b) => a.start - b.start);
    for (let i = 1; i < day.length; i++) {
      if (day[i]!.start < day[i - 1]!.end) throw new BusinessHoursError(`overlapping hours on ${DAY_NAMES[week.indexOf(day)]}`);
    }
  }
  if (week.every((d) => d.length === 0)) throw new BusinessHoursError('business hours are never open');
  return week;
}

function dayIndex(name: string): number {
  const i = DAY_NAMES.indexOf(name.toLowerCase().slice(0, 3));
  if (i < 0 || name.length < 3) throw new BusinessHoursError(`"${name}" is not a day (Mon, Tue, ...)`);
  return i;
}

function parseDays(text: string): number[] {
  const out = new Set<number>();
  for (const part of text.split(',').filter(Boolean)) {
    const [from, to, extra] = part.split('-');
    if (extra !== undefined) throw new BusinessHoursError(`"${part}" is not a day range`);
    const a = dayIndex(from!);
    const b = to === undefined ? a : dayIndex(to);
    for (let d = a; ; d = (d + 1) % 7) {
      out.add(d);
      if (d === b) break;
    }
  }
  return [...out];
}

function parseClock(text: string): number {
  const m = /^(\d{1,2}):(\d{2})$/.exec(text);
  const h = m ? Number(m[1]) : NaN;
  const min = m ? Number(m[2]) : NaN;
  if (!m || min > 59 || h > 24 || (h === 24 && min !== 0)) throw new BusinessHoursError(`"${text}" is not a time (HH:MM, 00:00 to 24:00)`);
  return h * 60 + min;
}

function parseInterval(text: string): DayInterval {
  const [a, b, extra] = text.split('-');
  if (b === undefined || extra !== undefined) throw new BusinessHoursError(`"${text}" is not HH:MM-HH:MM`);
  const start = parseClock(a!);
  const end = parseClock(b);
  if (end <= start) throw new BusinessHoursError(`"${text}" ends before it starts`);
  return { start, end };
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}


/** The local wall clock of an instant, as if it were UTC (epoch ms). */
function wallClock(timeZone: string, instant: number): number {
  const p = Object.fromEntries(formatter(timeZone).formatToParts(new Date(instant)).map((x) => [x.type, x.value]));
  return Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute), Number(p.second));
}

/** The instant a local wall time (as epoch ms of UTC fields) happens; a time skipped by DST moves forward by the gap (Temporal's "compatible"). */
function instantOf(timeZone: string, wall: number): number {
  const first = wall - (wallClock(timeZone, wall) - wall);
  const offset = wallClock(timeZone, first) - first;
  const second = wall - offset;
  return wallClock(timeZone, second) - second === offset ? second : Math.max(first, second);
}

const isoDate = (wall: number) => new Date(wall).toISOString().slice(0, 10);

/** Open spans in instant order, from the local day holding `from` on, clipped to start at `from` or later. */
function* openSpans(cal: BusinessCalendar, from: number): Generator<Span> {
  if (cal.week === null) {
    yield { start: from, end: Infinity };
    return;
  }
  const w = wallClock(cal.timeZone, from);
  let day = Date.UTC(new Date(w).getUTCFullYear(), new Date(w).getUTCMonth(), new Date(w).getUTCDate());
  for (let n = 0; n < MAX_DAYS; n++, day += 86_400_000) {
    const intervals = cal.week[new Date(day).getUTCDay()]!;
    if (intervals.length === 0 || cal.isHoliday(isoDate(day))) continue;
    for (const i of intervals) {
      const start = Math.max(from, instantOf(cal.timeZone, day + i.start * MINUTE_MS));
      const end = instantOf(cal.timeZone, day + i.end * MINUTE_MS);
      if (end > start) yield { start, end };
    }
  }
  throw new BusinessHoursError('no open business time within ten years');
}

/** Pauses sorted, merged, and cut to what lies at or after `from`. */
function normalize(pauses: readonly Span[], from: number): Span[] {
  const sorted = pauses.filter((p) => p.end > from && p.end > p.start).map((p) => ({ start: Math.max(p.start, from), end: p.end }));
  sorted.sort((a, b) => a.start - b.start);
  const out: Span[] = [];
  for (const p of sorted) {
    const last = out.at(-1);
    if (last && p.start <= last.end) last.end = Math.max(last.end, p.end);
    else out.push({ ...p });
  }
  return out;
}

/** Open spans minus pauses. */
function* runningSpans(cal: BusinessCalendar, from: number, pauses: readonly Span[]): Generator<Span> {
  const ps = normalize(pauses, from);
  const never = ps.at(-1)?.end === Infinity ? ps.at(-1)!.start : Infinity;
  let k = 0;
  for (const span of openSpans(cal, from)) {
    if (span.start >= never) return;
    let start = span.start;
    while (start < span.end) {
      while (k < ps.length && ps[k]!.end <= start) k++;
      const p = ps[k];
      if (!p || p.start >= span.end) {
        yield { start, end: span.end };
        break;
      }
      if (p.start > start) yield { start, end: p.start };
      start = p.end;
    }
  }
}

/**
 * The instant at which `minutes` of running business time have passed since `start` (fractions allowed).
 * Zero minutes from a closed moment is the next opening. null when a pause never ends (the clock is stopped).
 */
export function addBusinessMinutes(cal: BusinessCalendar, start: Date, minutes: number, pauses: readonly Span[] = []): Date | null {
  let left = minutes * MINUTE_MS;
  for (const span of runningSpans(cal, start.getTime(), pauses)) {
    if (span.end - span.start >= left) return new Date(span.start + left);
    left -= span.end - span.start;
  }
  return null;
}

/** Running business time (ms) in [from, to), minus pauses; 0 when `to` is not after `from`. */
export function businessMsBetween(cal: BusinessCalendar, from: Date, to: Date, pauses: readonly Span[] = []): number {
  const end = to.getTime();
  let total = 0;
  if (end <= from.getTime()) return 0;
  for (const span of runningSpans(cal, from.getTime(), pauses)) {
    if (span.start >= end) break;
    total += Math.min(span.end, end) - span.start;
    if (span.end >= end) break;
  }
  return total;
}

/** Business minutes in [from, to), minus pauses. */
export const businessMinutesBetween = (cal: BusinessCalendar, from: Date, to: Date, pauses: readonly Span[] = []): number =>
  businessMsBetween(cal, from, to, pauses) / MINUTE_MS;
