/**
 * Erasing a customer who wrote through the Slack door (a Slack Connect channel): the ticket and follow-up
 * they opened there, their Slack profile (name and address from the event), the door's stored event and the
 * cards we posted about them hold nothing of them afterwards; another customer's ticket from the channel stays.
 */
import test from 'ava';
import { api } from '../kit/service.ts';
import { callback, customerProfile, INTAKE, messageEvent, sendEvent } from '../kit/slack-events.ts';
import { waitFor } from '../kit/wait.ts';
import { waitForAlert } from '../slack/harness.ts';
import { admin, scanAllTables, startPrivacyService } from './harness.ts';

test('anonymise a Slack-door customer: no table, log line or card of ours holds them; another customer stays', async (t) => {
  const env = await startPrivacyService({ SLACK_INTAKE_CHANNELS: `${INTAKE.all}:all` });
  t.teardown(env.stop);
  const { svc, fake } = env;
  const profile = customerProfile('Wanda Erasable', 'wanda@slack-erase.test');
  const question = messageEvent({ user: 'UWANDA0001', text: 'Hi, Wanda Erasable here: our invoice 88 is wrong [cat=billing conf=0.9]', profile });
  t.is((await sendEvent(svc.baseUrl, callback(question))).status, 200);
  const more = messageEvent({ user: 'UWANDA0001', text: 'Wanda again: the VAT id is missing too', thread_ts: question.ts, profile });
  t.is((await sendEvent(svc.baseUrl, callback(more))).status, 200);
  const other = messageEvent({ user: 'UOTTO00001', text: 'Otto here: the staging deploy is stuck [cat=technical conf=0.9]', profile: customerProfile('Otto Keeper', 'otto@keep.test') });
  t.is((await sendEvent(svc.baseUrl, callback(other))).status, 200);
  const sql = svc.service.db.sql;
  const ids = await waitFor(async () => {
    const rows = await sql.query<{ id: number }>(`select id from tickets where source = 'slack' order by id`);
    return rows.length === 2 ? rows.map((r) => Number(r.id)) : undefined;
  }, { what: 'two Slack-door tickets' });
  for (const id of ids) await waitForAlert(fake, id, 30_000);
  const needles = ['wanda', 'erasable', 'slack-erase.test'];
  t.true(Object.keys(await scanAllTables(sql, needles)).length >= 3, 'she is stored first');

  // Export first: the Slack-door ticket with both her messages, her customer and its Slack identity.
  const exported = await api(svc.baseUrl, '/api/v1/privacy/export', { method: 'POST', headers: admin, json: { kind: 'email', value: 'wanda@slack-erase.test' } });
  t.deepEqual(exported.json.tickets, [ids[0]]);
  t.true(exported.json.places.ticket_messages.some((m: { body: string }) => m.body.includes('VAT id')), 'the follow-up from the thread');
  t.true(exported.json.places.customer_identities.some((i: { kind: string; value: string }) => i.value === 'UWANDA0001'), 'the Slack identity');
  const erased = await api(svc.baseUrl, '/api/v1/privacy/erasures', { method: 'POST', headers: admin, json: { kind: 'email', value: 'wanda@slack-erase.test', mode: 'anonymise' } });
  t.is(erased.status, 201, erased.text);
  t.is(erased.json.tickets, 1);
  await waitFor(() => !fake.messages.some((m) => /wanda|erasable/i.test(JSON.stringify(m))), { what: 'our Slack messages redacted', timeoutMs: 60_000 });
  await waitFor(async () => Object.keys(await scanAllTables(sql, needles)).length === 0, { what: 'no table holds her', timeoutMs: 60_000 }).catch(async () => {
    t.fail(`still held: ${JSON.stringify(await scanAllTables(sql, needles))}`);
  });
  t.false(/wanda|erasable|slack-erase/i.test(env.logs()), 'the log output never held her');
  const otto = (await api(svc.baseUrl, `/api/v1/requests/${ids[1]}`, { headers: admin })).json;
  t.regex(otto.body, /staging deploy/, 'the other customer\'s ticket is untouched');
  t.is(otto.requester_email, 'otto@keep.test');
});
