/** Helpers for the operator console's tests: a signed-in browser-less client (cookie + CSRF token) over real HTTP. */
import { randomBytes } from 'node:crypto';
import { insertConsoleSession, issueSignInLink } from '../../src/db/repositories/console-sessions.ts';
import { hashToken } from '../../src/lib/secret-token.ts';
import type { Service } from '../../src/service.ts';

export interface ConsoleClient {
  cookie: string;
  csrf: string;
  get(path: string, init?: RequestInit): Promise<{ status: number; text: string; headers: Headers }>;
  /** A form post (pairs for a repeated field); `_csrf` is added unless `csrf: false`. */
  post(path: string, form: Record<string, string> | Array<[string, string]>, opts?: { csrf?: boolean; headers?: Record<string, string> }): Promise<{ status: number; text: string; headers: Headers }>;
}

export async function linkFor(service: Service, role = 'admin', minutes = 15): Promise<string> {
  return (await issueSignInLink(service.db.sql, role, minutes)).token;
}

/** Posts the link's form as the browser would; returns the session cookie, or the refusal. */
export async function signInWithLink(baseUrl: string, token: string): Promise<{ status: number; cookie?: string; text: string }> {
  const res = await fetch(`${baseUrl}/console/sign-in/link`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ token }) });
  const set = res.headers.getSetCookie().find((c) => c.startsWith('console_session='));
  return { status: res.status, text: await res.text(), ...(set ? { cookie: set.split(';')[0]! } : {}) };
}

export function csrfOf(page: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(page);
  if (!match) throw new Error('no CSRF token on the page');
  return match[1]!;
}

export async function consoleClient(baseUrl: string, cookie: string): Promise<ConsoleClient> {
  const get = async (path: string, init: RequestInit = {}) => {
    const res = await fetch(`${baseUrl}${path}`, { redirect: 'manual', ...init, headers: { cookie, ...(init.headers as Record<string, string>) } });
    return { status: res.status, text: await res.text(), headers: res.headers };
  };
  const home = await get('/console');
  const csrf = csrfOf(home.text);
  return {
    cookie,
    csrf,
    get,
    async post(path, form, opts = {}) {
      const body = new URLSearchParams(Array.isArray(form) ? form : Object.entries(form));
      if (opts.csrf !== false) body.set('_csrf', csrf);
      const res = await fetch(`${baseUrl}${path}`, { method: 'POST', redirect: 'manual', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', ...opts.headers }, body });
      return { status: res.status, text: await res.text(), headers: res.headers };
    },
  };
}

export async function signedIn(baseUrl: string, service: Service, role = 'admin'): Promise<ConsoleClient> {
  const { cookie } = await signInWithLink(baseUrl, await linkFor(service, role));
  if (!cookie) throw new Error('sign-in failed');
  return consoleClient(baseUrl, cookie);
}

export interface LiveEvent {
  event: string;
  data: string;
}

export interface LiveStream {
  status: number;
  contentType: string | null;
  events: LiveEvent[];
  /** Every comment line seen (heartbeats). */
  comments: string[];
  /** Resolves when the server ends the stream. */
  ended: Promise<void>;
  /** The first event (already seen or coming) that matches. */
  next(match: (e: LiveEvent) => boolean, what: string, timeoutMs?: number): Promise<LiveEvent>;
  close(): void;
}

/** Opens /console/live (or a path under it) as EventSource would, parsing events as they arrive. */
export async function openLiveStream(baseUrl: string, cookie: string | undefined, path = '/console/live'): Promise<LiveStream> {
  const abort = new AbortController();
  const res = await fetch(`${baseUrl}${path}`, { redirect: 'manual', signal: abort.signal, headers: { accept: 'text/event-stream', ...(cookie ? { cookie } : {}) } });
  // A refusal's body is read at once: left unread it would hold its connection open.
  if (res.status !== 200) await res.text();
  const events: LiveEvent[] = [];
  const comments: string[] = [];
  const waiters = new Set<() => void>();
  let buffer = '';
  const ended = (async () => {
    if (!res.body) return;
    const decoder = new TextDecoder();
    try {
      for await (const chunk of res.body) {
        buffer += decoder.decode(chunk as Uint8Array, { stream: true });
        let cut: number;
        while ((cut = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          let event = 'message';
          const data: string[] = [];
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) comments.push(line.slice(1).trim());
            else if (line.startsWith('event:')) event = line.slice(6).trim();
            else if (line.startsWith('data:')) data.push(line.slice(5).trim());
          }
          if (data.length) events.push({ event, data: data.join('\n') });
          for (const wake of waiters) wake();
        }
      }
    } catch {
      // aborted by close()
    }
  })();
  return {
    status: res.status,
    contentType: res.headers.get('content-type'),
    events,
    comments,
    ended,
    async next(match, what, timeoutMs = 20_000) {
      const found = () => events.find(match);
      return new Promise<LiveEvent>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`timed out waiting for ${what}; got ${JSON.stringify(events)}`));
        }, timeoutMs);
        const check = () => {
          const e = found();
          if (!e) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(e);
        };
        waiters.add(check);
        check();
      });
    },
    close: () => abort.abort(),
  };
}

/** A ticket event's payload. */
export const ticketSignal = (e: LiveEvent) => (e.event === 'ticket' ? (JSON.parse(e.data) as { ticket: number; kind: string }) : undefined);

/** A session of a named Slack user (Sign in with Slack's outcome without the provider): its cookie. */
export async function sessionOf(service: Service, who: { userId: string; name: string; role: string }): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  await insertConsoleSession(service.db.sql, hashToken(token), { userId: who.userId, userName: who.name, role: who.role, csrfToken: randomBytes(32).toString('base64url'), expiresAt: new Date(Date.now() + 3_600_000) });
  return `console_session=${token}`;
}
