/**
 * The one place that tells "the database is unreachable right now" (retry later) from a bug or a bad query
 * (a 500). Only connection-level failures count: the server refusing or dropping connections, shutting down,
 * starting up, or not answering a connection attempt in time. A failed statement (syntax, constraint) never does.
 */

/** A server that does not answer a connection attempt within this counts as down (requests fail fast, 503). */
export const CONNECT_TIMEOUT_MS = 5_000;

/**
 * SQLSTATEs of an unusable connection: class 08 (connection exception) but 08P01, the shutdown/start-up ones
 * of class 57, and 53300 (too many connections: the server is full now, a retry soon finds a free slot).
 */
const UNAVAILABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300']);
/** Socket errors of a server that is down, restarting or unreachable. */
const UNAVAILABLE_ERRNOS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ENOTFOUND']);
/** What pg and pg-pool say when a connection dies or cannot be had (they set no code). */
const UNAVAILABLE_MESSAGES = [
  /^Connection terminated/i,
  /timeout exceeded when trying to connect/i,
  /Client has encountered a connection error and is not queryable/i,
  /^Connection ended unexpectedly/i,
  /the database system is (shutting down|starting up|in recovery mode)/i,
];

export function isDatabaseUnavailable(error: unknown, depth = 0): boolean {
  if (depth > 5 || error === null || typeof error !== 'object') return false;
  const e = error as { code?: unknown; message?: unknown; cause?: unknown; errors?: unknown };
  const code = typeof e.code === 'string' ? e.code : '';
  // 08P01 (protocol violation: a statement with the wrong number of parameters) is a bug of ours, not an outage.
  if (UNAVAILABLE_SQLSTATES.has(code) || (code.startsWith('08') && code !== '08P01') || UNAVAILABLE_ERRNOS.has(code)) return true;
  const message = typeof e.message === 'string' ? e.message : '';
  if (UNAVAILABLE_MESSAGES.some((m) => m.test(message))) return true;
  // Drivers wrap: AggregateError (one error per address tried), `cause` chains.
  if (Array.isArray(e.errors) && e.errors.some((inner) => isDatabaseUnavailable(inner, depth + 1))) return true;
  return isDatabaseUnavailable(e.cause, depth + 1);
}
