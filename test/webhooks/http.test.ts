/**
 * Every webhook door through the real service (createService, real HTTP, real database): a documentation-shaped
 * delivery becomes a ticket readable through the REST API, a replay changes nothing, an update becomes a
 * follow-up, and every kind of bad input gets its status with nothing stored.
 */
import { request } from 'node:http';
import test from 'ava';
import { api, startTestService, type TestService } from '../kit/service.ts';
import { waitFor } from '../kit/wait.ts';
import { freshdeskBody, frontInbound, genericBody, helpscoutConversation, intercomNotification, zendeskCommentAdded, zendeskTicketCreated, zendeskTriggerBody } from './fixtures.ts';
import { sign, SECRETS } from '../kit/signing.ts';

let svc: TestService;
test.before(async () => {
  svc = await startTestService({ ...SECRETS });
});
test.after.always(async () => {
  await svc?.stop();
});

type Signed = { body: string; headers: Record<string, string> };
interface ProviderCase {
  name: string;
  created(id: string): Signed;
  update(id: string, text: string): Signed;
  /** A signed body missing a required field, and the field the 422 must name. */
  wrongShape(): Signed & { field: string };
  stale?: (body: string) => Record<string, string>;
  expectEmail: boolean;
}

const json = (x: unknown) => JSON.stringify(x);
const signed = (s: (b: string) => Record<string, string>, body: string): Signed => ({ body, headers: s(body) });
const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000);
let seq = 0;
const uid = () => `${Date.now().toString(36)}${(seq++).toString(36)}`;

const cases: ProviderCase[] = [
  {
    name: 'zendesk',
    created: (id) => signed(sign.zendesk, json(zendeskTicketCreated({ id }))),
    update: (id, text) => signed(sign.zendesk, json(zendeskCommentAdded({ ticketId: id, commentId: uid(), text }))),
    wrongShape: () => ({ ...signed(sign.zendesk, json({ ...zendeskTicketCreated({ id: '1' }), detail: { id: '1', subject: 'x' } })), field: 'detail.description' }),
    stale: (body) => sign.zendesk(body, minutesAgo(10)),
    expectEmail: false,
  },
  {
    name: 'freshdesk',
    created: (id) => signed(sign.freshdesk, freshdeskBody({ id, raw: true })),
    update: (id, text) => signed(sign.freshdesk, freshdeskBody({ id, event: 'ticket_updated', comment: text })),
    wrongShape: () => ({ ...signed(sign.freshdesk, json({ event: 'ticket_created', subject: 'x', description: 'y' })), field: 'ticket_id' }),
    expectEmail: true,
  },
  {
    name: 'helpscout',
    created: (id) => signed(sign.helpscout, json(helpscoutConversation({ id }))),
    update: (id, text) => {
      const body = json(helpscoutConversation({ id, replies: [{ id: String(5000 + seq++), text }] }));
      return { body, headers: sign.helpscout(body, undefined, undefined, 'convo.customer.reply.created') };
    },
    wrongShape: () => ({ ...signed(sign.helpscout, json({ subject: 'no id' })), field: 'id' }),
    expectEmail: true,
  },
  {
    name: 'intercom',
    created: (id) => signed(sign.intercom, json(intercomNotification({ id }))),
    update: (id, text) =>
      signed(sign.intercom, json(intercomNotification({ id, topic: 'conversation.user.replied', notificationId: `notif_${uid()}`, reply: { id: uid(), text } }))),
    wrongShape: () => ({ ...signed(sign.intercom, json({ type: 'notification_event', topic: 'conversation.user.created', data: { item: {} } })), field: 'id' }),
    expectEmail: true,
  },
  {
    name: 'front',
    created: (id) => signed(sign.front, json(frontInbound({ id }))),
    update: (id, text) => signed(sign.front, json(frontInbound({ id, eventId: `evt_${uid()}`, messageId: `msg_${uid()}`, html: `<p>${text}</p>` }))),
    wrongShape: () => {
      const body = frontInbound({ id: 'cnv_x' }) as { payload: Record<string, unknown> };
      delete body.payload.target;
      return { ...signed(sign.front, json(body)), field: 'payload.target' };
    },
    stale: (body) => sign.front(body, minutesAgo(10)),
    expectEmail: true,
  },
  {
    name: 'generic',
    created: (id) => signed(sign.generic, json(genericBody({ id }))),
    update: (id, text) => signed(sign.generic, json(genericBody({ id: uid(), ticketId: id, text }))),
    wrongShape: () => {
      const { body: _omit, ...rest } = genericBody({ id: 'g' });
      return { ...signed(sign.generic, json(rest)), field: 'body' };
    },
    stale: (body) => sign.generic(body, minutesAgo(10)),
    expectEmail: true,
  },
];

const post = (name: string, s: Signed, path = `/webhooks/${name}`) => api(svc.baseUrl, path, { method: 'POST', body: s.body, headers: s.headers });
const countTickets = async (source: string) => (await api(svc.baseUrl, `/api/v1/requests?source=${source}&limit=1`)).json.total as number;
const auditRows = (source: string, verdict: string) =>
  svc.service.db.sql.query<{ delivery_id: string | null; reason: string | null; payload: string | null; size: number; ticket_id: number | null }>(
    'select delivery_id, reason, payload, size, ticket_id from inbound_events where source = $1 and verdict = $2 order by id',
    [source, verdict],
  );

for (const c of cases) {
  test.serial(`${c.name}: a ticket-created delivery is stored and readable; a replay is a duplicate; an update is a follow-up`, async (t) => {
    const id = c.name === 'helpscout' ? String(1_000_000 + Math.floor(Math.random() * 1e6)) : c.name === 'front' ? `cnv_${uid()}` : uid();
    const delivery = c.created(id);
    const first = await post(c.name, delivery);
    t.is(first.status, 200, first.text);
    t.is(first.json.status, 'accepted');
    const ticketId = first.json.ticket_id as number;

    const ticket = (await api(svc.baseUrl, `/api/v1/requests/${ticketId}`)).json;
    t.like(ticket, { source: c.name, external_id: id, subject: 'Cannot log in after password reset' });
    t.is(ticket.body, 'Hi team,\n\nSince resetting my password I get "Invalid credentials" on every login.');
    if (c.expectEmail) t.like(ticket, { requester_email: 'ana.lima@example.com', requester_name: 'Ana Lima' });
    t.true((ticket.tags as string[]).includes('login'));

    const before = await countTickets(c.name);
    const replay = await post(c.name, delivery);
    t.is(replay.status, 200);
    t.deepEqual(replay.json, { status: 'duplicate', ticket_id: ticketId });
    t.is(await countTickets(c.name), before);

    const update = c.update(id, 'It still fails after clearing the cache.');
    const followup = await post(c.name, update);
    t.is(followup.status, 200, followup.text);
    t.deepEqual(followup.json, { status: 'followup', ticket_id: ticketId });
    const again = await post(c.name, update);
    t.deepEqual(again.json, { status: 'duplicate', ticket_id: ticketId });
    const after = (await api(svc.baseUrl, `/api/v1/requests/${ticketId}`)).json;
    t.is(after.messages.length, 1);
    t.is(after.messages[0].body, 'It still fails after clearing the cache.');
    t.is(await countTickets(c.name), before);

    // A creation's audit row is written just after the answer.
    const audited = await waitFor(async () =>
      (await auditRows(c.name, 'accepted')).find((r) => r.ticket_id === ticketId),
    );
    t.like(audited, { payload: delivery.body, size: Buffer.byteLength(delivery.body) });
    t.truthy(await waitFor(async () => (await auditRows(c.name, 'followup')).some((r) => r.ticket_id === ticketId)));
    t.truthy(await waitFor(async () => (await auditRows(c.name, 'duplicate')).some((r) => r.ticket_id === ticketId)));
  });

  test.serial(`${c.name}: bad signature, bad JSON, wrong shape, oversized body and wrong method are refused; nothing is stored`, async (t) => {
    const before = await countTickets(c.name);
    const good = c.created(uid());

    // Freshdesk cannot sign bodies: its forgery is a wrong token.
    const forged = await post(
      c.name,
      c.name === 'freshdesk' ? { body: good.body, headers: sign.freshdesk(good.body, undefined, 'not-the-token') } : { body: good.body.replace('password', 'passw0rd'), headers: good.headers },
    );
    t.is(forged.status, 401);
    t.truthy(forged.json.detail);
    const unsigned = await post(c.name, { body: good.body, headers: { 'content-type': 'application/json' } });
    t.is(unsigned.status, 401);

    if (c.stale) {
      const stale = await post(c.name, { body: good.body, headers: c.stale(good.body) });
      t.is(stale.status, 401);
      t.regex(stale.json.detail, /Stale/);
    }

    const notJson = signed((b) => (c.name === 'helpscout' ? sign.helpscout(b) : (sign as any)[c.name](b)), '{"ticket": oops');
    t.is((await post(c.name, notJson)).status, 400);

    const wrong = c.wrongShape();
    const shaped = await post(c.name, wrong);
    t.is(shaped.status, 422, shaped.text);
    t.true((shaped.json.errors as { field: string }[]).some((e) => e.field === wrong.field), JSON.stringify(shaped.json));

    const huge = 'x'.repeat(2 * 1024 * 1024);
    const tooLarge = await post(c.name, { body: huge, headers: { 'content-type': 'application/json' } });
    t.is(tooLarge.status, 413);

    const get = await api(svc.baseUrl, `/webhooks/${c.name}`);
    t.is(get.status, 405);
    t.regex(get.headers.get('allow') ?? '', /POST/);

    t.is(await countTickets(c.name), before);
    const rejected = await auditRows(c.name, 'rejected');
    t.true(rejected.some((r) => /Invalid/.test(r.reason ?? '')));
    t.true(rejected.some((r) => r.size === 0 && /exceeds/.test(r.reason ?? '')));
    t.true(rejected.every((r) => (r.payload ?? '').length <= 4096));
  });
}

test.serial('the trailing slash works and the 413 also holds for a chunked body without Content-Length', async (t) => {
  const s = cases[5]!.created(uid());
  const slash = await post('generic', s, '/webhooks/generic/');
  t.is(slash.status, 200);
  const status = await new Promise<number>((resolve, reject) => {
    const req = request(`${svc.baseUrl}/webhooks/generic`, { method: 'POST', headers: { 'transfer-encoding': 'chunked', ...s.headers } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', (err) => ((err as NodeJS.ErrnoException).code === 'EPIPE' || (err as NodeJS.ErrnoException).code === 'ECONNRESET' ? undefined : reject(err)));
    const chunk = Buffer.alloc(64 * 1024, 'a');
    let sent = 0;
    const pump = () => {
      while (sent < 2 * 1024 * 1024) {
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once('drain', pump);
      }
      req.end();
    };
    pump();
  });
  t.is(status, 413);
});

test.serial('intercom HEAD check is 200; front challenge is echoed; an ignored event stores nothing', async (t) => {
  t.is((await api(svc.baseUrl, '/webhooks/intercom', { method: 'HEAD' })).status, 200);
  const body = json({ type: 'sync', authorization: { id: 'cmp_1' } });
  const challenge = await api(svc.baseUrl, '/webhooks/front', { method: 'POST', body, headers: { ...sign.front(body), 'x-front-challenge': 'ch4ll3nge' } });
  t.is(challenge.status, 200);
  t.is(challenge.json.challenge, 'ch4ll3nge');
  t.is(challenge.headers.get('x-front-challenge'), 'ch4ll3nge');
  const unsignedChallenge = await api(svc.baseUrl, '/webhooks/front', { method: 'POST', body, headers: { 'x-front-challenge': 'x' } });
  t.is(unsignedChallenge.status, 401);

  const before = await countTickets('zendesk');
  const staff = json(zendeskCommentAdded({ ticketId: '424242', commentId: uid(), text: 'Agent note', staff: true }));
  const ignored = await post('zendesk', signed(sign.zendesk, staff));
  t.like(ignored.json, { status: 'ignored', ticket_id: null });
  t.is(await countTickets('zendesk'), before);
});

test.serial('zendesk trigger body with unescaped quotes and line breaks is stored whole', async (t) => {
  const id = uid();
  const body = zendeskTriggerBody({ id, raw: true, html: 'Error says "E42"\nwhen I "save"\n\nThanks' });
  const res = await post('zendesk', signed(sign.zendesk, body));
  t.is(res.status, 200, res.text);
  const ticket = (await api(svc.baseUrl, `/api/v1/requests/${res.json.ticket_id}`)).json;
  t.like(ticket, { external_id: id, body: 'Error says "E42"\nwhen I "save"\n\nThanks', priority: 'urgent', requester_email: 'ana.lima@example.com' });
});

test.serial('an update for a ticket we do not hold opens it, and its replay is still a duplicate', async (t) => {
  const id = `cnv_${uid()}`;
  const update = cases[4]!.update(id, 'First we hear of this conversation');
  const first = await post('front', update);
  t.is(first.json.status, 'accepted');
  const ticket = (await api(svc.baseUrl, `/api/v1/requests/${first.json.ticket_id}`)).json;
  t.like(ticket, { external_id: id, body: 'First we hear of this conversation' });
  const replay = await post('front', update);
  t.deepEqual(replay.json, { status: 'duplicate', ticket_id: first.json.ticket_id });
  t.is((await api(svc.baseUrl, `/api/v1/requests/${first.json.ticket_id}`)).json.messages.length, 0);
});

// The lookups of concurrent first messages interleave on PostgreSQL (TEST_DATABASE_URL); PGlite serializes them.
test.serial('concurrent messages opening an unknown conversation give one ticket and follow-ups, none lost', async (t) => {
  const id = `cnv_${uid()}`;
  const texts = ['Message 1', 'Message 2', 'Message 3', 'Message 4', 'Message 5', 'Message 6'];
  const deliveries = texts.map((text) => cases[4]!.update(id, text));
  const answers = await Promise.all(deliveries.map((d) => post('front', d)));
  t.deepEqual(answers.map((a) => a.json.status).sort(), ['accepted', ...Array(texts.length - 1).fill('followup')]);
  t.is(new Set(answers.map((a) => a.json.ticket_id)).size, 1);
  const ticket = (await api(svc.baseUrl, `/api/v1/requests/${answers[0]!.json.ticket_id}`)).json;
  t.deepEqual([ticket.body, ...ticket.messages.map((m: { body: string }) => m.body)].sort(), texts);
});

test('a provider without a secret answers 404 on every method', async (t) => {
  const bare = await startTestService({ ZENDESK_WEBHOOK_SECRET: 'only-zendesk' });
  try {
    for (const name of ['freshdesk', 'helpscout', 'intercom', 'front', 'generic']) {
      const s = cases.find((c) => c.name === name)!.created(uid());
      t.is((await api(bare.baseUrl, `/webhooks/${name}`, { method: 'POST', body: s.body, headers: s.headers })).status, 404, name);
      t.is((await api(bare.baseUrl, `/webhooks/${name}`)).status, 404, name);
    }
    t.is((await api(bare.baseUrl, '/webhooks/zendesk')).status, 405);
  } finally {
    await bare.stop();
  }
});
