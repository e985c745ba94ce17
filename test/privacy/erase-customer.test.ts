/**
 * Erasing a customer (kind `customer`): a person who wrote from two addresses and through the Slack door is one
 * customer; erasing by one address finds only that address's tickets, erasing the customer finds them all, and
 * afterwards none of their addresses, their name or their identities are anywhere; another customer stays.
 */
import test from 'ava';
import { api } from '../kit/service.ts';
import { callback, customerProfile, INTAKE, messageEvent, sendEvent } from '../kit/slack-events.ts';
import { waitFor } from '../kit/wait.ts';
import { admin, restTicket, scanAllTables, startPrivacyService } from './harness.ts';

test('a customer with two addresses and a Slack identity is erased whole by kind customer', async (t) => {
  const env = await startPrivacyService({ SLACK_INTAKE_CHANNELS: `${INTAKE.all}:all` });
  t.teardown(env.stop);
  const { svc } = env;
  const sql = svc.service.db.sql;
  const slackTickets = async () => (await sql.query<{ id: number; customer_id: number | null }>(`select id, customer_id from tickets where source = 'slack' order by id`)).map((r) => ({ id: Number(r.id), customer: r.customer_id === null ? null : Number(r.customer_id) }));

  const first = messageEvent({ user: 'UMAX000001', text: 'Max Twoaddress here: the export is empty [cat=technical conf=0.9]', profile: customerProfile('Max Twoaddress', 'max.one@two-addr.test') });
  t.is((await sendEvent(svc.baseUrl, callback(first))).status, 200);
  const [one] = await waitFor(async () => ((await slackTickets()).length === 1 ? slackTickets() : undefined), { what: 'the first Slack ticket' });
  t.is((await api(svc.baseUrl, `/api/v1/requests/${one!.id}`, { method: 'PATCH', headers: admin, json: { status: 'resolved' } })).status, 200);
  // Later, the same Slack user with another address on their profile: a new ticket, the same customer.
  const second = messageEvent({ user: 'UMAX000001', text: 'Max again: now the import fails too [cat=technical conf=0.9]', profile: customerProfile('Max Twoaddress', 'max.two@two-addr.test') });
  t.is((await sendEvent(svc.baseUrl, callback(second))).status, 200);
  const both = await waitFor(async () => ((await slackTickets()).length === 2 ? slackTickets() : undefined), { what: 'the second Slack ticket' });
  const customer = both[0]!.customer!;
  t.truthy(customer);
  t.is(both[1]!.customer, customer, 'one customer for both');
  // And by mail-less REST with the second address.
  const viaRest = await restTicket(svc, { email: 'max.two@two-addr.test', name: 'Max Twoaddress', subject: 'Invoice', body: 'Max Twoaddress: invoice 7 is wrong' });
  const otto = await restTicket(svc, { email: 'otto@keep-customer.test', name: 'Otto Keep', subject: 'Invoice', body: 'Otto: invoice 8 is wrong' });

  const dry = async (json: Record<string, unknown>) => api(svc.baseUrl, '/api/v1/privacy/dry-run', { method: 'POST', headers: admin, json });
  const oneAddress = await dry({ kind: 'email', value: 'max.one@two-addr.test' });
  t.is(oneAddress.json.tickets, 1, `one address: its ticket ${oneAddress.text}`);
  const whole = await dry({ kind: 'customer', value: String(customer) });
  t.is(whole.status, 200, whole.text);
  t.is(whole.json.tickets, 3, 'the customer: every ticket');
  t.is(whole.json.counts.customer_identities, 3, 'two addresses and the Slack user');
  t.is((await dry({ kind: 'customer', value: '999999' })).json.tickets, 0);
  for (const value of ['abc', '0', '-1', '1.5', ' ', '12345678901']) t.is((await dry({ kind: 'customer', value })).status, 422, value);
  t.is((await dry({ kind: 'customer', value: 42 })).status, 422, 'a string, as every subject');

  const exported = await api(svc.baseUrl, '/api/v1/privacy/export', { method: 'POST', headers: admin, json: { kind: 'customer', value: String(customer) } });
  t.deepEqual(exported.json.tickets, [both[0]!.id, both[1]!.id, viaRest]);

  const erased = await api(svc.baseUrl, '/api/v1/privacy/erasures', { method: 'POST', headers: admin, json: { kind: 'customer', value: String(customer), mode: 'anonymise' } });
  t.is(erased.status, 201, erased.text);
  t.is(erased.json.tickets, 3);
  const needles = ['max.one@two-addr', 'max.two@two-addr', 'twoaddress'];
  await waitFor(async () => Object.keys(await scanAllTables(sql, needles)).length === 0, { what: 'no table holds them', timeoutMs: 60_000 }).catch(async () => {
    t.fail(`still held: ${JSON.stringify(await scanAllTables(sql, needles))}`);
  });
  t.deepEqual(await sql.query(`select kind from customer_identities where customer_id = $1`, [customer]), [], 'no identity of theirs is left');
  t.false(/twoaddress|two-addr\.test/i.test(env.logs()), 'the log output never held them');
  t.is((await api(svc.baseUrl, `/api/v1/requests/${otto}`, { headers: admin })).json.requester_email, 'otto@keep-customer.test');
});
