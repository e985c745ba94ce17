/**
 * Erasing a person whose tickets came through the mail door, a signed webhook and REST, with Slack cards
 * posted, an agent's reply and a follow-up: afterwards a scan of every text and JSON column of our tables and
 * pg-boss's, the whole log output and the fake Slack's messages finds their address and name zero times;
 * another customer is untouched; anonymise keeps the tickets and the stats, delete removes them; a dry run
 * changes nothing; export holds everything first.
 */
import anyTest, { type TestFn } from 'ava';
import { signedIn } from '../kit/console.ts';
import { api } from '../kit/service.ts';
import { waitFor } from '../kit/wait.ts';
import { alertsFor, waitForAlert } from '../slack/harness.ts';
import { REDACTED_CARD } from '../../src/slack/delivery/redacted.ts';
import { admin, mailTicket, type PrivacyEnv, restTicket, scanAllTables, startPrivacyService, webhookTicket } from './harness.ts';

const test = anyTest.serial as TestFn<{ env: PrivacyEnv }>;

test.before(async (t) => {
  t.context = { env: await startPrivacyService() };
});
test.after.always(async (t) => t.context.env?.stop());

interface Person { email: string; name: string; first: string }
const ZELDA: Person = { email: 'Zelda.Quixote@Erase-Me.test', name: 'Zelda Quixote', first: 'Zelda' };
const BRUNO: Person = { email: 'bruno.keeper@keep.test', name: 'Bruno Keeper', first: 'Bruno' };
const needles = (p: Person) => [p.email.toLowerCase(), p.name, 'quixote'].filter((n) => p === ZELDA || !n.includes('quixote'));

/** Tickets through mail, a webhook and REST (with an Idempotency-Key naming them), Slack cards, a reply. */
async function ticketsOf(env: PrivacyEnv, p: Person, tag: string): Promise<number[]> {
  const { svc } = env;
  const text = { subject: `Refund for ${p.name}`, body: `Hello, this is ${p.name} (${p.email}). [cat=billing conf=0.9 prio=high] Please refund order 7.` };
  const mail = await mailTicket(svc, { ...p, ...text, messageId: `<${tag}.mail@example.com>` });
  const hook = await webhookTicket(svc, { id: `${tag}-hook`, ...p, ...text });
  if (hook.status !== 200) throw new Error(await hook.text());
  const rest = await restTicket(svc, { ...p, ...text, key: `order-of-${p.email}` });
  const ids = await waitFor(async () => {
    const res = await api(svc.baseUrl, `/api/v1/requests?q=${encodeURIComponent(tag === 'z' ? 'Zelda' : 'Bruno')}&limit=50`, { headers: admin });
    return res.json.items.length >= 3 ? (res.json.items.map((t: any) => t.id) as number[]).sort((a, b) => a - b) : undefined;
  }, { what: 'three tickets' });
  for (const id of ids) await waitForAlert(env.fake, id, 30_000);
  // A person's change (a card refresh job with a note) and an agent's reply naming the customer.
  const note = await api(svc.baseUrl, `/api/v1/requests/${rest}/classification`, { method: 'PUT', headers: admin, json: { category: 'billing', note: `${p.first} called twice` } });
  if (note.status !== 200) throw new Error(note.text);
  const agent = await signedIn(svc.baseUrl, svc.service, 'agent');
  const reply = await agent.post(`/console/tickets/${mail}/reply`, { text: `Dear ${p.name}, we refunded you.` });
  if (reply.status !== 302) throw new Error(reply.text);
  return [...new Set([mail, rest, ...ids])].sort((a, b) => a - b);
}

const stats = async (env: PrivacyEnv) => {
  const s = (await api(env.svc.baseUrl, '/api/v1/stats?days=7', { headers: admin })).json;
  delete s.generated_at;
  return s;
};

test('anonymise: every copy of the person is gone, their tickets and the stats stay, others are untouched', async (t) => {
  const { env } = t.context;
  const { svc, fake } = env;
  const zelda = await ticketsOf(env, ZELDA, 'z');
  const bruno = await ticketsOf(env, BRUNO, 'b');
  t.is(zelda.length, 3);
  const sql = svc.service.db.sql;
  const before = await scanAllTables(sql, needles(ZELDA));
  t.true(Object.keys(before).length >= 8, `she is in many places first: ${JSON.stringify(before)}`);

  // The dry run counts and changes nothing.
  const dry = await api(svc.baseUrl, '/api/v1/privacy/dry-run', { method: 'POST', headers: admin, json: { kind: 'email', value: ZELDA.email } });
  t.is(dry.status, 200, dry.text);
  t.is(dry.json.tickets, 3);
  t.is(dry.json.counts.tickets, 3);
  t.true(dry.json.counts.ticket_replies >= 1);
  t.true(dry.json.counts.inbound_events >= 3);
  t.true(dry.json.counts.slack_posts >= 3);
  t.true(dry.json.counts.attachments >= 1);
  t.deepEqual(await scanAllTables(sql, needles(ZELDA)), before, 'a dry run changes nothing');

  // Export holds everything first.
  const exported = await api(svc.baseUrl, '/api/v1/privacy/export', { method: 'POST', headers: admin, json: { kind: 'email', value: ZELDA.email } });
  t.is(exported.status, 200, exported.text);
  t.deepEqual(exported.json.tickets, zelda);
  t.is(exported.json.places.tickets.length, 3);
  t.true(exported.json.places.ticket_replies.some((r: any) => r.body.includes(ZELDA.name)));
  t.true(exported.json.places.inbound_events.length >= 3);
  t.true(exported.json.places.attachments.some((a: any) => Buffer.from(a.content_base64, 'base64').toString().includes(ZELDA.name)));
  t.false(JSON.stringify(exported.json).includes(BRUNO.name), 'nobody else in it');

  const statsBefore = await stats(env);
  const erased = await api(svc.baseUrl, '/api/v1/privacy/erasures', { method: 'POST', headers: admin, json: { kind: 'email', value: ZELDA.email, mode: 'anonymise' } });
  t.is(erased.status, 201, erased.text);
  t.is(erased.json.state, 'done');
  t.is(erased.json.counts.tickets, 3);

  // Slack: her cards and thread notes edited to the redacted form.
  await waitFor(() => !fake.messages.some((m) => /zelda|quixote/i.test(JSON.stringify(m))), { what: 'Slack messages redacted', timeoutMs: 60_000 });
  for (const id of zelda) t.true(alertsFor(fake, id).length === 0 || fake.messages.some((m) => m.text === REDACTED_CARD));
  t.true(fake.messages.filter((m) => m.text === REDACTED_CARD).length >= 3);

  // Let the jobs the erasure enqueued finish, then scan everything.
  await waitFor(async () => (await scanAllTables(sql, needles(ZELDA)))['pgboss.job.data'] === undefined, { what: 'queue clean' });
  t.deepEqual(await scanAllTables(sql, needles(ZELDA)), {}, 'no table holds her address or name');
  t.true(Object.keys(await scanAllTables(sql, needles(BRUNO))).length >= 8, 'Bruno is untouched');
  for (const id of bruno) t.is((await api(svc.baseUrl, `/api/v1/requests/${id}`, { headers: admin })).json.requester_email, BRUNO.email);

  // The tickets stay, without her; the stats are as they were.
  for (const id of zelda) {
    const ticket = (await api(svc.baseUrl, `/api/v1/requests/${id}`, { headers: admin })).json;
    t.is(ticket.requester_email, null);
    t.is(ticket.classification.category, 'billing');
    t.is(ticket.body, '[erased]');
  }
  t.deepEqual(await stats(env), statsBefore);

  // The record and the audit hold no personal data.
  const records = await api(svc.baseUrl, '/api/v1/privacy/erasures', { headers: admin });
  t.is(records.json.items[0].id, erased.json.erasure_id);
  t.is(records.json.items[0].subject_kind, 'email');
  const audit = await api(svc.baseUrl, '/api/v1/audit?limit=500', { headers: admin });
  t.true(audit.json.items.some((e: any) => e.action === 'erasure' && e.after.erasure_id === erased.json.erasure_id));
  t.false(/zelda|quixote/i.test(JSON.stringify([records.json, audit.json])));
  t.false(/zelda|quixote/i.test(env.logs()), 'the log output never held her');
  t.true(env.logs().length > 1000, 'the service did log');

  // Erasing again finds nothing.
  const again = await api(svc.baseUrl, '/api/v1/privacy/dry-run', { method: 'POST', headers: admin, json: { kind: 'email', value: ZELDA.email } });
  t.is(again.json.tickets, 0);
});

test('delete by domain: the tickets, their Slack messages and every row about them are gone', async (t) => {
  const { env } = t.context;
  const { svc, fake } = env;
  const person: Person = { email: 'yara@gone-domain.test', name: 'Yara Vanish', first: 'Yara' };
  const ids = await (async () => {
    const text = { subject: `Invoice for ${person.name}`, body: `From ${person.name}. [cat=technical conf=0.9] It broke.` };
    const a = await restTicket(svc, { ...person, ...text });
    const b = await restTicket(svc, { ...person, email: 'xavier@gone-domain.test', name: 'Xavier Vanish', ...text });
    for (const id of [a, b]) await waitForAlert(fake, id, 30_000);
    return [a, b];
  })();
  const posted = fake.messages.filter((m) => /vanish/i.test(JSON.stringify(m))).length;
  t.true(posted >= 2);
  const res = await api(svc.baseUrl, '/api/v1/privacy/erasures', { method: 'POST', headers: admin, json: { kind: 'domain', value: '@Gone-Domain.test', mode: 'delete' } });
  t.is(res.status, 201, res.text);
  t.is(res.json.tickets, 2);
  for (const id of ids) t.is((await api(svc.baseUrl, `/api/v1/requests/${id}`, { headers: admin })).status, 404);
  await waitFor(() => !fake.messages.some((m) => /vanish/i.test(JSON.stringify(m))), { what: 'Slack messages deleted', timeoutMs: 60_000 });
  await waitFor(async () => Object.keys(await scanAllTables(svc.service.db.sql, ['gone-domain', 'vanish'])).length === 0, { what: 'nothing left' });
  t.deepEqual(env.logs().split('\n').filter((l) => /gone-domain|vanish/i.test(l)), []);
});

test('hostile and empty subjects are refused; a non-admin key may not erase', async (t) => {
  const { svc } = t.context.env;
  for (const json of [{}, { kind: 'email', value: 'not-an-address' }, { kind: 'domain', value: 'a@b.test' }, { kind: 'email', value: '%@%.test' }, { kind: 'email', value: 'a@b.test', mode: 'shred' }, { kind: 'email', value: 'x'.repeat(400) }]) {
    const res = await api(svc.baseUrl, '/api/v1/privacy/erasures', { method: 'POST', headers: admin, json: { mode: 'anonymise', ...json } });
    t.is(res.status, 422, JSON.stringify(json));
  }
  const wildcard = await api(svc.baseUrl, '/api/v1/privacy/dry-run', { method: 'POST', headers: admin, json: { kind: 'email', value: 'nobody_here@keep.test' } });
  t.is(wildcard.json.tickets, 0, 'an underscore is a letter, not a wildcard');
  t.is((await api(svc.baseUrl, '/api/v1/privacy/erasures', { method: 'POST', json: { kind: 'email', value: 'a@b.test', mode: 'delete' } })).status, 401);
});
