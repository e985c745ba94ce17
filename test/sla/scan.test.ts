/**
 * The due-time scan with an injected clock and a recording notifier, on a real database: each warning and
 * breach claimed once at its business-time moment, reprioritisation moving the breach, the customer-wait
 * pause holding the resolution events back, a stale warning not posted after its breach, and the real reply
 * path (storeReply, then the send job's finishReply + replyFinished) stopping the first-response clock.
 */
import test from 'ava';
import type { SlaEventKind } from '../../src/domain/sla.ts';
import { finishReply } from '../../src/db/repositories/replies.ts';
import { findSla } from '../../src/db/repositories/slas.ts';
import { applyHumanClassification, setStatus } from '../../src/ingest/changes.ts';
import { REPLY_QUEUE } from '../../src/db/queue-registry.ts';
import { storeReply } from '../../src/ingest/replies.ts';
import { noTicketEvents } from '../../src/ingest/ticket-events.ts';
import { scanOnce } from '../../src/sla/scan.ts';
import { withSlaClocks } from '../../src/sla/ticket-events.ts';
import { startTestService, type TestService } from '../kit/service.ts';
import { createTicket } from '../slack/harness.ts';

const ENV = { SLA_FIRST_RESPONSE_MINUTES: 'urgent=30,high=60', SLA_RESOLUTION_MINUTES: 'urgent=120,high=240', SLA_BUSINESS_HOURS: '24/7' };
let svc: TestService;
test.before(async () => {
  svc = await startTestService({ RUN_WORKER: 'false', ...ENV });
  // No workers here, so nobody created the send queue that storeReply enqueues to.
  await svc.service.queue.createQueue(REPLY_QUEUE);
});
test.after.always(async () => svc?.stop());

const MIN = 60_000;

async function setup(body: string) {
  const db = svc.service.db;
  const id = await createTicket(svc, { body, requester_email: 'c@example.com' });
  const [row] = await db.sql.query<{ created_at: string }>('select created_at from tickets where id = $1', [id]);
  const t0 = new Date(row!.created_at).getTime();
  let now = t0;
  const heard: { ticketId: number; kind: SlaEventKind }[] = [];
  const deps = {
    policy: svc.config.sla!, now: () => new Date(now), db, logger: svc.service.logger,
    notifier: { slaEvent: async (_tx: unknown, ticketId: number, kind: SlaEventKind) => { heard.push({ ticketId, kind }); } },
  };
  const writes = { db, ticketEvents: withSlaClocks(noTicketEvents, deps) };
  // Other tests' tickets share the table: keep what concerns this ticket.
  const scanAt = async (minutes: number) => {
    now = t0 + minutes * MIN;
    return (await scanOnce(deps)).filter((e) => e.ticketId === id).map((e) => (e.posted ? e.kind : `${e.kind} (not posted)`));
  };
  return { id, db, writes, heard: () => heard.filter((h) => h.ticketId === id).map((h) => h.kind), scanAt, at: (m: number) => { now = t0 + m * MIN; } };
}

test.serial('warning, then breach, each once; a new priority moves the breach; the customer wait holds resolution back', async (t) => {
  const c = await setup('Nobody answers this one');
  await applyHumanClassification(c.writes, c.id, { category: 'technical', priority: 'high', actor: 'test' });
  t.deepEqual(await c.scanAt(44), []);
  t.deepEqual(await c.scanAt(45), ['first_response_warning']);
  t.deepEqual(await c.scanAt(46), [], 'claimed once');
  // raised to urgent at +50: the first response was due at +30, so it is breached at the next scan
  c.at(50);
  await applyHumanClassification(c.writes, c.id, { category: 'technical', priority: 'urgent', actor: 'test' });
  t.deepEqual(await c.scanAt(50), ['first_response_breach']);
  t.deepEqual(await c.scanAt(51), []);
  // waiting on the customer from +60 to +600: resolution (urgent: 120, warn 90) resumes with 60 min used
  c.at(60);
  await setStatus(c.writes, c.id, 'waiting_on_customer', 'test');
  t.deepEqual(await c.scanAt(500), []);
  c.at(600);
  await setStatus(c.writes, c.id, 'open', 'customer');
  t.deepEqual(await c.scanAt(629), []);
  t.deepEqual(await c.scanAt(630), ['resolution_warning']);
  t.deepEqual(await c.scanAt(660), ['resolution_breach']);
  t.deepEqual(await c.scanAt(10_000), []);
  t.deepEqual(c.heard(), ['first_response_warning', 'first_response_breach', 'resolution_warning', 'resolution_breach']);
  t.is((await findSla(c.db.sql, c.id))!.nextEventAt, null);
});

test.serial('after an outage, a warning overtaken by its breach is claimed but not posted', async (t) => {
  const c = await setup('Scanned late');
  await applyHumanClassification(c.writes, c.id, { category: 'technical', priority: 'high', actor: 'test' });
  t.deepEqual(await c.scanAt(61), ['first_response_warning (not posted)', 'first_response_breach']);
  t.deepEqual(c.heard(), ['first_response_breach']);
});

test.serial('a sent reply stops the first-response clock, a failed one does not', async (t) => {
  const replies = (c: Awaited<ReturnType<typeof setup>>) => ({ db: c.db, queue: svc.service.queue, ticketEvents: c.writes.ticketEvents, messageIdDomain: 'test.local' });
  const agent = { slackUserId: 'UANN00001', name: 'Ann' };
  for (const outcome of ['sent', 'failed'] as const) {
    const c = await setup(`The reply to this one is ${outcome}`);
    await applyHumanClassification(c.writes, c.id, { category: 'technical', priority: 'high', actor: 'test' });
    c.at(10);
    const stored = (await storeReply(replies(c), { ticketId: c.id, text: 'On it.', agent, draft: { origin: 'none' } }))!;
    await c.db.transaction(async (tx) => {
      await finishReply(tx, stored.replyId, outcome, { error: 'refused' });
      await c.writes.ticketEvents.replyFinished(tx, c.id, stored.replyId);
    });
    const s = (await findSla(c.db.sql, c.id))!;
    t.is(s.firstRespondedAt !== null, outcome === 'sent', outcome);
    t.deepEqual(await c.scanAt(100), outcome === 'sent' ? [] : ['first_response_warning (not posted)', 'first_response_breach'], outcome);
  }
});
