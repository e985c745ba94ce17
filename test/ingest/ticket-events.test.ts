/**
 * The ticket-event seam (src/ingest/ticket-events.ts) with the real emitters and a real database: each emitter
 * calls its method with the change visible inside the emitter's own transaction, and a listener that throws
 * takes the change down with it (nothing half-stored, nothing announced that did not happen).
 */
import test from 'ava';
import { classifyBatch } from '../../src/classify/job.ts';
import { createKeywordClassifier } from '../../src/classify/keyword.ts';
import { applyHumanClassification, setStatus, softDelete } from '../../src/ingest/changes.ts';
import type { Sql } from '../../src/db/sql.ts';
import { createIngest } from '../../src/ingest/ingest.ts';
import { noTicketEvents, type TicketChange, type TicketEvents } from '../../src/ingest/ticket-events.ts';
import type { QueueJob } from '../../src/db/queue.ts';
import { startTestService, type TestService } from '../kit/service.ts';

let svc: TestService;
// No worker: the test runs the classify batches itself.
test.before(async () => {
  svc = await startTestService({ RUN_WORKER: 'false' });
});
test.after.always(async () => svc?.stop());

type Heard =
  | { event: 'ticketClassified'; ticketId: number; alert: boolean | undefined; category: string | null }
  | { event: 'followUpAdded'; ticketId: number; messageId: number; stored: number }
  | { event: 'ticketChanged'; ticketId: number; change: TicketChange; status: string | null };

/** Records each event together with what the listener's `tx` shows of the change (so: same transaction). */
function recorder(fail?: Heard['event']) {
  const heard: Heard[] = [];
  const one = async <T>(tx: Sql, q: string, id: number) => (await tx.query<Record<string, T>>(q, [id]))[0];
  const events: TicketEvents = {
    async ticketClassified(tx, ticketId, options) {
      const row = await one<string | null>(tx, 'select category from tickets where id = $1', ticketId);
      heard.push({ event: 'ticketClassified', ticketId, alert: options?.alert, category: row?.category ?? null });
      if (fail === 'ticketClassified') throw new Error('listener down');
    },
    async followUpAdded(tx, ticketId, messageId) {
      const row = await one<number>(tx, 'select count(*)::int as n from ticket_messages where id = $1', messageId);
      heard.push({ event: 'followUpAdded', ticketId, messageId, stored: row?.n ?? 0 });
      if (fail === 'followUpAdded') throw new Error('listener down');
    },
    async ticketChanged(tx, ticketId, change) {
      const row = await one<string | null>(tx, 'select status from tickets where id = $1', ticketId);
      heard.push({ event: 'ticketChanged', ticketId, change, status: row?.status ?? null });
      if (fail === 'ticketChanged') throw new Error('listener down');
    },
    replyFinished: async () => undefined,
    incidentChanged: async () => undefined,
  };
  return { heard, events };
}

const ingestWith = (events: TicketEvents) =>
  createIngest({ db: svc.service.db, queue: svc.service.queue, ticketEvents: events, logger: svc.service.logger });
const job = (ticketId: number, alert?: boolean): QueueJob<{ ticketId: number; alert?: boolean }> =>
  ({ id: `t-${ticketId}-${alert}`, data: { ticketId, ...(alert === undefined ? {} : { alert }) }, retryCount: 0 });
const classifyDeps = (events: TicketEvents) => ({
  db: svc.service.db, queue: svc.service.queue, ticketEvents: events, classifier: createKeywordClassifier(),
  logger: svc.service.logger, minConfidence: 0.6,
});
const count = async (sql: string, params: unknown[]) => Number((await svc.service.db.sql.query<{ n: string }>(sql, params))[0]!.n);

test('without Slack the service\'s listener queues nothing: an event only signals open consoles', async (t) => {
  const jobs = () => count("select count(*) as n from pgboss.job where name like 'slack%'", []);
  const before = await jobs();
  const ticket = await ingestWith(noTicketEvents)({ source: 'api', body: 'No Slack here' });
  await svc.service.db.transaction(async (tx) => {
    await svc.service.ticketEvents.ticketChanged(tx, ticket.ticketId, { kind: 'status', status: 'acknowledged', actor: 'api' });
    await svc.service.ticketEvents.followUpAdded(tx, ticket.ticketId, 0);
    await svc.service.ticketEvents.replyFinished(tx, ticket.ticketId, 0);
  });
  // No Slack job (alert, note, card refresh) is queued for any of them.
  t.is(await jobs(), before);
});

test('a follow-up is announced once, inside the transaction that stores it; a duplicate is not announced', async (t) => {
  const r = recorder();
  const ingest = ingestWith(r.events);
  const created = await ingest({ source: 'zendesk', externalId: 'ev-1', body: 'Printer offline' });
  t.deepEqual(r.heard, [], 'a new ticket is not a follow-up (it is announced when classified)');
  const update = { source: 'zendesk' as const, externalId: 'ev-1:c1', body: 'Still offline', thread: { externalTicketId: 'ev-1' } };
  const followup = await ingest(update);
  await ingest(update);
  t.deepEqual(r.heard, [{ event: 'followUpAdded', ticketId: created.ticketId, messageId: followup.messageId!, stored: 1 }]);
});

test('a follow-up whose listener throws is not stored: the door gets the error and the message can come again', async (t) => {
  const created = await ingestWith(noTicketEvents)({ source: 'zendesk', externalId: 'ev-2', body: 'VPN down' });
  const update = { source: 'zendesk' as const, externalId: 'ev-2:c1', body: 'Any news?', thread: { externalTicketId: 'ev-2' } };
  await t.throwsAsync(ingestWith(recorder('followUpAdded').events)(update), { message: 'listener down' });
  t.is(await count('select count(*) as n from ticket_messages where ticket_id = $1', [created.ticketId]), 0);
  const again = recorder();
  t.is((await ingestWith(again.events)(update)).outcome, 'followup');
  t.is(again.heard.length, 1);
});

test('a classification is announced with the stored category and the seed flag; a listener that throws undoes it', async (t) => {
  const ingest = ingestWith(noTicketEvents);
  const loud = await ingest({ source: 'api', body: 'I was charged twice on my invoice, please refund' });
  const quiet = await ingest({ source: 'api', body: 'I was charged twice on my invoice again, refund please' }, { alert: false });

  const failing = recorder('ticketClassified');
  await t.throwsAsync(classifyBatch(classifyDeps(failing.events), [job(loud.ticketId)]), { message: 'listener down' });
  t.is(await count('select count(*) as n from classifications where ticket_id = $1', [loud.ticketId]), 0, 'rolled back with the listener');

  const r = recorder();
  await classifyBatch(classifyDeps(r.events), [job(loud.ticketId), job(quiet.ticketId, false)]);
  const categoryOf = async (id: number) => (await svc.service.db.sql.query<{ category: string | null }>('select category from tickets where id = $1', [id]))[0]!.category;
  t.truthy(await categoryOf(loud.ticketId));
  t.truthy(await categoryOf(quiet.ticketId), 'the quiet ticket is classified too');
  t.deepEqual(
    [...r.heard].sort((x, y) => x.ticketId - y.ticketId),
    [
      { event: 'ticketClassified', ticketId: loud.ticketId, alert: undefined, category: await categoryOf(loud.ticketId) },
      { event: 'ticketClassified', ticketId: quiet.ticketId, alert: false, category: await categoryOf(quiet.ticketId) },
    ],
  );
  const again = recorder();
  await classifyBatch(classifyDeps(again.events), [job(loud.ticketId)]);
  t.deepEqual(again.heard, [], 'an already classified ticket is not classified (nor announced) again');
});

test('people\'s changes are announced with the change visible in their transaction; a throwing listener leaves the ticket as it was', async (t) => {
  const { ticketId } = await ingestWith(noTicketEvents)({ source: 'api', body: 'Password reset mail never arrives' });
  const db = svc.service.db;

  const failing = recorder('ticketChanged');
  await t.throwsAsync(setStatus({ db, ticketEvents: failing.events }, ticketId, 'resolved', 'api'), { message: 'listener down' });
  t.is((await db.sql.query<{ status: string }>('select status from tickets where id = $1', [ticketId]))[0]!.status, 'processing');

  const r = recorder();
  const deps = { db, ticketEvents: r.events };
  t.true(await setStatus(deps, ticketId, 'acknowledged', 'slack:U123'));
  t.true(await setStatus(deps, ticketId, 'acknowledged', 'slack:U123'), 'the same status again is a no-op');
  t.true(await applyHumanClassification(deps, ticketId, { category: 'billing', note: 'refund', actor: 'agent' }));
  t.true(await softDelete(deps, ticketId, 'agent'));
  t.false(await setStatus(deps, ticketId, 'resolved', 'agent'), 'a deleted ticket is not changed, nor announced');
  t.deepEqual(r.heard, [
    { event: 'ticketChanged', ticketId, change: { kind: 'status', status: 'acknowledged', actor: 'slack:U123' }, status: 'acknowledged' },
    { event: 'ticketChanged', ticketId, change: { kind: 'classification', category: 'billing', priority: null, actor: 'agent', note: 'refund' }, status: 'acknowledged' },
    { event: 'ticketChanged', ticketId, change: { kind: 'deleted', actor: 'agent' }, status: 'acknowledged' },
  ]);

  await t.throwsAsync(softDelete({ db, ticketEvents: recorder('ticketChanged').events }, (await ingestWith(noTicketEvents)({ source: 'api', body: 'Another one' })).ticketId, 'agent'));
  t.is(await count('select count(*) as n from tickets where deleted_at is not null and body = $1', ['Another one']), 0, 'the delete was undone');
});
