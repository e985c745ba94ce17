/** The pure parts of each door: signature verification and payload interpretation, without HTTP or a database. */
import test from 'ava';
import { HttpError } from '../../src/lib/http-error.ts';
import { freshdesk } from '../../src/inbound/webhooks/freshdesk.ts';
import { front } from '../../src/inbound/webhooks/front.ts';
import { generic } from '../../src/inbound/webhooks/generic.ts';
import { helpscout } from '../../src/inbound/webhooks/helpscout.ts';
import { intercom } from '../../src/inbound/webhooks/intercom.ts';
import { zendesk } from '../../src/inbound/webhooks/zendesk.ts';
import { parsePlaceholderTemplate } from '../../src/inbound/webhooks/shared/body.ts';
import { signaturesMatch } from '../../src/inbound/webhooks/shared/signature.ts';
import type { ProviderModule, WebhookDelivery, WebhookRequest } from '../../src/inbound/webhooks/shared/types.ts';
import { freshdeskBody, frontInbound, genericBody, helpscoutConversation, intercomNotification, zendeskCommentAdded, zendeskTicketCreated, zendeskTriggerBody } from './fixtures.ts';
import { sign, SECRETS } from '../kit/signing.ts';

const NOW = new Date('2026-11-24T10:15:00Z');
const req = (body: string, headers: Record<string, string>, now = NOW): WebhookRequest => ({ headers, raw: Buffer.from(body), now });
const status = (fn: () => unknown): number | undefined => {
  try {
    fn();
    return undefined;
  } catch (err) {
    if (err instanceof HttpError) return err.status;
    throw err;
  }
};
const fieldsOf = (fn: () => unknown): string[] => {
  try {
    fn();
  } catch (err) {
    if (err instanceof HttpError) return ((err.extra.errors as { field: string }[]) ?? []).map((e) => e.field);
    throw err;
  }
  return [];
};
const deliver = (p: ProviderModule, r: WebhookRequest) => p.interpret(r) as WebhookDelivery;

const cases = [
  { p: zendesk, secret: SECRETS.ZENDESK_WEBHOOK_SECRET, body: JSON.stringify(zendeskTicketCreated({ id: '35436' })), sign: sign.zendesk },
  { p: freshdesk, secret: SECRETS.FRESHDESK_WEBHOOK_TOKEN, body: freshdeskBody({ id: '812' }), sign: sign.freshdesk },
  { p: helpscout, secret: SECRETS.HELPSCOUT_WEBHOOK_SECRET, body: JSON.stringify(helpscoutConversation({ id: '2391938111' })), sign: sign.helpscout },
  { p: intercom, secret: SECRETS.INTERCOM_CLIENT_SECRET, body: JSON.stringify(intercomNotification({ id: '147' })), sign: sign.intercom },
  { p: front, secret: SECRETS.FRONT_WEBHOOK_SECRET, body: JSON.stringify(frontInbound({ id: 'cnv_55c8c149' })), sign: sign.front },
  { p: generic, secret: SECRETS.GENERIC_WEBHOOK_SECRET, body: JSON.stringify(genericBody({ id: 'ext-1' })), sign: sign.generic },
];

for (const c of cases) {
  test(`${c.p.name}: a correctly signed delivery verifies; a tampered body, another secret or no header is 401`, (t) => {
    const headers = c.sign(c.body, NOW);
    t.is(status(() => c.p.verify(req(c.body, headers), c.secret)), undefined);
    t.is(status(() => c.p.verify(req(c.body, c.sign(c.body, NOW, 'not-the-secret')), c.secret)), 401);
    t.is(status(() => c.p.verify(req(c.body, {}), c.secret)), 401);
    if (c.p.name !== 'freshdesk') t.is(status(() => c.p.verify(req(c.body.replace('a', 'A'), headers), c.secret)), 401);
  });

  test(`${c.p.name}: the documented ticket-created payload maps to subject, plain-text body and requester`, (t) => {
    const d = deliver(c.p, req(c.body, c.sign(c.body, NOW)));
    t.true(d.kind === 'ticket' || d.kind === 'update');
    if (d.kind === 'ignored') return;
    t.is(d.message.subject, 'Cannot log in after password reset');
    t.is(d.message.body, 'Hi team,\n\nSince resetting my password I get "Invalid credentials" on every login.');
    t.notRegex(d.message.body, /<[a-z]/);
    if (c.p.name !== 'zendesk') {
      // Zendesk's event envelope identifies the requester by id only.
      t.is(d.message.requesterEmail, 'ana.lima@example.com');
      t.is(d.message.requesterName, 'Ana Lima');
    }
    t.true((d.message.tags ?? []).includes('login'));
  });

  test(`${c.p.name}: a body that is not JSON is 400`, (t) => {
    const body = '{"id": 1, oops';
    const headers = c.p.name === 'helpscout' ? sign.helpscout(body) : c.sign(body, NOW);
    t.is(status(() => c.p.interpret(req(body, headers))), 400);
  });
}

for (const p of [zendesk, front, generic]) {
  test(`${p.name}: a signature older or newer than 5 minutes is 401, within the window it passes`, (t) => {
    const c = cases.find((x) => x.p === p)!;
    const at = (minutes: number) => new Date(NOW.getTime() + minutes * 60_000);
    t.is(status(() => p.verify(req(c.body, c.sign(c.body, at(-6))), c.secret)), 401);
    t.is(status(() => p.verify(req(c.body, c.sign(c.body, at(6))), c.secret)), 401);
    t.is(status(() => p.verify(req(c.body, c.sign(c.body, at(-4))), c.secret)), undefined);
  });
}

test('constant-time compare: different lengths and different bytes are both false', (t) => {
  t.true(signaturesMatch('abc', 'abc'));
  t.false(signaturesMatch('abc', 'abcd'));
  t.false(signaturesMatch('abc', 'abd'));
  t.false(signaturesMatch('abc', undefined));
});

test('zendesk envelope: ticket id is the dedupe key, event id the delivery id, priority normalized', (t) => {
  const body = JSON.stringify(zendeskTicketCreated({ id: '35436', eventId: 'ev-1' }));
  const d = deliver(zendesk, req(body, {}));
  t.like(d, { kind: 'ticket', ticketId: '35436', deliveryId: 'ev-1', eventType: 'ticket.created' });
  if (d.kind !== 'ticket') return;
  t.is(d.message.priority, 'high');
  t.deepEqual(d.message.tags, ['login', 'vip']);
  t.deepEqual(d.message.receivedAt, new Date('2026-11-24T10:12:07Z'));
});

test('zendesk envelope: a customer comment is an update, an agent comment is ignored, a wrong shape names the field', (t) => {
  const customer = deliver(zendesk, req(JSON.stringify(zendeskCommentAdded({ ticketId: '9', commentId: '77', text: '<p>Still broken</p>' })), {}));
  t.like(customer, { kind: 'update', ticketId: '9', deliveryId: 'evt-comment-77' });
  if (customer.kind === 'update') t.is(customer.message.body, 'Still broken');
  const agent = deliver(zendesk, req(JSON.stringify(zendeskCommentAdded({ ticketId: '9', commentId: '78', text: 'On it', staff: true })), {}));
  t.is(agent.kind, 'ignored');
  const opening = zendeskCommentAdded({ ticketId: '9', commentId: '79', text: '<p>Printer on fire</p>' });
  const withDescription = { ...opening, detail: { ...opening.detail, description: 'Printer on fire' } };
  t.like(deliver(zendesk, req(JSON.stringify(withDescription), {})), { kind: 'ignored' });
  const noDescription = zendeskTicketCreated({ id: '1' }) as { detail: Record<string, unknown> };
  delete noDescription.detail.description;
  t.deepEqual(fieldsOf(() => zendesk.interpret(req(JSON.stringify(noDescription), {}))), ['detail.description']);
});

test('zendesk trigger: escaped and unescaped renderings of the README template give the same message', (t) => {
  const html = '<p>It says "Invalid credentials"\nand then:\n\n  nothing</p>';
  const escaped = deliver(zendesk, req(zendeskTriggerBody({ id: '12', html }), {}));
  const raw = deliver(zendesk, req(zendeskTriggerBody({ id: '12', html, raw: true, name: 'Ana "Nana" Lima' }), {}));
  t.like(escaped, { kind: 'ticket', ticketId: '12', deliveryId: '12:ticket.created' });
  if (escaped.kind !== 'ticket' || raw.kind !== 'ticket') return t.fail();
  t.is(raw.message.body, escaped.message.body);
  t.regex(raw.message.body, /"Invalid credentials"/);
  t.is(raw.message.requesterName, 'Ana "Nana" Lima');
  t.is(raw.message.priority, 'urgent');
  t.deepEqual(raw.message.tags, ['login', 'vip']);
  t.is(raw.message.requesterEmail, 'ana.lima@example.com');
});

test('zendesk trigger: the update template is an update keyed by ticket, event and content', (t) => {
  const a = deliver(zendesk, req(zendeskTriggerBody({ id: '12', event: 'ticket.updated', comment: 'Any news?' }), {}));
  const b = deliver(zendesk, req(zendeskTriggerBody({ id: '12', event: 'ticket.updated', comment: 'Hello?' }), {}));
  t.like(a, { kind: 'update', ticketId: '12' });
  if (a.kind !== 'update' || b.kind !== 'update') return t.fail();
  t.is(a.message.body, 'Any news?');
  t.not(a.deliveryId, b.deliveryId);
  t.deepEqual(fieldsOf(() => zendesk.interpret(req(JSON.stringify({ event: 'ticket.updated', ticket_id: '12' }), {}))), ['comment']);
  t.deepEqual(fieldsOf(() => zendesk.interpret(req(JSON.stringify({ subject: 'x', description: 'y' }), {}))), ['ticket_id']);
});

test('freshdesk: Bearer, X-Webhook-Token and basic-auth password all carry the token', (t) => {
  const s = SECRETS.FRESHDESK_WEBHOOK_TOKEN;
  t.is(status(() => freshdesk.verify(req('{}', { authorization: `Bearer ${s}` }), s)), undefined);
  t.is(status(() => freshdesk.verify(req('{}', { 'x-webhook-token': s }), s)), undefined);
  t.is(status(() => freshdesk.verify(req('{}', { authorization: `Basic ${Buffer.from(`x:${s}`).toString('base64')}` }), s)), undefined);
  t.is(status(() => freshdesk.verify(req('{}', { authorization: 'Bearer wrong' }), s)), 401);
});

test('freshdesk: unescaped template, update template and the freshdesk_webhook wrapper', (t) => {
  const raw = deliver(freshdesk, req(freshdeskBody({ id: '812', raw: true, html: '<div dir="ltr">Quote: "x"<br>line 2</div>' }), {}));
  t.like(raw, { kind: 'ticket', ticketId: '812', deliveryId: '812:ticket_created' });
  if (raw.kind === 'ticket') {
    t.is(raw.message.body, 'Quote: "x"\nline 2');
    t.is(raw.message.priority, 'medium');
    t.deepEqual(raw.message.tags, ['login', 'vip']);
  }
  const upd = deliver(freshdesk, req(freshdeskBody({ id: '812', event: 'ticket_updated', comment: 'Thanks, still failing' }), {}));
  t.like(upd, { kind: 'update', ticketId: '812' });
  const wrapped = deliver(freshdesk, req(JSON.stringify({ freshdesk_webhook: { ticket_id: 813, ticket_subject: 'S', ticket_description: '<p>D</p>', ticket_priority: 4, ticket_requester_email: 'Bo@Example.com' } }), {}));
  t.like(wrapped, { kind: 'ticket', ticketId: '813' });
  if (wrapped.kind === 'ticket') t.like(wrapped.message, { subject: 'S', body: 'D', priority: 'urgent', requesterEmail: 'bo@example.com' });
  t.deepEqual(fieldsOf(() => freshdesk.interpret(req(JSON.stringify({ event: 'ticket_created', ticket_id: '1' }), {}))), ['description']);
});

test('helpscout: convo.created opens, convo.customer.reply.created follows up with the newest customer thread, others are ignored', (t) => {
  const created = deliver(helpscout, req(JSON.stringify(helpscoutConversation({ id: '100' })), { 'x-helpscout-event': 'convo.created' }));
  t.like(created, { kind: 'ticket', ticketId: '100' });
  const replyBody = JSON.stringify(helpscoutConversation({ id: '100', replies: [{ id: '2001', text: 'first reply' }, { id: '2002', text: 'second reply' }] }));
  const reply = deliver(helpscout, req(replyBody, { 'x-helpscout-event': 'convo.customer.reply.created' }));
  t.like(reply, { kind: 'update', ticketId: '100', deliveryId: '100:convo.customer.reply.created:2002' });
  if (reply.kind === 'update') t.is(reply.message.body, 'second reply');
  t.is(deliver(helpscout, req(replyBody, { 'x-helpscout-event': 'convo.assigned' })).kind, 'ignored');
  t.deepEqual(fieldsOf(() => helpscout.interpret(req(replyBody, {}))), ['X-HelpScout-Event']);
  t.deepEqual(fieldsOf(() => helpscout.interpret(req(JSON.stringify({ subject: 'x' }), { 'x-helpscout-event': 'convo.created' }))), ['id']);
});

test('intercom: created and replied topics; other topics ignored; priority flag maps to high', (t) => {
  const created = deliver(intercom, req(JSON.stringify(intercomNotification({ id: '147' })), {}));
  t.like(created, { kind: 'ticket', ticketId: '147', deliveryId: 'notif_147_created' });
  if (created.kind === 'ticket') t.is(created.message.priority, 'high');
  const replied = deliver(intercom, req(JSON.stringify(intercomNotification({ id: '147', topic: 'conversation.user.replied', notificationId: 'notif_r1', reply: { id: '9001', text: 'Update: still down' } })), {}));
  t.like(replied, { kind: 'update', ticketId: '147', deliveryId: 'notif_r1' });
  if (replied.kind === 'update') t.is(replied.message.body, 'Update: still down');
  t.is(deliver(intercom, req(JSON.stringify({ ...intercomNotification({ id: '1' }), topic: 'ping' }), {})).kind, 'ignored');
  const noSource = intercomNotification({ id: '1' }) as { data: { item: Record<string, unknown> } };
  delete noSource.data.item.source;
  t.deepEqual(fieldsOf(() => intercom.interpret(req(JSON.stringify(noSource), {}))), ['data.item.source']);
});

test('front: inbound message maps from the payload wrapper and from a rule-webhook body; the challenge is echoed', (t) => {
  const wrapped = deliver(front, req(JSON.stringify(frontInbound({ id: 'cnv_1', eventId: 'evt_9' })), {}));
  t.like(wrapped, { kind: 'update', ticketId: 'cnv_1', deliveryId: 'evt_9' });
  const bare = deliver(front, req(JSON.stringify(frontInbound({ id: 'cnv_1', eventId: 'evt_9' }).payload), {}));
  t.like(bare, { kind: 'update', ticketId: 'cnv_1', deliveryId: 'evt_9', eventType: 'inbound' });
  if (bare.kind === 'update' && wrapped.kind === 'update') t.deepEqual(bare.message.body, wrapped.message.body);
  const challenge = front.interpret(req(JSON.stringify({ type: 'sync', authorization: { id: 'cmp_1' } }), { 'x-front-challenge': 'abc123' }));
  t.deepEqual(challenge, { handshake: { status: 200, body: { challenge: 'abc123' }, headers: { 'X-Front-Challenge': 'abc123' } } });
  const noConversation = frontInbound({ id: 'cnv_1' }) as { payload: Record<string, unknown> };
  delete noConversation.payload.conversation;
  t.deepEqual(fieldsOf(() => front.interpret(req(JSON.stringify(noConversation), {}))), ['payload.conversation']);
});

test('generic: ticket_id makes a follow-up; missing fields are named', (t) => {
  const followup = deliver(generic, req(JSON.stringify(genericBody({ id: 'm-2', ticketId: 'ext-1', text: 'More detail' })), {}));
  t.like(followup, { kind: 'update', ticketId: 'ext-1', deliveryId: 'm-2' });
  const { body: _b, requester_email: _e, ...rest } = genericBody({ id: 'x' });
  t.deepEqual(fieldsOf(() => generic.interpret(req(JSON.stringify(rest), {}))).sort(), ['body', 'requester_email']);
  t.deepEqual(fieldsOf(() => generic.interpret(req('[1,2]', {}))), ['(body)']);
});

test('placeholder reader: values run to the next known key; foreign text is refused', (t) => {
  const text = '{\n"ticket_id": "5",\n"subject": "He said "hi"",\n"description": "line 1\n"quoted" line 2\n\\ end"\n}';
  t.deepEqual(parsePlaceholderTemplate(Buffer.from(text), ['ticket_id', 'subject', 'description']), {
    ticket_id: '5',
    subject: 'He said "hi"',
    description: 'line 1\n"quoted" line 2\n\\ end',
  });
  t.is(parsePlaceholderTemplate(Buffer.from('{"other": 1, oops}'), ['ticket_id']), undefined);
  t.is(parsePlaceholderTemplate(Buffer.from('garbage "ticket_id": "1"'), ['ticket_id']), undefined);
});
