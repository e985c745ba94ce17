/**
 * The inbox as production wires it: IMAP_* in the environment, createService starts the reader, mail
 * becomes a classified ticket visible over the REST API, /health shows the mailbox, stop() is clean.
 */
import { createKeywordClassifier } from '../../src/classify/keyword.ts';
import { api, serveForTest } from '../kit/service.ts';
import { waitFor } from '../kit/wait.ts';
import { fixture, newMailbox, useDovecot } from './harness.ts';

const suite = useDovecot();
const serial = suite.serial;

serial('IMAP_* configured: mail arrives as a classified ticket over the API and /health reports the mailbox', async (t) => {
  const box = await newMailbox(suite.dovecot);
  const svc = await serveForTest(t, box.env, { classifier: createKeywordClassifier() });
  await suite.dovecot.append(box.user, box.password, 'INBOX', [fixture('html-only.eml')]);
  const list = await waitFor(async () => {
    const r = await api(svc.baseUrl, '/api/v1/requests?source=email');
    return r.json.total === 1 && r.json.items[0].status !== 'processing' ? r.json : null;
  }, { what: 'classified e-mail ticket', timeoutMs: 30_000 });
  const ticket = (await api(svc.baseUrl, `/api/v1/requests/${list.items[0].id}`)).json;
  t.is(ticket.subject, 'Double charge on invoice');
  t.is(ticket.requester_email, 'bob@customer.example');
  t.is(ticket.classification.category, 'billing');
  const health = (await api(svc.baseUrl, '/health')).json;
  t.is(health.checks.imap.status, 'connected');
  t.is(health.checks.imap.mailbox, 'INBOX');
  t.is(health.checks.imap.last_error, null);
});

serial('without IMAP_HOST the inbox is reported disabled', async (t) => {
  const svc = await serveForTest(t, {});
  t.is((await api(svc.baseUrl, '/health')).json.checks.imap.status, 'disabled');
});
