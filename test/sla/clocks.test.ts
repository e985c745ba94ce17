/**
 * SLA clocks through the real emitters (ingest/changes.ts) and a real database, with an injected clock:
 * classification starts them, a new priority moves them, waiting on the customer pauses the resolution
 * clock, a reply or (configured) an acknowledgement stops the first-response clock, resolving stops the other.
 */
import test from 'ava';
import { loadConfig } from '../../src/config.ts';
import { findSla } from '../../src/db/repositories/slas.ts';
import { applyHumanClassification, setStatus, snooze } from '../../src/ingest/changes.ts';
import { wakeLapsedSnoozes } from '../../src/ingest/snooze.ts';
import { noTicketEvents } from '../../src/ingest/ticket-events.ts';
import { updateClocks } from '../../src/sla/clocks.ts';
import { withSlaClocks } from '../../src/sla/ticket-events.ts';
import { createTicket } from '../slack/harness.ts';
import { startTestService, type TestService } from '../kit/service.ts';

let svc: TestService;
test.before(async () => {
  svc = await startTestService({ RUN_WORKER: 'false' });
});
test.after.always(async () => svc?.stop());

const MIN = 60_000;
const policy = (extra: Record<string, string> = {}) =>
  loadConfig({ SLA_FIRST_RESPONSE_MINUTES: 'urgent=30,high=60', SLA_RESOLUTION_MINUTES: 'urgent=120,high=240', SLA_BUSINESS_HOURS: '24/7', ...extra }).sla!;

async function setup(extra: Record<string, string> = {}) {
  const id = await createTicket(svc, { subject: 'Export broken', body: 'The CSV export fails with a 500 error.', requester_email: 'c@example.com' });
  const row = (await svc.service.db.sql.query<{ created_at: Date }>('select created_at from tickets where id = $1', [id]))[0]!;
  const t0 = new Date(row.created_at).getTime();
  let now = t0;
  const deps = { policy: policy(extra), now: () => new Date(now) };
  const writes = { db: svc.service.db, ticketEvents: withSlaClocks(noTicketEvents, deps), now: deps.now };
  return {
    id, t0, deps, writes,
    at: (minutes: number) => { now = t0 + minutes * MIN; },
    sla: () => findSla(svc.service.db.sql, id),
    mins: (d: Date | null | undefined) => (d ? (d.getTime() - t0) / MIN : d),
  };
}

test('classification starts both clocks from arrival; a new priority moves them', async (t) => {
  const c = await setup();
  t.is(await c.sla(), null);
  c.at(5);
  await applyHumanClassification(c.writes, c.id, { category: 'technical', priority: 'high', actor: 'test' });
  let s = (await c.sla())!;
  t.is(s.priority, 'high');
  t.is(c.mins(s.firstResponseWarnAt), 45);
  t.is(c.mins(s.firstResponseDueAt), 60);
  t.is(c.mins(s.resolutionDueAt), 240);
  t.is(c.mins(s.nextEventAt), 45);
  c.at(10);
  await applyHumanClassification(c.writes, c.id, { category: 'technical', priority: 'urgent', actor: 'test' });
  s = (await c.sla())!;
  t.is(c.mins(s.firstResponseDueAt), 30);
  t.is(c.mins(s.resolutionDueAt), 120);
  // a priority without a target: no clock
  await applyHumanClassification(c.writes, c.id, { category: 'technical', priority: 'low', actor: 'test' });
  s = (await c.sla())!;
  t.is(s.firstResponseDueAt, null);
  t.is(s.nextEventAt, null);
});

test('waiting on the customer pauses the resolution clock, not the first response; the answer resumes it', async (t) => {
  const c = await setup();
  await applyHumanClassification(c.writes, c.id, { category: 'technical', priority: 'high', actor: 'test' });
  c.at(20);
  await setStatus(c.writes, c.id, 'waiting_on_customer', 'test');
  let s = (await c.sla())!;
  t.is(c.mins(s.pausedSince), 20);
  t.is(s.resolutionDueAt, null, 'paused: unknown until it resumes');
  t.is(c.mins(s.firstResponseDueAt), 60);
  c.at(100);
  await setStatus(c.writes, c.id, 'open', 'customer');
  s = (await c.sla())!;
  t.is(s.pausedSince, null);
  t.is(c.mins(s.resolutionDueAt), 240 + 80);
  t.is(c.mins(s.resolutionWarnAt), 180 + 80);
});

test('a sent reply stops the first-response clock; resolving stops the resolution clock; reopening resumes it', async (t) => {
  const c = await setup();
  await applyHumanClassification(c.writes, c.id, { category: 'technical', priority: 'high', actor: 'test' });
  await svc.service.db.transaction((tx) => updateClocks(c.deps, tx, c.id, { kind: 'responded', at: new Date(c.t0 + 50 * MIN) }));
  let s = (await c.sla())!;
  t.is(c.mins(s.firstRespondedAt), 50);
  t.is(c.mins(s.nextEventAt), 180, 'only the resolution warning is pending');
  // a later reply does not move the first response
  await svc.service.db.transaction((tx) => updateClocks(c.deps, tx, c.id, { kind: 'responded', at: new Date(c.t0 + 70 * MIN) }));
  t.is(c.mins((await c.sla())!.firstRespondedAt), 50);
  c.at(200);
  await setStatus(c.writes, c.id, 'resolved', 'test');
  s = (await c.sla())!;
  t.is(c.mins(s.resolvedAt), 200);
  t.is(s.nextEventAt, null);
  c.at(260);
  await setStatus(c.writes, c.id, 'open', 'customer');
  s = (await c.sla())!;
  t.is(s.resolvedAt, null);
  t.is(c.mins(s.resolutionDueAt), 240 + 60, 'the hour it was resolved does not count');
});

test('acknowledge counts as first response only when configured', async (t) => {
  const reply = await setup();
  await applyHumanClassification(reply.writes, reply.id, { category: 'technical', priority: 'high', actor: 'test' });
  await setStatus(reply.writes, reply.id, 'acknowledged', 'test');
  t.is((await reply.sla())!.firstRespondedAt, null);
  const ack = await setup({ SLA_FIRST_RESPONSE: 'acknowledge' });
  await applyHumanClassification(ack.writes, ack.id, { category: 'technical', priority: 'high', actor: 'test' });
  ack.at(12);
  await setStatus(ack.writes, ack.id, 'acknowledged', 'test');
  t.is(ack.mins((await ack.sla())!.firstRespondedAt), 12);
});

test('business hours: a ticket arriving on Saturday is due from Monday morning', async (t) => {
  const c = await setup({ SLA_BUSINESS_HOURS: 'Mon-Fri 09:00-17:00', SLA_TIME_ZONE: 'Europe/Berlin' });
  await svc.service.db.sql.query(`update tickets set created_at = '2026-11-28T10:00:00Z' where id = $1`, [c.id]);
  await applyHumanClassification(c.writes, c.id, { category: 'technical', priority: 'high', actor: 'test' });
  const s = (await c.sla())!;
  t.is(s.firstResponseDueAt?.toISOString(), '2026-11-30T09:00:00.000Z');
  t.is(s.firstResponseWarnAt?.toISOString(), '2026-11-30T08:45:00.000Z');
});

test('a timed snooze pauses both clocks for its length and wakes once at its end; a re-snooze moves the end', async (t) => {
  const c = await setup();
  await applyHumanClassification(c.writes, c.id, { category: 'technical', priority: 'high', actor: 'test' });
  c.at(10);
  t.is(await snooze(c.writes, c.id, new Date(c.t0 + 40 * MIN), 'slack:UANN00001'), 'snoozed');
  let s = (await c.sla())!;
  t.is(c.mins(s.firstResponseDueAt), 90, 'first response: 60 + the 30 min snooze');
  t.is(c.mins(s.resolutionDueAt), 270);
  c.at(20);
  t.is(await snooze(c.writes, c.id, new Date(c.t0 + 70 * MIN), 'slack:UANN00001'), 'snoozed', 'moved to 70');
  t.is(c.mins((await c.sla())!.firstResponseDueAt), 120, 'the snooze still counts from 10');
  t.is(await snooze(c.writes, c.id, new Date(c.t0 + 70 * MIN), 'slack:UANN00001'), 'unchanged');

  c.at(69);
  t.deepEqual(await wakeLapsedSnoozes({ ...c.writes, now: c.deps.now }), [], 'not yet');
  c.at(75);
  t.deepEqual(await wakeLapsedSnoozes({ ...c.writes, now: c.deps.now }), [c.id]);
  t.deepEqual(await wakeLapsedSnoozes({ ...c.writes, now: c.deps.now }), [], 'once');
  s = (await c.sla())!;
  t.deepEqual(s.snoozes, [[c.t0 + 10 * MIN, c.t0 + 70 * MIN]], 'paused until its planned end, not until the wake-up pass');
  t.is(s.snoozedSince, null);
  t.is(c.mins(s.firstResponseDueAt), 120);
});

test('snoozed until the customer answers: both clocks stop; the answer resumes them; resolving a snoozed ticket ends it', async (t) => {
  const c = await setup();
  await applyHumanClassification(c.writes, c.id, { category: 'technical', priority: 'high', actor: 'test' });
  c.at(10);
  await snooze(c.writes, c.id, null, 'slack:UANN00001');
  let s = (await c.sla())!;
  t.is(s.firstResponseDueAt, null);
  t.is(s.resolutionDueAt, null);
  t.is(s.nextEventAt, null, 'nothing due while it waits for the answer');
  c.at(50);
  const answer = await svc.service.ingest({ source: 'zendesk', externalId: `answer-${c.id}`, body: 'Here is the log you asked for', requesterEmail: 'c@example.com', thread: { ticketId: c.id } });
  t.is(answer.outcome, 'followup');
  // The service's own ticketEvents handled that follow-up; here the clocks follow the ticket like its listener does.
  t.is((await svc.service.db.sql.query('select 1 from tickets where id = $1 and snoozed_since is null', [c.id])).length, 1, 'the answer ended the snooze');
  await svc.service.db.transaction((tx) => updateClocks(c.deps, tx, c.id, { kind: 'changed' }));
  s = (await c.sla())!;
  t.is(c.mins(s.firstResponseDueAt), 100, '60 + the 40 min snoozed');

  c.at(60);
  await snooze(c.writes, c.id, new Date(c.t0 + 600 * MIN), 'slack:UANN00001');
  await setStatus(c.writes, c.id, 'resolved', 'test');
  t.is((await svc.service.db.sql.query('select 1 from tickets where id = $1 and snoozed_since is null', [c.id])).length, 1);
  t.is(await snooze(c.writes, c.id, new Date(c.t0 + 600 * MIN), 'test'), 'resolved', 'a resolved ticket is not snoozed');
  await t.throwsAsync(() => snooze(c.writes, c.id, new Date(c.t0), 'test'), { instanceOf: RangeError }, 'an end in the past');
});

test('per-category targets: reclassifying into a category with its own target moves the due time', async (t) => {
  const c = await setup({ SLA_FIRST_RESPONSE_MINUTES: 'high=60,billing.high=180' });
  await applyHumanClassification(c.writes, c.id, { category: 'technical', priority: 'high', actor: 'test' });
  t.is(c.mins((await c.sla())!.firstResponseDueAt), 60);
  c.at(10);
  await applyHumanClassification(c.writes, c.id, { category: 'billing', priority: 'high', actor: 'test' });
  const s = (await c.sla())!;
  t.is(s.category, 'billing');
  t.is(c.mins(s.firstResponseDueAt), 180);
  t.is(c.mins(s.resolutionDueAt), 240, 'the resolution target is the general one');
});
