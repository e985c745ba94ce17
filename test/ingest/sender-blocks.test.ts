/**
 * Blocking a sender through the real service (REST, the generic webhook, a fake Slack counting alerts): a blocked
 * address's next ten messages make no ticket, no follow-up and no alert and are kept as spam, counted; a domain
 * block covers its subdomains; the Spam action blocks a ticket's sender and resolves it; unblocking restores
 * intake; our own address, free-mail and public-suffix domains are refused; a second instance honours a block
 * within its refresh; erasing the person removes the block and the spam.
 */
import anyTest, { type TestFn } from 'ava';
import { api, startTestService } from '../kit/service.ts';
import { SPAM_RULES } from '../../src/domain/sender-block.ts';
import { sign, SECRETS } from '../kit/signing.ts';
import { waitFor } from '../kit/wait.ts';
import { alertsFor, startSlackService, waitForAlert, type SlackTestEnv } from '../slack/harness.ts';
import { scanAllTables } from '../privacy/harness.ts';

const test = anyTest.serial as TestFn<{ env: SlackTestEnv }>;
const OWN = 'help@our-support.example';

test.before(async (t) => {
  // A mailbox that is never reached (port 9): only its support address matters here.
  const env = await startSlackService({ ...SECRETS, IMAP_HOST: '127.0.0.1', IMAP_PORT: '9', IMAP_USER: OWN, IMAP_PASSWORD: 'x', IMAP_SECURE: 'false' }, { database: 'postgres' });
  t.context = { env };
});
test.after.always(async (t) => t.context.env?.stop());

let seq = 0;
const uid = () => `${Date.now().toString(36)}${(seq++).toString(36)}`;

async function viaRest(baseUrl: string, email: string, subject = 'Cheap watches') {
  return api(baseUrl, '/api/v1/requests', { method: 'POST', json: { subject, body: `Buy now ${uid()}`, requester_email: email, requester_name: 'Sam Spammer' } });
}

async function viaWebhook(baseUrl: string, email: string, extra: Record<string, unknown> = {}) {
  const body = JSON.stringify({ id: `sb-${uid()}`, subject: 'Cheap watches', body: 'Buy now', requester_email: email, requester_name: 'Sam Spammer', ...extra });
  const res = await fetch(`${baseUrl}/webhooks/generic`, { method: 'POST', headers: sign.generic(body), body });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

const ticketsFrom = async (env: SlackTestEnv, email: string) =>
  (await env.svc.service.db.sql.query<{ id: number; status: string }>('select id, status from tickets where requester_email = $1 order by id', [email]));

test('a blocked address: ten messages make no ticket, follow-up or alert, are kept as spam and counted; unblocking restores intake', async (t) => {
  const { env } = t.context;
  const { svc, fake } = env;
  const email = 'sam@spam-sender.example';
  const first = await viaRest(svc.baseUrl, email);
  t.is(first.status, 201);
  await waitForAlert(fake, first.json.id, 30_000);

  const blocked = await api(svc.baseUrl, '/api/v1/sender-blocks', { method: 'POST', json: { kind: 'email', value: 'Sam@Spam-Sender.EXAMPLE' } });
  t.is(blocked.status, 201, blocked.text);
  t.like(blocked.json, { kind: 'email', value: email, blocked_by: 'api', suppressed: 0, unblocked_at: null });
  const again = await api(svc.baseUrl, '/api/v1/sender-blocks', { method: 'POST', json: { kind: 'email', value: email } });
  t.is(again.status, 200);
  t.is(again.json.id, blocked.json.id, 'blocked already: the same block');

  // The first ticket is resolved; the sender writes on it and anew, by REST and by webhook.
  t.is((await api(svc.baseUrl, `/api/v1/requests/${first.json.id}`, { method: 'PATCH', json: { status: 'resolved' } })).status, 200);
  for (let i = 0; i < 5; i++) {
    const rest = await viaRest(svc.baseUrl, email);
    t.is(rest.status, 202, rest.text);
    t.deepEqual(rest.json, { id: null, status: 'suppressed', message: 'The sender is blocked: the message was kept as spam, no ticket was made' });
    const hook = await viaWebhook(svc.baseUrl, email, i === 0 ? { ticket_id: 'never-stored' } : {});
    t.is(hook.status, 200);
    t.like(hook.json, { status: 'suppressed', ticket_id: null });
  }
  await new Promise((r) => setTimeout(r, 2000));
  t.deepEqual(await ticketsFrom(env, email), [{ id: first.json.id, status: 'resolved' }], 'no new ticket; the resolved one stays resolved');
  t.is(alertsFor(fake, first.json.id).length, 1, 'no alert beyond the first ticket\'s');
  t.false(fake.messages.some((m) => JSON.stringify(m).includes('Buy now') && !JSON.stringify(m).includes(String(first.json.id))), 'nothing of the spam in Slack');

  const listed = (await api(svc.baseUrl, '/api/v1/sender-blocks')).json.items as { id: number; suppressed: number }[];
  t.is(listed.find((b) => b.id === blocked.json.id)?.suppressed, 10);
  const spam = await svc.service.db.sql.query<{ source: string; from: string }>(`select source, metadata->'spam'->>'from' as from from inbound_events where verdict = 'suppressed' and metadata->'spam'->>'from' = $1`, [email]);
  t.is(spam.length, 10);
  t.deepEqual([...new Set(spam.map((s) => s.source))].sort(), ['api', 'generic']);

  t.is((await api(svc.baseUrl, `/api/v1/sender-blocks/${blocked.json.id}`, { method: 'DELETE' })).status, 204);
  t.is((await api(svc.baseUrl, `/api/v1/sender-blocks/${blocked.json.id}`, { method: 'DELETE' })).status, 404, 'ended already');
  const ended = (await api(svc.baseUrl, `/api/v1/sender-blocks/${blocked.json.id}`)).json;
  t.like(ended, { unblocked_by: 'api', suppressed: 10 });
  t.truthy(ended.unblocked_at);
  t.false(((await api(svc.baseUrl, '/api/v1/sender-blocks')).json.items as { id: number }[]).some((b) => b.id === blocked.json.id), 'not in force');
  t.true(((await api(svc.baseUrl, '/api/v1/sender-blocks?ended=true')).json.items as { id: number }[]).some((b) => b.id === blocked.json.id), 'kept in the history');
  const after = await viaRest(svc.baseUrl, email);
  t.is(after.status, 201, 'intake restored');
  await waitForAlert(fake, after.json.id, 30_000);
});

test('a domain block covers the domain and its subdomains, not a domain that merely ends alike', async (t) => {
  const { svc } = t.context.env;
  const made = await api(svc.baseUrl, '/api/v1/sender-blocks', { method: 'POST', json: { kind: 'domain', value: '@Bulk-Mailer.example' } });
  t.is(made.status, 201, made.text);
  t.is(made.json.value, 'bulk-mailer.example');
  t.is((await viaRest(svc.baseUrl, 'a@bulk-mailer.example')).status, 202);
  t.is((await viaRest(svc.baseUrl, 'b@eu.mx.bulk-mailer.example')).status, 202);
  t.is((await viaRest(svc.baseUrl, 'c@notbulk-mailer.example')).status, 201);
  t.is((await api(svc.baseUrl, `/api/v1/sender-blocks/${made.json.id}`, { method: 'DELETE' })).status, 204);
});

test('refused: our own address and domain, free-mail and public-suffix domains, malformed subjects', async (t) => {
  const { svc } = t.context.env;
  const post = (json: unknown) => api(svc.baseUrl, '/api/v1/sender-blocks', { method: 'POST', json });
  for (const [json, rule] of [
    [{ kind: 'email', value: 'HELP@our-support.example' }, /our own support addresses/],
    [{ kind: 'domain', value: 'our-support.example' }, /our own support addresses/],
    [{ kind: 'domain', value: 'gmail.com' }, /free-mail/],
    [{ kind: 'domain', value: 'co.uk' }, /public suffix/],
    [{ kind: 'domain', value: 'MX.GMAIL.COM' }, /free-mail/],
  ] as const) {
    const res = await post(json);
    t.is(res.status, 422, JSON.stringify(json));
    t.regex(JSON.stringify(res.json), rule, JSON.stringify(json));
  }
  const parent = await post({ kind: 'domain', value: 'example' });
  t.is(parent.status, 422, 'a single label is no domain the schema takes');
  for (const json of [{}, { kind: 'email' }, { kind: 'email', value: 'no-at-sign' }, { kind: 'ip', value: '1.2.3.4' }, { kind: 'email', value: ' a@b.example' }, { kind: 'email', value: 'a@b.example', extra: 1 }]) {
    t.is((await post(json)).status, 422, JSON.stringify(json));
  }
  t.is((await post('a@b.example')).status, 400, 'a body that is no JSON object');
  t.is((await api(svc.baseUrl, '/api/v1/sender-blocks/999999', { method: 'DELETE' })).status, 404);
  t.is((await api(svc.baseUrl, '/api/v1/sender-blocks/abc')).status, 422);
});

test('the Spam action blocks a ticket\'s sender (or domain) and resolves it; the next message is spam', async (t) => {
  const { svc, fake } = t.context.env;
  const made = await viaRest(svc.baseUrl, 'lou@spam-action.example', 'Win a prize');
  t.is(made.status, 201);
  await waitForAlert(fake, made.json.id, 30_000);
  const marked = await api(svc.baseUrl, `/api/v1/requests/${made.json.id}/spam`, { method: 'POST', json: {} });
  t.is(marked.status, 200, marked.text);
  t.like(marked.json, { ticket_id: made.json.id, resolved: true, block: { kind: 'email', value: 'lou@spam-action.example', ticket_id: made.json.id } });
  t.is((await api(svc.baseUrl, `/api/v1/requests/${made.json.id}`)).json.status, 'resolved');
  const history = await svc.service.db.sql.query<{ action: string; after: Record<string, unknown> }>(`select action, after from audit_entries where action = 'block_sender' and ticket_id = $1`, [made.json.id]);
  t.deepEqual(history.map((h) => h.after), [{ block_id: marked.json.block.id, kind: 'email' }], 'the audit names the block, not the address');
  t.is((await viaRest(svc.baseUrl, 'lou@spam-action.example')).status, 202);
  t.is((await viaRest(svc.baseUrl, 'max@spam-action.example')).status, 201, 'only the address');

  const other = await viaRest(svc.baseUrl, 'kim@spam-domain.example');
  const byDomain = await api(svc.baseUrl, `/api/v1/requests/${other.json.id}/spam`, { method: 'POST', json: { domain: true } });
  t.like(byDomain.json, { block: { kind: 'domain', value: 'spam-domain.example' } });
  t.is((await viaRest(svc.baseUrl, 'anyone@spam-domain.example')).status, 202);
  const twice = await api(svc.baseUrl, `/api/v1/requests/${other.json.id}/spam`, { method: 'POST', json: { domain: true } });
  t.like(twice.json, { resolved: false, block: { id: byDomain.json.block.id } });

  const anonymous = await api(svc.baseUrl, '/api/v1/requests', { method: 'POST', json: { text: 'No sender here' } });
  t.is((await api(svc.baseUrl, `/api/v1/requests/${anonymous.json.id}/spam`, { method: 'POST', json: {} })).status, 422);
  t.is((await api(svc.baseUrl, '/api/v1/requests/999999/spam', { method: 'POST', json: {} })).status, 404);
  t.is((await api(svc.baseUrl, `/api/v1/requests/${other.json.id}/spam`, { method: 'POST', json: { domain: 'yes' } })).status, 422);
  // The REST door takes an address with a long local part; a block cannot name it: refused for the ticket, documented.
  const long = await viaRest(svc.baseUrl, `${'l'.repeat(65)}@long-local.example`);
  t.is(long.status, 201, long.text);
  const unblockable = await api(svc.baseUrl, `/api/v1/requests/${long.json.id}/spam`, { method: 'POST', json: {} });
  t.is(unblockable.status, 422);
  t.like(unblockable.json.errors[0], { field: 'id', message: SPAM_RULES.unblockable });
  t.not((await api(svc.baseUrl, `/api/v1/requests/${long.json.id}`)).json.status, 'resolved', 'nothing changed');
  const ours = await viaRest(svc.baseUrl, 'jo@gmail.com');
  t.is((await api(svc.baseUrl, `/api/v1/requests/${ours.json.id}/spam`, { method: 'POST', json: { domain: true } })).status, 422, 'gmail.com is not blocked whole');
});

test('five blocks of one subject at once make one block; the Spam action needs no body', async (t) => {
  const { svc } = t.context.env;
  const answers = await Promise.all(Array.from({ length: 5 }, () => api(svc.baseUrl, '/api/v1/sender-blocks', { method: 'POST', json: { kind: 'email', value: 'same@at-once.example' } })));
  t.deepEqual(answers.map((a) => a.status).sort(), [200, 200, 200, 200, 201]);
  t.is(new Set(answers.map((a) => a.json.id)).size, 1, 'one block');
  const made = await viaRest(svc.baseUrl, 'nobody@no-body.example');
  const bare = await fetch(`${svc.baseUrl}/api/v1/requests/${made.json.id}/spam`, { method: 'POST' });
  t.is(bare.status, 200, await bare.text());
  t.is((await viaRest(svc.baseUrl, 'nobody@no-body.example')).status, 202);
});

test('a second instance honours a block made on the first within its refresh', async (t) => {
  const { svc } = t.context.env;
  const second = await startTestService({}, { databaseUrl: svc.databaseUrl! });
  t.teardown(() => second.stop());
  t.is((await viaRest(second.baseUrl, 'late@second-instance.example')).status, 201, 'not blocked yet');
  t.is((await api(svc.baseUrl, '/api/v1/sender-blocks', { method: 'POST', json: { kind: 'email', value: 'late@second-instance.example' } })).status, 201);
  await waitFor(async () => (await viaRest(second.baseUrl, 'late@second-instance.example')).status === 202, { what: 'the block on the second instance', timeoutMs: 10_000 });
});

test('erasing the person removes their block and the spam kept from them', async (t) => {
  const { svc } = t.context.env;
  const email = 'erin@erase-spam.example';
  t.is((await api(svc.baseUrl, '/api/v1/sender-blocks', { method: 'POST', json: { kind: 'email', value: email } })).status, 201);
  t.is((await viaRest(svc.baseUrl, email)).status, 202);
  t.true(Object.keys(await scanAllTables(svc.service.db.sql, ['erase-spam.example'])).length > 0);
  const erased = await api(svc.baseUrl, '/api/v1/privacy/erasures', { method: 'POST', json: { kind: 'email', value: email, mode: 'anonymise' } });
  t.is(erased.status, 201, erased.text);
  t.is(erased.json.counts.sender_blocks, 1);
  t.deepEqual(await scanAllTables(svc.service.db.sql, ['erase-spam.example']), {});
});
