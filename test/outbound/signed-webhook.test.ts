/**
 * The outbound reply webhook is signed as the inbound generic webhook is verified: our own verifier
 * (src/inbound/webhooks/generic.ts) accepts what the door sent, and refuses it with another secret, a changed
 * body or a replayed old timestamp. A retry carries the same Idempotency-Key.
 */
import test from 'ava';
import { generic } from '../../src/inbound/webhooks/generic.ts';
import { signedWebhookReplySender } from '../../src/outbound/helpdesks/signed-webhook.ts';
import { type OutboundReply, PermanentSendError, TransientSendError } from '../../src/domain/reply.ts';
import { startFakeHelpdesk } from '../kit/fake-helpdesk.ts';
import { ticketOf } from './tickets.ts';

const reply: OutboundReply = { replyId: 5, ticketId: 7, text: 'Grüße — we fixed it ✅', agent: { slackUserId: 'U1', name: 'Ana' }, idempotencyKey: 'reply-5-abc' };
const SECRET = 'outbound-secret';
const sentAt = new Date('2026-12-01T10:00:00Z');

test('the generic door signs what it sends; our inbound verifier accepts it and refuses a changed body, another secret or an old timestamp', async (t) => {
  const fake = await startFakeHelpdesk();
  t.teardown(() => fake.close());
  fake.route('POST', /^\/hooks\/replies$/, { status: 200, json: { id: 'their-reply-9' } });
  const door = signedWebhookReplySender({ sources: ['generic'], url: `${fake.url}/hooks/replies`, secret: SECRET, timeoutMs: 5000, now: () => sentAt });
  const ticket = ticketOf({ source: 'generic', externalId: 'gen-123' });
  t.deepEqual(await door.send(ticket, reply), { externalId: 'their-reply-9' });
  const [call] = fake.calls;
  const raw = Buffer.from(call!.raw, 'utf8');
  t.notThrows(() => generic.verify({ headers: call!.headers, raw, now: sentAt }, SECRET));
  t.throws(() => generic.verify({ headers: call!.headers, raw, now: sentAt }, 'another-secret'), { message: /Invalid X-Signature/ });
  t.throws(() => generic.verify({ headers: call!.headers, raw: Buffer.from(call!.raw.replace('fixed', 'broke')), now: sentAt }, SECRET), { message: /Invalid X-Signature/ });
  t.throws(() => generic.verify({ headers: call!.headers, raw, now: new Date(sentAt.getTime() + 10 * 60_000) }, SECRET), { message: /Stale X-Timestamp/ });
  t.is(call!.headers['idempotency-key'], 'reply-5-abc');
  t.deepEqual(call!.json, {
    type: 'reply', reply_id: 5, idempotency_key: 'reply-5-abc', ticket_id: 7, external_id: 'gen-123', source: 'generic', text: reply.text,
    agent: { slack_user_id: 'U1', name: 'Ana' }, sent_at: '2026-12-01T10:00:00.000Z',
  });
  t.false(door.canReply(ticketOf({ source: 'generic', externalId: null })), 'no id of the sender: it could not place the reply');
});

test('the REST door answers tickets with or without an external id; failures sort like the helpdesks\' (500 transient, 410 permanent)', async (t) => {
  const fake = await startFakeHelpdesk();
  t.teardown(() => fake.close());
  fake.route('POST', /^\/r$/, { status: 204, text: '' }, { status: 500, text: 'oops' }, { status: 410, text: 'gone' });
  const door = signedWebhookReplySender({ sources: ['api'], url: `${fake.url}/r`, secret: SECRET, timeoutMs: 5000 });
  const ticket = ticketOf({ source: 'api', externalId: null });
  t.true(door.canReply(ticket));
  t.deepEqual(await door.send(ticket, reply), {});
  t.is(fake.calls[0]!.json.external_id, null);
  await t.throwsAsync(door.send(ticket, reply), { instanceOf: TransientSendError, message: /reply webhook answered HTTP 500: oops/ });
  await t.throwsAsync(door.send(ticket, reply), { instanceOf: PermanentSendError, message: /HTTP 410: gone/ });
  // Same key on every attempt, fresh signature each time.
  t.deepEqual(new Set(fake.calls.map((c) => c.headers['idempotency-key'])), new Set(['reply-5-abc']));
  for (const c of fake.calls) t.notThrows(() => generic.verify({ headers: c.headers, raw: Buffer.from(c.raw), now: new Date() }, SECRET));
});
