/**
 * Ingest decides and records: every door's delivery gets one verdict in the audit trail (inbound_events),
 * written with the ticket or follow-up it stores. These tests try to break the decision with races through
 * the real service (real HTTP, real database): the same delivery twice at once, two updates opening one
 * thread, a follow-up racing its own ticket's creation, two instances on one PostgreSQL, and a crash inside
 * the transaction.
 */
import test from 'ava';
import { createIngest } from '../../src/ingest/ingest.ts';
import { IngestValidationError } from '../../src/ingest/normalize.ts';
import { noTicketEvents } from '../../src/ingest/ticket-events.ts';
import { api, startTestService, type TestService } from '../kit/service.ts';
import { sign, SECRETS } from '../kit/signing.ts';
import { genericBody, zendeskCommentAdded } from '../webhooks/fixtures.ts';

let svc: TestService;
test.before(async () => {
  svc = await startTestService({ ...SECRETS });
});
test.after.always(async () => svc?.stop());

let seq = 0;
const uid = (what: string) => `${what}-${Date.now().toString(36)}-${(seq++).toString(36)}`;

/** A signed generic delivery: a new ticket `id`, or with `ticketId` an update on that thread. */
const generic = (base: string, o: { id: string; ticketId?: string; text?: string }) => {
  const body = JSON.stringify(genericBody(o));
  return api(base, '/webhooks/generic', { method: 'POST', body, headers: sign.generic(body) });
};

interface Verdict { delivery_id: string | null; verdict: string; ticket_id: number | null }
const verdicts = (s: TestService, source: string, deliveryIds: string[]) =>
  s.service.db.sql.query<Verdict>(
    'select delivery_id, verdict, ticket_id from inbound_events where source = $1 and delivery_id = any($2::text[]) order by id',
    [source, deliveryIds],
  );
const ticketsOf = (s: TestService, source: string, externalId: string) =>
  s.service.db.sql.query<{ id: number; body: string }>('select id, body from tickets where source = $1 and external_id = $2', [source, externalId]);
const messagesOf = (s: TestService, ticketId: number) =>
  s.service.db.sql.query<{ external_id: string; body: string }>('select external_id, body from ticket_messages where ticket_id = $1', [ticketId]);

test('the same update for a thread we do not hold, twice at once: one ticket, no follow-up, one accepted and one duplicate', async (t) => {
  for (let round = 0; round < 8; round += 1) {
    const thread = uid('thread');
    const update = { id: uid('upd'), ticketId: thread, text: 'The export still times out.' };
    const answers = await Promise.all([generic(svc.baseUrl, update), generic(svc.baseUrl, update)]);
    t.deepEqual(answers.map((a) => a.status), [200, 200], answers.map((a) => a.text).join(' | '));
    t.deepEqual(answers.map((a) => a.json.status).sort(), ['accepted', 'duplicate']);
    const [ticket, ...more] = await ticketsOf(svc, 'generic', thread);
    t.is(more.length, 0, 'one ticket');
    t.deepEqual(answers.map((a) => a.json.ticket_id), [ticket!.id, ticket!.id]);
    t.deepEqual(await messagesOf(svc, ticket!.id), [], 'the copy is no follow-up of its own ticket');
    const rows = await verdicts(svc, 'generic', [update.id]);
    t.deepEqual(rows.map((r) => r.verdict).sort(), ['accepted', 'duplicate']);
    t.true(rows.every((r) => r.ticket_id === ticket!.id));
  }
});

test('two different updates opening one thread at once: one ticket and one follow-up, each recorded once', async (t) => {
  for (let round = 0; round < 8; round += 1) {
    const thread = uid('thread');
    const a = { id: uid('a'), ticketId: thread, text: 'First: the invoice is wrong.' };
    const b = { id: uid('b'), ticketId: thread, text: 'Second: and it was charged twice.' };
    const answers = await Promise.all([generic(svc.baseUrl, a), generic(svc.baseUrl, b)]);
    t.deepEqual(answers.map((x) => x.json.status).sort(), ['accepted', 'followup'], answers.map((x) => x.text).join(' | '));
    const [ticket, ...more] = await ticketsOf(svc, 'generic', thread);
    t.is(more.length, 0);
    const messages = await messagesOf(svc, ticket!.id);
    t.is(messages.length, 1);
    t.deepEqual([ticket!.body, messages[0]!.body].sort(), [a.text, b.text].sort(), 'both texts kept, neither twice');
    const rows = await verdicts(svc, 'generic', [a.id, b.id]);
    t.deepEqual(rows.map((r) => r.verdict).sort(), ['accepted', 'followup']);
    t.deepEqual(rows.map((r) => r.delivery_id).sort(), [a.id, b.id].sort());
  }
});

test('a follow-up racing its own ticket\'s creation: one ticket, the follow-up\'s text kept once, both deliveries recorded on it', async (t) => {
  for (let round = 0; round < 8; round += 1) {
    const id = uid('new');
    const update = { id: uid('upd'), ticketId: id, text: 'Adding a screenshot of the error.' };
    const answers = await Promise.all([generic(svc.baseUrl, { id }), generic(svc.baseUrl, update)]);
    t.deepEqual(answers.map((x) => x.status), [200, 200], answers.map((x) => x.text).join(' | '));
    const [ticket, ...more] = await ticketsOf(svc, 'generic', id);
    t.is(more.length, 0, 'one ticket');
    const texts = [ticket!.body, ...(await messagesOf(svc, ticket!.id)).map((m) => m.body)];
    t.is(texts.filter((x) => x === update.text).length, 1, JSON.stringify(texts));
    t.true(answers.every((x) => x.json.ticket_id === ticket!.id));
    const rows = await verdicts(svc, 'generic', [id, update.id]);
    t.is(rows.length, 2);
    t.true(rows.every((r) => r.ticket_id === ticket!.id));
    // Whichever committed first opened the ticket; the other is its follow-up or, for the creation, its duplicate.
    const byId = Object.fromEntries(rows.map((r) => [r.delivery_id, r.verdict]));
    t.true(
      (byId[id] === 'accepted' && byId[update.id] === 'followup') || (byId[update.id] === 'accepted' && byId[id] === 'duplicate'),
      JSON.stringify(byId),
    );
  }
});

test('REST: the same external_id twice at once is one ticket, answered 201 and 200, recorded accepted and duplicate', async (t) => {
  for (let round = 0; round < 5; round += 1) {
    const externalId = uid('rest');
    const post = () => api(svc.baseUrl, '/api/v1/requests', { method: 'POST', json: { text: 'My parcel never arrived', external_id: externalId } });
    const answers = await Promise.all([post(), post()]);
    t.deepEqual(answers.map((a) => a.status).sort(), [200, 201]);
    t.is(answers[0]!.json.id, answers[1]!.json.id);
    const rows = await verdicts(svc, 'api', [externalId]);
    t.deepEqual(rows.map((r) => r.verdict).sort(), ['accepted', 'duplicate']);
    t.true(rows.every((r) => r.ticket_id === answers[0]!.json.id));
  }
  // A request without an external_id is recorded too, under its ticket.
  const plain = await api(svc.baseUrl, '/api/v1/requests', { method: 'POST', json: { text: 'No id on this one' } });
  t.is(plain.status, 201);
  const [row] = await svc.service.db.sql.query<Verdict & { size: number }>('select delivery_id, verdict, ticket_id, size from inbound_events where source = $1 and ticket_id = $2', ['api', plain.json.id]);
  t.like(row, { delivery_id: null, verdict: 'accepted' });
  t.true(row!.size > 0, 'the request size is kept');
});

test('REST Idempotency-Key: retries (also racing) are recorded as duplicates of the first ticket, a reuse with another body as rejected', async (t) => {
  const key = uid('idem');
  const post = (text: string) => api(svc.baseUrl, '/api/v1/requests', { method: 'POST', json: { text }, headers: { 'Idempotency-Key': key } });
  const raced = await Promise.all(Array.from({ length: 4 }, () => post('The same request, sent four times at once')));
  t.deepEqual(raced.map((r) => r.status), [201, 201, 201, 201]);
  const id = raced[0]!.json.id;
  t.true(raced.every((r) => r.json.id === id));
  const reused = await post('Another body under the same key');
  t.is(reused.status, 409);
  const rows = await svc.service.db.sql.query<{ verdict: string; reason: string | null }>(
    "select verdict, reason from inbound_events where source = 'api' and ticket_id = $1 order by id",
    [id],
  );
  t.deepEqual(rows.map((r) => r.verdict), ['accepted', 'duplicate', 'duplicate', 'duplicate', 'rejected']);
  t.deepEqual([...new Set(rows.slice(1, 4).map((r) => r.reason))], ['Idempotency-Key replay']);
  t.is(rows[4]!.reason, 'Idempotency-Key already used with a different request body');
  t.is((await svc.service.db.sql.query('select id from tickets where body = $1', ['Another body under the same key'])).length, 0);
});

test('a refused delivery is recorded as rejected and stores nothing; an ignored event is recorded as ignored', async (t) => {
  // The doors' own schemas refuse most of this before ingest; what reaches it is refused and recorded.
  const externalId = uid('empty');
  await t.throwsAsync(svc.service.ingest.deliver({ door: 'api', deliveryId: externalId, content: { message: { source: 'api', externalId, body: '\u0000 \n ' } } }), {
    instanceOf: IngestValidationError,
  });
  const rows = await svc.service.db.sql.query<{ reason: string; ticket_id: number | null }>(
    "select reason, ticket_id from inbound_events where source = 'api' and verdict = 'rejected' and delivery_id = $1",
    [externalId],
  );
  t.deepEqual(rows, [{ reason: 'Message cannot be stored: body: the message has no text', ticket_id: null }]);
  t.deepEqual(await ticketsOf(svc, 'api', externalId), []);

  const ignoredId = uid('ign');
  const verdict = await svc.service.ingest.deliver({ door: 'slack', deliveryId: ignoredId, content: { ignored: 'bot message' } });
  t.deepEqual(verdict, { verdict: 'ignored', ticketId: null, reason: 'bot message' });
  t.deepEqual((await verdicts(svc, 'slack', [ignoredId])).map((r) => r.verdict), ['ignored']);
});

test('a crash inside the follow-up\'s transaction records no verdict; the retry records its follow-up once', async (t) => {
  const first = await generic(svc.baseUrl, { id: uid('new') });
  t.is(first.json.status, 'accepted');
  const thread = JSON.parse(first.text).ticket_id as number;
  const externalTicketId = (await svc.service.db.sql.query<{ external_id: string }>('select external_id from tickets where id = $1', [thread]))[0]!.external_id;
  const delivery = {
    door: 'generic', deliveryId: uid('upd'), threadKey: externalTicketId,
    content: { message: { source: 'generic' as const, body: 'Any news on this?' } },
  };
  const broken = createIngest({
    db: svc.service.db, queue: svc.service.queue, logger: svc.service.logger,
    ticketEvents: { ...noTicketEvents, followUpAdded: async () => { throw new Error('listener down'); } },
  });
  await t.throwsAsync(broken.deliver(delivery), { message: 'listener down' });
  t.deepEqual(await verdicts(svc, 'generic', [delivery.deliveryId]), [], 'no verdict without its follow-up');
  t.deepEqual(await messagesOf(svc, thread), []);

  const retried = await svc.service.ingest.deliver(delivery);
  t.like(retried, { verdict: 'followup', ticketId: thread });
  t.deepEqual((await verdicts(svc, 'generic', [delivery.deliveryId])).map((r) => r.verdict), ['followup']);
  t.like(await svc.service.ingest.deliver(delivery), { verdict: 'duplicate', ticketId: thread });
});

test('two instances on one PostgreSQL: the same update to both at once is one ticket, recorded accepted and duplicate', async (t) => {
  const one = await startTestService({ ...SECRETS }, { database: 'postgres' });
  t.teardown(() => one.stop());
  const two = await startTestService({ ...SECRETS }, { databaseUrl: one.databaseUrl });
  t.teardown(() => two.stop());
  for (let round = 0; round < 8; round += 1) {
    const thread = uid('thread');
    const update = { id: uid('upd'), ticketId: thread, text: 'Nothing works since the update.' };
    const answers = await Promise.all([generic(one.baseUrl, update), generic(two.baseUrl, update)]);
    t.deepEqual(answers.map((a) => a.json.status).sort(), ['accepted', 'duplicate'], answers.map((a) => a.text).join(' | '));
    const [ticket, ...more] = await ticketsOf(one, 'generic', thread);
    t.is(more.length, 0);
    t.deepEqual(await messagesOf(one, ticket!.id), []);
    t.deepEqual((await verdicts(one, 'generic', [update.id])).map((r) => r.verdict).sort(), ['accepted', 'duplicate']);
  }
});

test('a webhook event with nothing to triage is answered ignored and recorded as ignored, with its reason', async (t) => {
  const ignoredRows = () => svc.service.db.sql.query<{ reason: string; ticket_id: number | null }>("select reason, ticket_id from inbound_events where source = 'zendesk' and verdict = 'ignored'");
  const before = (await ignoredRows()).length;
  const body = JSON.stringify(zendeskCommentAdded({ ticketId: '515151', commentId: uid('c'), text: 'Agent note', staff: true }));
  const answer = await api(svc.baseUrl, '/webhooks/zendesk', { method: 'POST', body, headers: sign.zendesk(body) });
  t.like(answer.json, { status: 'ignored', ticket_id: null });
  const rows = await ignoredRows();
  t.is(rows.length, before + 1);
  t.is(rows.at(-1)!.reason, answer.json.reason);
  t.truthy(answer.json.reason);
});
