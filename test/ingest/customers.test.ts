/**
 * Customers at ingest: one person across doors (mail, helpdesk webhooks, REST), the ticket pointing at them from
 * the transaction that stores it, and the ways it could go wrong: upper case, a door id and an address that
 * belong to two people, concurrent first messages of one new person (group commit and two instances), ids
 * PostgreSQL cannot store.
 */
import test from 'ava';
import { createKeywordClassifier } from '../../src/classify/keyword.ts';
import { resolveCustomers } from '../../src/ingest/customers.ts';
import { sign, SECRETS } from '../kit/signing.ts';
import { api, startTestService, type TestService } from '../kit/service.ts';
import { helpscoutConversation, intercomNotification, zendeskCommentAdded, zendeskTicketCreated, zendeskTriggerBody } from '../webhooks/fixtures.ts';

let svc: TestService;
test.before(async () => {
  svc = await startTestService({ ...SECRETS }, { classifier: createKeywordClassifier() });
});
test.after.always(async () => svc?.stop());

const q = <R = Record<string, unknown>>(text: string, values: unknown[] = []) => svc.service.db.sql.query<R>(text, values);
const customerOf = async (ticketId: number) => (await q<{ customer_id: number | null }>('select customer_id from tickets where id = $1', [ticketId]))[0]!.customer_id;
const identities = async (customerId: number) =>
  (await q<{ kind: string; value: string }>('select kind, value from customer_identities where customer_id = $1 order by kind, value', [customerId])).map((r) => `${r.kind}:${r.value}`);
let seq = 0;
const uid = () => `${Date.now().toString(36)}-${seq++}`;

async function postWebhook(provider: 'zendesk' | 'helpscout' | 'intercom', body: string) {
  const res = await fetch(`${svc.baseUrl}/webhooks/${provider}`, { method: 'POST', headers: sign[provider](body), body });
  if (res.status >= 300) throw new Error(`webhook answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as { ticket_id?: number; id?: number };
}

const ticketByExternal = async (source: string, externalId: string) =>
  (await q<{ id: number }>('select id from tickets where source = $1 and external_id = $2', [source, externalId]))[0]!.id;

test('a customer writing by mail and through Zendesk with the same address (another case) is one customer', async (t) => {
  const address = `ana.${uid()}@customer.example`;
  const mail = await svc.service.ingest({ source: 'email', externalId: `<${uid()}@customer.example>`, subject: 'Invoice missing', body: 'Where is my invoice?', requesterEmail: address, requesterName: 'Ana Lima' });
  const zendeskId = `zd-${uid()}`;
  await postWebhook('zendesk', zendeskTriggerBody({ id: zendeskId, email: address.toUpperCase(), name: 'Ana Lima' }));
  const fromZendesk = await ticketByExternal('zendesk', zendeskId);
  const customer = await customerOf(mail.ticketId);
  t.truthy(customer);
  t.is(await customerOf(fromZendesk), customer);
  t.deepEqual(await identities(customer!), [`email:${address}`]);
  const [row] = await q<{ name: string; first_seen_at: Date; last_seen_at: Date }>('select name, first_seen_at, last_seen_at from customers where id = $1', [customer]);
  t.is(row!.name, 'Ana Lima');
  t.true(new Date(row!.last_seen_at) >= new Date(row!.first_seen_at));
});

test('a Zendesk requester id joins the address it first came with; later messages carrying only the id find the same customer', async (t) => {
  const requesterId = `${Date.now()}${seq++}`;
  const address = `bo.${uid()}@customer.example`;
  // A REST or mail message first, then the helpdesk's event that knows the person by id and by address.
  const first = await svc.service.ingest({ source: 'zendesk', externalId: `zd-${uid()}`, body: 'Login broken', requesterEmail: address, requesterId });
  const customer = await customerOf(first.ticketId);
  const ticketId = `zd-${uid()}`;
  const created = zendeskTicketCreated({ id: ticketId });
  created.detail.requester_id = requesterId;
  await postWebhook('zendesk', JSON.stringify(created));
  t.is(await customerOf(await ticketByExternal('zendesk', ticketId)), customer);
  t.deepEqual(await identities(customer!), [`email:${address}`, `zendesk:${requesterId}`]);
  // The comment's author id is the requester: the follow-up touches the same customer, no new one appears.
  // The first message had no name; the comment's author name fills it in (a known name is never overwritten).
  const name = `Bo ${uid()}`;
  await postWebhook('zendesk', JSON.stringify({ ...zendeskCommentAdded({ ticketId, commentId: uid(), text: 'Any news?' }), event: { comment: { author: { id: requesterId, is_staff: false, name }, body: 'Any news?', id: uid(), is_public: true } } }));
  t.deepEqual((await q<{ id: number }>('select id from customers where name = $1', [name])).map((r) => r.id), [customer]);
});

test('an id and an address that belong to two customers do not merge them: the door id wins, the address stays', async (t) => {
  const userA = `user-a-${uid()}`;
  const a = await svc.service.ingest({ source: 'intercom', externalId: `ic-${uid()}`, body: 'Hello from A', requesterId: userA, requesterEmail: null });
  const bAddress = `b.${uid()}@customer.example`;
  const b = await svc.service.ingest({ source: 'api', body: 'Hello from B', requesterEmail: bAddress });
  const mixed = await svc.service.ingest({ source: 'intercom', externalId: `ic-${uid()}`, body: 'Who am I?', requesterId: userA, requesterEmail: bAddress });
  t.not(await customerOf(a.ticketId), await customerOf(b.ticketId));
  t.is(await customerOf(mixed.ticketId), await customerOf(a.ticketId));
  t.deepEqual(await identities((await customerOf(b.ticketId))!), [`email:${bAddress}`]);
});

test('fifty concurrent REST tickets of one new address make one customer; of fifty addresses, fifty', async (t) => {
  const same = `burst.${uid()}@customer.example`;
  const post = (email: string, i: number) => api(svc.baseUrl, '/api/v1/requests', { method: 'POST', json: { subject: `Burst ${i}`, body: `Message number ${i}`, requester_email: email } });
  const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => post(same, i)));
  t.true(answers.every((a) => a.status === 201));
  const owners = new Set(await Promise.all(answers.map((a) => customerOf(a.json.id))));
  t.is(owners.size, 1);
  t.false(owners.has(null));
  const many = await Promise.all(Array.from({ length: 50 }, (_, i) => post(`p${i}.${uid()}@customer.example`, i)));
  t.is(new Set(await Promise.all(many.map((a) => customerOf(a.json.id)))).size, 50);
});

test('a message that says nothing about its sender has no customer; an id PostgreSQL cannot store is dropped, not cleaned into another', async (t) => {
  const anonymous = await svc.service.ingest({ source: 'api', body: 'Who wrote this?' });
  t.is(await customerOf(anonymous.ticketId), null);
  const nul = await svc.service.ingest({ source: 'intercom', externalId: `ic-${uid()}`, body: 'Odd id', requesterId: 'user\u0000x' });
  t.is(await customerOf(nul.ticketId), null);
  t.is((await q('select 1 from customer_identities where value in ($1, $2)', ['userx', 'user\ufffdx'])).length, 0);
  // An address too long for an identity still stores the ticket, without a customer.
  const long = await svc.service.ingest({ source: 'api', body: 'Long address', requesterEmail: `${'x'.repeat(330)}@example.com` });
  t.is(await customerOf(long.ticketId), null);
});

test('two transactions meeting the same new person at once leave one customer and no orphan', async (t) => {
  // On PGlite the transactions run one after the other; on PostgreSQL (TEST_DATABASE_URL) the second waits on the first's key.
  const email = `race.${uid()}@customer.example`;
  const [a, b] = await Promise.all([
    svc.service.db.transaction((tx) => resolveCustomers(tx, [{ email, name: 'Race' }, { external: { door: 'front', id: `race-${seq}` }, email }])),
    svc.service.db.transaction((tx) => resolveCustomers(tx, [{ email: email.toUpperCase() }])),
  ]);
  t.is(a[0], b[0]);
  t.is(a[1], a[0]);
  t.is((await q<{ n: number }>(`select count(*)::int as n from customers c where not exists (select 1 from customer_identities i where i.customer_id = c.id)`))[0]!.n, 0);
});

test('ingest.resolveCustomer (for doors without a message yet) finds and creates the same customers as messages do', async (t) => {
  const email = `door.${uid()}@customer.example`;
  const viaMessage = await svc.service.ingest({ source: 'api', body: 'Hi', requesterEmail: email });
  const slackId = `U${seq}${Date.now()}`;
  const resolved = await svc.service.ingest.resolveCustomer({ email, external: { door: 'slack', id: slackId }, name: 'Door' });
  t.is(resolved, await customerOf(viaMessage.ticketId));
  t.is(await svc.service.ingest.resolveCustomer({ external: { door: 'slack', id: slackId } }), resolved);
  t.is(await svc.service.ingest.resolveCustomer({}), null);
});

test('Help Scout and Intercom deliveries carry the person\'s id there: it joins their address', async (t) => {
  const hsAddress = `hs.${uid()}@customer.example`;
  const hsId = `${Date.now()}${seq++}`;
  await postWebhook('helpscout', JSON.stringify(helpscoutConversation({ id: hsId, email: hsAddress })));
  t.deepEqual(await identities((await customerOf(await ticketByExternal('helpscout', hsId)))!), [`email:${hsAddress}`, 'helpscout:29418']);
  const icAddress = `ic.${uid()}@customer.example`;
  const icId = `${Date.now()}${seq++}`;
  await postWebhook('intercom', JSON.stringify(intercomNotification({ id: icId, email: icAddress })));
  t.deepEqual(await identities((await customerOf(await ticketByExternal('intercom', icId)))!), [`email:${icAddress}`, 'intercom:5f7f0d217289f8d2f4262080']);
});
