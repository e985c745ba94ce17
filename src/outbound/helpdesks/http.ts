/**
 * One call to a helpdesk API (or a reply webhook), with the outcome sorted the way the sending job needs
 * it: 2xx is sent; 408, 409, 425, 429, 5xx, a network failure or the deadline is TransientSendError (retried,
 * Retry-After honoured); any other answer is PermanentSendError naming the helpdesk, the status and what it said.
 * Redirects are not followed: a POST turned into a GET would look like success and send nothing.
 */
import { PermanentSendError, TransientSendError } from '../../domain/reply.ts';

export interface ApiCall {
  /** Named in every error ("zendesk", "reply webhook"). */
  service: string;
  method: 'POST' | 'PUT';
  url: string;
  headers: Record<string, string>;
  /** Sent as given (already JSON or form text). */
  body: string;
  timeoutMs: number;
}

export interface ApiAnswer {
  status: number;
  headers: Headers;
  /** The parsed JSON body, or undefined when it was empty or not JSON. */
  json: unknown;
}

/** A refusal (a permanent failure for the sending job) that keeps the status, for a door that handles one itself. */
export class RefusedError extends PermanentSendError {
  readonly status: number;
  constructor(message: string, status: number) {
    super(message);
    this.status = status;
  }
}

const TRANSIENT_STATUS = new Set([408, 409, 425, 429]);
/** The other side's words in an error, never more than this (it may echo the request). */
const SAID_MAX = 300;

/** Retry-After as seconds: a number of seconds or an HTTP date; undefined when absent or unreadable. */
export function retryAfterSeconds(value: string | null, now = Date.now()): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v);
  // An HTTP date names its weekday and month; Date.parse would also read "-5" or "2" as dates.
  if (!/[a-z]{3}/i.test(v)) return undefined;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now) / 1000));
}

/**
 * The wait a 429 or 5xx asks for: Retry-After, else the Unix time in X-RateLimit-Reset (Intercom's way),
 * taken only when it lies within the next hour (some APIs send a window length there instead).
 */
export function waitAsked(headers: Headers, now = Date.now()): number | undefined {
  const retryAfter = retryAfterSeconds(headers.get('retry-after'), now);
  if (retryAfter !== undefined) return retryAfter;
  const reset = Number(headers.get('x-ratelimit-reset') ?? '');
  const seconds = Math.ceil(reset - now / 1000);
  return Number.isInteger(reset) && seconds >= 0 && seconds <= 3600 ? seconds : undefined;
}

/** What an error body says, short: a message field if there is one, else the start of the text. */
function saidIn(text: string): string {
  try {
    const body = JSON.parse(text) as Record<string, unknown>;
    const candidates = [body.error, body.description, body.message, body.details, body._embedded, body.errors];
    for (const c of candidates) {
      if (typeof c === 'string' && c.trim()) return c.trim().slice(0, SAID_MAX);
      if (c && typeof c === 'object') return JSON.stringify(c).slice(0, SAID_MAX);
    }
  } catch {
    // not JSON: the text itself
  }
  return text.replace(/\s+/g, ' ').trim().slice(0, SAID_MAX);
}

const HINTS: Record<number, string> = {
  401: 'the credentials were refused; check the token in the configuration',
  403: 'the credentials lack the permission to reply',
  404: 'the ticket or conversation does not exist there (deleted, merged or another account)',
  422: 'the helpdesk refused the reply as invalid',
};

export async function callApi(call: ApiCall): Promise<ApiAnswer> {
  let res: Response;
  let text: string;
  try {
    res = await fetch(call.url, {
      method: call.method,
      headers: call.headers,
      body: call.body,
      redirect: 'manual',
      signal: AbortSignal.timeout(call.timeoutMs),
    });
    text = await res.text();
  } catch (error) {
    const e = error as { name?: string; message?: string; cause?: { code?: string; message?: string } };
    const why = e.name === 'TimeoutError' ? `no answer within ${call.timeoutMs} ms` : (e.cause?.code ?? e.cause?.message ?? e.message ?? String(error));
    throw new TransientSendError(`${call.service}: ${why}`);
  }
  if (res.status >= 200 && res.status < 300) {
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: res.status, headers: res.headers, json };
  }
  const said = saidIn(text);
  const detail = `${call.service} answered HTTP ${res.status}${said ? `: ${said}` : ''}`;
  if (TRANSIENT_STATUS.has(res.status) || res.status >= 500) {
    throw new TransientSendError(detail, waitAsked(res.headers));
  }
  if (res.status >= 300 && res.status < 400) {
    throw new RefusedError(`${detail} (redirected to ${res.headers.get('location') ?? 'nowhere'}; check the configured address)`, res.status);
  }
  throw new RefusedError(HINTS[res.status] ? `${detail} (${HINTS[res.status]})` : detail, res.status);
}

/** Basic auth header value. */
export const basic = (user: string, password: string): string => `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;

/**
 * An id safe to put in a URL path segment (helpdesk ids are numbers or short tokens). It starts with a letter
 * or digit, so "." and ".." (which a URL resolves as path steps) are never one.
 */
export const isPathId = (id: string | null): id is string => id !== null && /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/.test(id);

/** The first string or number found at one of the paths, as a string. */
export function idAt(json: unknown, ...paths: string[][]): string | undefined {
  for (const path of paths) {
    let v: unknown = json;
    for (const key of path) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined;
    if (typeof v === 'string' && v !== '') return v;
    if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  }
  return undefined;
}
