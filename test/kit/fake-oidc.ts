/**
 * A local fake of Slack's OpenID Connect provider ("Sign in with Slack"): discovery, an authorize endpoint
 * that signs in `nextUser` at once and redirects back with a code, a token endpoint that checks the client's
 * credentials and answers with an RS256 id_token (Slack's team and user claims), and its JWKS.
 */
import { createSign, generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface OidcUser {
  userId: string;
  teamId: string;
  name: string;
}

export interface FakeOidc {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Who the next authorization signs in. */
  nextUser: OidcUser;
  /** Token requests seen (the grant's code and whether the client authenticated). */
  tokenRequests: { code: string; authenticated: boolean }[];
  close(): Promise<void>;
}

const b64url = (data: Buffer | string) => Buffer.from(data).toString('base64url');

export async function startFakeOidc(user: OidcUser): Promise<FakeOidc> {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = { ...publicKey.export({ format: 'jwk' }), kid: 'fake-1', use: 'sig', alg: 'RS256' };
  const codes = new Map<string, { nonce: string; user: OidcUser; redirectUri: string }>();
  const fake = { clientId: 'fake-client.1', clientSecret: 'fake-secret', nextUser: user, tokenRequests: [] as FakeOidc['tokenRequests'] } as FakeOidc;

  const sign = (claims: Record<string, unknown>) => {
    const input = `${b64url(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid: 'fake-1' }))}.${b64url(JSON.stringify(claims))}`;
    return `${input}.${b64url(createSign('RSA-SHA256').update(input).sign(privateKey))}`;
  };

  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', fake.issuer);
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (url.pathname === '/.well-known/openid-configuration') {
      return json(200, {
        issuer: fake.issuer,
        authorization_endpoint: `${fake.issuer}/openid/connect/authorize`,
        token_endpoint: `${fake.issuer}/api/openid.connect.token`,
        jwks_uri: `${fake.issuer}/openid/connect/keys`,
        response_types_supported: ['code'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['RS256'],
        token_endpoint_auth_methods_supported: ['client_secret_post', 'client_secret_basic'],
        scopes_supported: ['openid', 'profile', 'email'],
      });
    }
    if (url.pathname === '/openid/connect/keys') return json(200, { keys: [jwk] });
    if (url.pathname === '/openid/connect/authorize') {
      const redirectUri = url.searchParams.get('redirect_uri') ?? '';
      if (url.searchParams.get('client_id') !== fake.clientId || !redirectUri) return json(400, { error: 'invalid_request' });
      const code = b64url(randomBytes(16));
      codes.set(code, { nonce: url.searchParams.get('nonce') ?? '', user: fake.nextUser, redirectUri });
      const back = new URL(redirectUri);
      back.searchParams.set('code', code);
      back.searchParams.set('state', url.searchParams.get('state') ?? '');
      res.writeHead(302, { location: back.href });
      return res.end();
    }
    if (url.pathname === '/api/openid.connect.token' && req.method === 'POST') {
      let body = '';
      for await (const chunk of req) body += chunk;
      const form = new URLSearchParams(body);
      const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? '');
      const [id, secret] = basic ? Buffer.from(basic[1]!, 'base64').toString().split(':').map(decodeURIComponent) : [form.get('client_id'), form.get('client_secret')];
      const authenticated = id === fake.clientId && secret === fake.clientSecret;
      const code = form.get('code') ?? '';
      fake.tokenRequests.push({ code, authenticated });
      const grant = codes.get(code);
      codes.delete(code);
      if (!authenticated) return json(401, { error: 'invalid_client' });
      if (!grant || form.get('redirect_uri') !== grant.redirectUri) return json(400, { error: 'invalid_grant' });
      const now = Math.floor(Date.now() / 1000);
      return json(200, {
        ok: true,
        access_token: `xoxp-${b64url(randomBytes(8))}`,
        token_type: 'Bearer',
        id_token: sign({
          iss: fake.issuer, aud: fake.clientId, sub: grant.user.userId, iat: now, exp: now + 300, auth_time: now, nonce: grant.nonce,
          'https://slack.com/user_id': grant.user.userId, 'https://slack.com/team_id': grant.user.teamId,
          name: grant.user.name, email: `${grant.user.userId.toLowerCase()}@example.com`,
        }),
      });
    }
    json(404, { error: 'not_found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.close = () => new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
  return fake;
}

/** The console's Sign in with Slack settings for this fake. */
export function oidcEnv(fake: FakeOidc, teamId: string): Record<string, string> {
  return { CONSOLE_SLACK_CLIENT_ID: fake.clientId, CONSOLE_SLACK_CLIENT_SECRET: fake.clientSecret, CONSOLE_SLACK_TEAM_ID: teamId, CONSOLE_OIDC_ISSUER: fake.issuer };
}
