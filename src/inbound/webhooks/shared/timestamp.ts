import { unauthorized } from './signature.ts';

/** Providers that send a timestamp sign it; older (or future) than this is a replay or a broken clock. */
export const TIMESTAMP_WINDOW_MS = 5 * 60 * 1000;

/**
 * Parses a timestamp header: Unix seconds (generic), Unix milliseconds (Front), or ISO 8601 (Zendesk).
 * Returns epoch milliseconds, or undefined when it is none of these.
 */
export function parseTimestamp(value: string): number | undefined {
  if (/^\d{1,16}(\.\d+)?$/.test(value)) {
    const n = Number(value);
    // 1e11 seconds is the year 5138; anything above is milliseconds.
    return n >= 1e11 ? n : n * 1000;
  }
  if (!/^\d{4}-\d{2}-\d{2}T/.test(value)) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

/** Throws 401 when the header is missing, unreadable or outside the window around `now`. */
export function requireFreshTimestamp(name: string, value: string | undefined, now: Date, windowMs = TIMESTAMP_WINDOW_MS): void {
  if (value === undefined) throw unauthorized(`Missing ${name} header`);
  const at = parseTimestamp(value);
  if (at === undefined) throw unauthorized(`Unreadable ${name} header`);
  if (Math.abs(now.getTime() - at) > windowMs) {
    throw unauthorized(`Stale ${name}: more than ${windowMs / 60000} minutes from the server clock`);
  }
}
