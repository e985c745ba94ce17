/**
 * A local identity provider speaking OAuth 2.0 the way Google's and Entra ID's token endpoints do, for the
 * inbox's OAuth2 tests (driven through openid-client, and asked by Dovecot's oauth2 passdb):
 * - POST /token: authorization_code (with PKCE S256), refresh_token and client_credentials grants. Access
 *   tokens live `ttlSeconds`; every refresh rotates the refresh token and the old one stops working.
 * - GET /authorize: the consent screen, approved at once: redirects to redirect_uri with code and state.
 * - POST /introspect: what Dovecot asks at each XOAUTH2 login: `{active, username}` for unexpired tokens.
 * Hostile inputs answer with OAuth error bodies; `down = true` drops token requests like a dead endpoint.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeOAuthOptions {
  clientId?: string;
  clientSecret?: string;
  ttlSeconds?: number;
}

export interface FakeOAuth {
  url: string;
  tokenUrl: string;
  authorizeUrl: string;
  introspectionUrl: string;
  clientId: string;
  clientSecret: string;
  /** Lifetime of the access tokens issued from now on. */
  ttlSeconds: number;
  /** The mailbox the consent screen signs in, and the app-only (client credentials) principal's mailbox. */
  user: string;
  /** A refresh token for `username`, as if an operator had authorised earlier. */
  issueRefreshToken(username: string): string;
  /** The user withdrew consent / an admin revoked the grant: every refresh token stops working. */
  revokeAll(): void;
  /** Is this refresh token still accepted? */
  isValid(refreshToken: string): boolean;
  /** True: token requests get their connection dropped (the endpoint is down). Introspection keeps working. */
  down: boolean;
  readonly stats: { refreshes: number; clientCredentials: number; codeExchanges: number; rejected: string[]; introspected: number; accepted: Set<string> };
  close(): Promise<void>;
}

interface Grant {
  username: string;
  expiresAt: number;
}

export async function startFakeOAuth(options: FakeOAuthOptions = {}): Promise<FakeOAuth> {
  const clientId = options.clientId ?? 'fake-client-id';
  const clientSecret = options.clientSecret ?? 'fake-client-secret';
  const refreshTokens = new Map<string, string>(); // refresh token -> username
  const accessTokens = new Map<string, Grant>();
  const codes = new Map<string, { username: string; redirectUri: string; challenge: string; expiresAt: number }>();
  const stats: FakeOAuth['stats'] = { refreshes: 0, clientCredentials: 0, codeExchanges: 0, rejected: [], introspected: 0, accepted: new Set() };
  const token = (prefix: string) => `${prefix}${randomBytes(18).toString('base64url')}`;

  const json = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    res.end(JSON.stringify(body));
  };
  const issue = (username: string, withRefresh: boolean) => {
    const access = token('at.');
    accessTokens.set(access, { username, expiresAt: Date.now() + fake.ttlSeconds * 1000 });
    const body: Record<string, unknown> = { access_token: access, token_type: 'Bearer', expires_in: fake.ttlSeconds };
    if (withRefresh) {
      const refresh = token('rt.');
      refreshTokens.set(refresh, username);
      body.refresh_token = refresh;
    }
    return body;
  };
  const clientOk = (req: IncomingMessage, form: URLSearchParams, requireSecret: boolean) => {
    let id = form.get('client_id');
    let secret = form.get('client_secret');
    const basic = /^Basic (.+)$/i.exec(req.headers.authorization ?? '');
    if (basic) [id, secret] = Buffer.from(basic[1]!, 'base64').toString().split(':').map(decodeURIComponent) as [string, string];
    return id === clientId && (secret === clientSecret || (!requireSecret && !secret));
  };

  const onToken = (req: IncomingMessage, res: ServerResponse, form: URLSearchParams) => {
    const grant = form.get('grant_type');
    if (!clientOk(req, form, grant === 'client_credentials')) return json(res, 401, { error: 'invalid_client', error_description: 'unknown client or wrong secret' });
    if (grant === 'refresh_token') {
      const presented = form.get('refresh_token') ?? '';
      const username = refreshTokens.get(presented);
      if (!username) {
        stats.rejected.push(presented);
        return json(res, 400, { error: 'invalid_grant', error_description: 'Token has been expired or revoked.' });
      }
      stats.refreshes++;
      refreshTokens.delete(presented); // rotation: the old one is spent
      return json(res, 200, issue(username, true));
    }
    if (grant === 'client_credentials') {
      stats.clientCredentials++;
      return json(res, 200, issue(fake.user, false));
    }
    if (grant === 'authorization_code') {
      const code = codes.get(form.get('code') ?? '');
      codes.delete(form.get('code') ?? '');
      const verifier = form.get('code_verifier') ?? '';
      const challenge = createHash('sha256').update(verifier).digest('base64url');
      if (!code || code.expiresAt < Date.now() || code.redirectUri !== form.get('redirect_uri') || code.challenge !== challenge) {
        return json(res, 400, { error: 'invalid_grant', error_description: 'code unknown, used, expired, or PKCE / redirect_uri mismatch' });
      }
      stats.codeExchanges++;
      return json(res, 200, issue(code.username, true));
    }
    return json(res, 400, { error: 'unsupported_grant_type' });
  };

  const onAuthorize = (url: URL, res: ServerResponse) => {
    const p = url.searchParams;
    const redirect = p.get('redirect_uri');
    if (p.get('client_id') !== clientId || !redirect || p.get('response_type') !== 'code' || p.get('code_challenge_method') !== 'S256' || !p.get('code_challenge')) {
      return json(res, 400, { error: 'invalid_request' });
    }
    const code = token('code.');
    codes.set(code, { username: fake.user, redirectUri: redirect, challenge: p.get('code_challenge')!, expiresAt: Date.now() + 60_000 });
    const to = new URL(redirect);
    to.searchParams.set('code', code);
    if (p.get('state')) to.searchParams.set('state', p.get('state')!);
    res.writeHead(302, { location: to.href });
    res.end();
  };

  const fake: FakeOAuth = {
    url: '', tokenUrl: '', authorizeUrl: '', introspectionUrl: '', clientId, clientSecret, ttlSeconds: options.ttlSeconds ?? 4, stats, down: false, user: 'support',
    issueRefreshToken(username) {
      const refresh = token('rt.');
      refreshTokens.set(refresh, username);
      return refresh;
    },
    revokeAll: () => refreshTokens.clear(),
    isValid: (rt) => refreshTokens.has(rt),
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.method === 'GET' && url.pathname === '/authorize') return onAuthorize(url, res);
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (d: string) => (body += d.length + body.length > 65_536 ? '' : d));
    req.on('end', () => {
      const form = new URLSearchParams(body);
      if (req.method === 'POST' && url.pathname === '/token') {
        if (fake.down) return req.socket.destroy();
        return onToken(req, res, form);
      }
      if (req.method === 'POST' && url.pathname === '/introspect') {
        stats.introspected++;
        const presented = form.get('token') ?? '';
        const grant = accessTokens.get(presented);
        if (!grant || grant.expiresAt < Date.now()) return json(res, 200, { active: false });
        stats.accepted.add(presented);
        return json(res, 200, { active: true, username: grant.username });
      }
      json(res, 404, { error: 'not_found' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  Object.assign(fake, { url: base, tokenUrl: `${base}/token`, authorizeUrl: `${base}/authorize`, introspectionUrl: `${base}/introspect` });
  return fake;
}
