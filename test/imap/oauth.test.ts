/**
 * OAuth2 (XOAUTH2) against a real Dovecot whose oauth2 passdb asks a local fake token-introspection
 * server (the role Google's or Microsoft's identity platform plays): a valid token reads the mailbox, an
 * expired one is reported in /health as an auth failure.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import test from 'ava';
import { createKeywordClassifier } from '../../src/classify/keyword.ts';
import { dovecotAvailable, startDovecot, type Dovecot } from '../helpers/dovecot.ts';
import { api, startTestService, waitFor } from '../helpers/service.ts';
import { fixture, SUPPORT } from './harness.ts';
import { imapHealth } from './oauth-harness.ts';

const missing = dovecotAvailable();
const serial = missing ? test.serial.skip : test.serial;
const USER = 'oauth-support';
const VALID = 'ya29.valid-access-token';
let dovecot: Dovecot;
let introspection: Server;
const presented: string[] = [];

test.before(async () => {
  if (missing) return;
  introspection = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      const token = new URLSearchParams(body).get('token') ?? '';
      presented.push(token);
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(token === VALID ? { active: true, username: USER } : { active: false }));
    });
  });
  await new Promise<void>((resolve) => introspection.listen(0, '127.0.0.1', () => resolve()));
  const url = `http://127.0.0.1:${(introspection.address() as AddressInfo).port}/introspect`;
  dovecot = await startDovecot({ users: { [USER]: 'unused-password' }, oauth2IntrospectionUrl: url });
});
test.after.always(async () => {
  await dovecot?.destroy();
  introspection?.close();
});

const env = (token: string) => ({
  IMAP_HOST: '127.0.0.1', IMAP_PORT: String(dovecot.port), IMAP_SECURE: 'false', IMAP_USER: USER,
  IMAP_ACCESS_TOKEN: token, IMAP_SUPPORT_ADDRESS: SUPPORT,
});

serial('a valid OAuth2 access token reads the mailbox (XOAUTH2, the token checked by the identity provider)', async (t) => {
  await dovecot.append(USER, 'unused-password', 'INBOX', [fixture('plain.eml')]);
  const svc = await startTestService(env(VALID), { classifier: createKeywordClassifier() });
  t.teardown(() => svc.stop());
  await waitFor(async () => (await api(svc.baseUrl, '/api/v1/requests?source=email')).json.total === 1, { what: 'ticket via OAuth2', timeoutMs: 20_000 });
  t.true(presented.includes(VALID));
  t.is(imapHealth((await api(svc.baseUrl, '/health')).json).status, 'connected');
});

serial('an expired token: /health shows the inbox failing with an auth error, nothing is read', async (t) => {
  const svc = await startTestService(env('ya29.expired-token'));
  t.teardown(() => svc.stop());
  const imap = await waitFor(async () => {
    const h = imapHealth((await api(svc.baseUrl, '/health')).json);
    return h.status === 'failing' ? h : null;
  }, { what: 'auth failure', timeoutMs: 20_000 });
  t.is(imap.last_error!.kind, 'auth');
  t.regex(imap.last_error!.message, /AUTHENTICATIONFAILED|Authentication failed/);
  t.is((await api(svc.baseUrl, '/api/v1/requests?source=email')).json.total, 0);
});
