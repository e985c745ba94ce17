/** Helpers for the operator console's tests: a signed-in browser-less client (cookie + CSRF token) over real HTTP. */
import { issueSignInLink } from '../../src/db/repositories/console-sessions.ts';
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
