/**
 * Text PostgreSQL cannot store, in signed deliveries of every provider: NUL and lone surrogates in free text
 * are stored cleaned (200), in ids they are a permanent 422 (a 5xx would make the provider retry forever).
 */
import test from 'ava';
import { api, startTestService, type TestService } from '../kit/service.ts';
import { freshdeskBody, frontInbound, genericBody, helpscoutConversation, intercomNotification, zendeskTicketCreated, zendeskTriggerBody } from './fixtures.ts';
import { sign, SECRETS } from '../kit/signing.ts';

let svc: TestService;
test.before(async () => {
  svc = await startTestService({ ...SECRETS });
});
test.after.always(async () => svc?.stop());

let seq = 0;
const uid = () => `${Date.now().toString(36)}${(seq++).toString(36)}`;
// Serial: the id tests count a source's tickets before and after.
const HOSTILE = { subject: 'Cannot\u0000 log in \ud800after reset', name: 'Ana\u0000 Lima', html: '<p>Since\u0000 resetting my password \udc00I get errors on every login.</p>' };

type Body = (id: string) => string;
const providers: { name: keyof typeof sign; id: () => string; body: Body; withId?: (id: string) => string }[] = [
  { name: 'zendesk', id: uid, body: (id) => JSON.stringify(zendeskTicketCreated({ id, ...HOSTILE })) },
  {
    name: 'freshdesk',
    id: uid,
    body: (id) => freshdeskBody({ id, ...HOSTILE }),
    // The template puts the id in unescaped; a lone surrogate reaches the wire only as a JSON escape.
    withId: (id) => JSON.stringify({ ...JSON.parse(freshdeskBody({ id: '1', ...HOSTILE })), ticket_id: id }),
  },
  {
    name: 'helpscout',
    id: () => String(2_000_000 + seq++),
    body: (id) => JSON.stringify(helpscoutConversation({ id, ...HOSTILE })),
    // Help Scout ids are numbers in the fixture: put the hostile id in as a string.
    withId: (id) => JSON.stringify({ ...helpscoutConversation({ id: '1', ...HOSTILE }), id }),
  },
  { name: 'intercom', id: uid, body: (id) => JSON.stringify(intercomNotification({ id, ...HOSTILE })) },
  { name: 'front', id: () => `cnv_${uid()}`, body: (id) => JSON.stringify(frontInbound({ id, ...HOSTILE })) },
  { name: 'generic', id: uid, body: (id) => JSON.stringify(genericBody({ id, ...HOSTILE })) },
];

const deliver = (name: keyof typeof sign, body: string) =>
  api(svc.baseUrl, `/webhooks/${name}`, { method: 'POST', body, headers: (sign[name] as (b: string) => Record<string, string>)(body) });

async function storedTicket(source: string, externalId: string) {
  const list = await api(svc.baseUrl, `/api/v1/requests?source=${source}&limit=1000`);
  const item = list.json.items.find((i: { external_id: string }) => i.external_id === externalId);
  return item && (await api(svc.baseUrl, `/api/v1/requests/${item.id}`)).json;
}

const bad = /[\u0000]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

for (const p of providers) {
  test.serial(`${p.name}: NUL and lone surrogates in subject, name and body are stored cleaned (200)`, async (t) => {
    const id = p.id();
    const res = await deliver(p.name, p.body(id));
    t.is(res.status, 200, res.text);
    t.is(res.json.status, 'accepted');
    const ticket = await storedTicket(p.name, id);
    t.truthy(ticket, 'stored');
    for (const field of ['subject', 'body', 'requester_name']) {
      if (ticket[field] !== null) t.false(bad.test(ticket[field]), `${field}: ${JSON.stringify(ticket[field])}`);
    }
    t.regex(ticket.body, /Since resetting my password \uFFFDI get errors/);
    if (ticket.subject !== null) t.is(ticket.subject, 'Cannot log in \uFFFDafter reset');
    // A redelivery is the same ticket, not a second one and not an error.
    const again = await deliver(p.name, p.body(id));
    t.is(again.status, 200);
    t.is(again.json.ticket_id, ticket.id);
  });

  for (const [what, hostileId] of [['NUL', 'id\u0000x'], ['a lone surrogate', 'id\ud800x']] as const) {
    test.serial(`${p.name}: ${what} in the ticket id is a permanent 422, nothing stored, the same on retry`, async (t) => {
      const id = p.name === 'front' ? `cnv_${hostileId}` : hostileId;
      const body = p.withId ? p.withId(id) : p.body(id);
      const before = (await api(svc.baseUrl, `/api/v1/requests?source=${p.name}&limit=1`)).json.total;
      for (let attempt = 0; attempt < 2; attempt++) {
        const res = await deliver(p.name, body);
        t.is(res.status, 422, res.text);
        t.regex(JSON.stringify(res.json.errors), /NUL|surrogate/);
      }
      t.is((await api(svc.baseUrl, `/api/v1/requests?source=${p.name}&limit=1`)).json.total, before);
      const rows = await svc.service.db.sql.query<{ verdict: string }>("select verdict from inbound_events where source = $1 and verdict = 'rejected' and reason like 'Message cannot%' or (source = $1 and verdict = 'rejected' and reason like 'Payload%')", [p.name]);
      t.true(rows.length >= 2, 'the rejections are audited');
    });
  }
}

test.serial('freshdesk: a raw (unescaped) template with NUL bytes is read line-wise and stored cleaned', async (t) => {
  const id = uid();
  const body = freshdeskBody({ id, raw: true, subject: 'Broken "quote"\u0000 here', html: 'Line one\u0000\nline "two" of the description' });
  const res = await deliver('freshdesk', body);
  t.is(res.status, 200, res.text);
  const ticket = await storedTicket('freshdesk', id);
  t.is(ticket.subject, 'Broken "quote" here');
  t.false(ticket.body.includes('\u0000'));
});

test.serial('freshdesk: a hand-written template saying "id" instead of "ticket_id" is accepted; ticket_id wins when both are there', async (t) => {
  const id = uid();
  const withId = freshdeskBody({ id }).replace('"ticket_id"', '"id"');
  const res = await deliver('freshdesk', withId);
  t.is(res.status, 200, res.text);
  t.truthy(await storedTicket('freshdesk', id));
  // The same, unescaped (line-wise reader).
  const rawId = uid();
  const raw = freshdeskBody({ id: rawId, raw: true }).replace('"ticket_id"', '"id"');
  t.is((await deliver('freshdesk', raw)).status, 200);
  t.truthy(await storedTicket('freshdesk', rawId));
  // Both keys: the documented one is the ticket id.
  const both = uid();
  const twoKeys = JSON.stringify({ ...JSON.parse(freshdeskBody({ id: both })), id: 'not-this-one' });
  t.is((await deliver('freshdesk', twoKeys)).status, 200);
  t.truthy(await storedTicket('freshdesk', both));
  t.falsy(await storedTicket('freshdesk', 'not-this-one'));
  // Neither: the 422 names the documented key.
  const none = JSON.parse(freshdeskBody({ id: uid() }));
  delete none.ticket_id;
  const res422 = await deliver('freshdesk', JSON.stringify(none));
  t.is(res422.status, 422);
  t.true(res422.json.errors.some((e: { field: string }) => e.field === 'ticket_id'));
});

test.serial('zendesk trigger template: NUL in the requester name and a NUL-laden tag are cleaned', async (t) => {
  const id = uid();
  const body = zendeskTriggerBody({ id, name: 'Bo\u0000b' }).replace('"login vip"', '"login\\u0000 vip"');
  const res = await deliver('zendesk', body);
  t.is(res.status, 200, res.text);
  const ticket = await storedTicket('zendesk', id);
  t.is(ticket.requester_name, 'Bob');
  t.false(ticket.tags.some((tag: string) => tag.includes('\u0000')));
});
