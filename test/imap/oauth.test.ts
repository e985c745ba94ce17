/**
 * OAuth2 (XOAUTH2) against a real Dovecot whose oauth2 passdb asks a local fake token-introspection
 * server (the role Google's or Microsoft's identity platform plays): a valid token reads the mailbox, an
 * expired one is reported in /health as an auth failure.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import test from 'ava';
import { createKeywordClassifier } from '../../src/classify/keyword.ts';
import { api, serveForTest } from '../kit/service.ts';
import { waitFor } from '../kit/wait.ts';
import { fixture, SUPPORT, useDovecot } from './harness.ts';
import { imapHealth } from './oauth-harness.ts';

const USER = 'oauth-support';
const VALID = 'ya29.valid-access-token';
let introspection: Server | undefined;
const presented: string[] = [];

// The identity provider first, in Dovecot's own start-up: Dovecot is configured with its URL.
const suite = useDovecot(async () => {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      const token = new URLSearchParams(body).get('token') ?? '';
      presented.push(token);
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(token === VALID ? { active: true, username: USER } : { active: false }));
    });
  });
  introspection = server;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/introspect`;
  return { users: { [USER]: 'unused-password' }, oauth2IntrospectionUrl: url };
});
test.after.always(() => introspection?.close());
const serial = suite.serial;

const env = (token: string) => ({
  IMAP_HOST: '127.0.0.1', IMAP_PORT: String(suite.dovecot.port), IMAP_SECURE: 'false', IMAP_USER: USER,
  IMAP_ACCESS_TOKEN: token, IMAP_SUPPORT_ADDRESS: SUPPORT,
});

serial('a valid OAuth2 access token reads the mailbox (XOAUTH2, the token checked by the identity provider)', async (t) => {
  await suite.dovecot.append(USER, 'unused-password', 'INBOX', [fixture('plain.eml')]);
  const svc = await serveForTest(t, env(VALID), { classifier: createKeywordClassifier() });
  await waitFor(async () => (await api(svc.baseUrl, '/api/v1/requests?source=email')).json.total === 1, { what: 'ticket via OAuth2', timeoutMs: 20_000 });
  t.true(presented.includes(VALID));
  t.is(imapHealth((await api(svc.baseUrl, '/health')).json).status, 'connected');
});

serial('an expired token: /health shows the inbox failing with an auth error, nothing is read', async (t) => {
  const svc = await serveForTest(t, env('ya29.expired-token'));
  const imap = await waitFor(async () => {
    const h = imapHealth((await api(svc.baseUrl, '/health')).json);
    return h.status === 'failing' ? h : null;
  }, { what: 'auth failure', timeoutMs: 20_000 });
  t.is(imap.last_error!.kind, 'auth');
  t.regex(imap.last_error!.message, /AUTHENTICATIONFAILED|Authentication failed/);
  t.is((await api(svc.baseUrl, '/api/v1/requests?source=email')).json.total, 0);
});
