/**
 * Retention: old doors' audit rows, old resolved tickets (anonymised), expired sessions go; recent ones and
 * anything under a legal hold stay; two runners at once run each kind once a day; a run that crashes
 * mid-way is taken over after its lease and finishes.
 */
import anyTest, { type TestFn } from 'ava';
import { createKeywordClassifier } from '../../src/classify/keyword.ts';
import { createLogger } from '../../src/lib/logger.ts';
import { runRetention, type RetentionDeps } from '../../src/privacy/retention.ts';
import { api, startTestService, type TestService } from '../kit/service.ts';
import { waitFor } from '../kit/wait.ts';

const test = anyTest.serial as TestFn<{ svc: TestService }>;
test.before(async (t) => {
  t.context = { svc: await startTestService({ RETENTION_CHECK_MINUTES: '1440', RETENTION_INBOUND_EVENTS_DAYS: '0', RETENTION_DEAD_LETTERS_DAYS: '0', RETENTION_SESSIONS_DAYS: '0' }, { classifier: createKeywordClassifier() }) };
});
test.after.always(async (t) => t.context.svc?.stop());

const config = { inboundEventsDays: 30, resolvedTicketsDays: 90, resolvedTicketsMode: 'anonymise' as const, deadLettersDays: 30, sessionsDays: 7, checkMinutes: 60 };

async function ticket(svc: TestService, email: string, resolved: boolean): Promise<number> {
  const id = (await api(svc.baseUrl, '/api/v1/requests', { method: 'POST', json: { subject: 'Old', body: `Old ticket from ${email}`, requester_email: email } })).json.id as number;
  await waitFor(async () => (await api(svc.baseUrl, `/api/v1/requests/${id}`)).json.status !== 'processing', { what: 'classified' });
  if (resolved) await api(svc.baseUrl, `/api/v1/requests/${id}`, { method: 'PATCH', json: { status: 'resolved' } });
  return id;
}

test('old data goes, recent and held data stays; two runners at once run each kind once', async (t) => {
  const { svc } = t.context;
  const sql = svc.service.db.sql;
  const old = await ticket(svc, 'old@retain.test', true);
  const held = await ticket(svc, 'held@retain.test', true);
  const recent = await ticket(svc, 'recent@retain.test', true);
  const open = await ticket(svc, 'open@retain.test', false);
  await api(svc.baseUrl, '/api/v1/legal-holds', { method: 'POST', json: { ticket_id: held } });
  // The service's own workers run nothing (all ages 0): the runs below are the test's.
  // Age everything but `recent` by 100 days.
  await sql.query(`update tickets set updated_at = now() - interval '100 days', created_at = now() - interval '100 days' where id <> $1`, [recent]);
  await sql.query(`update inbound_events set created_at = now() - interval '100 days' where ticket_id <> $1`, [recent]);
  await sql.query(`insert into console_sessions (token_hash, user_id, user_name, role, csrf_token, expires_at) values ('a'||repeat('0',63), 'U1', 'Old Session', 'agent', 'c', now() - interval '30 days'), ('b'||repeat('0',63), 'U2', 'Live', 'agent', 'c', now() + interval '1 day')`);
  const statsBefore = (await api(svc.baseUrl, '/api/v1/stats?days=365')).json.categories;

  const deps: RetentionDeps = { db: svc.service.db, logger: createLogger('silent'), config, batchSize: 20 };
  const [a, b] = await Promise.all([runRetention(deps), runRetention(deps)]);
  const runs = [...Object.entries(a), ...Object.entries(b)];
  t.deepEqual(runs.map(([k]) => k).sort(), ['dead_letters', 'inbound_events', 'resolved_tickets', 'sessions'], 'each kind ran once, on one of the two');
  t.deepEqual(await runRetention(deps), {}, 'today is done');

  const get = async (id: number) => (await api(svc.baseUrl, `/api/v1/requests/${id}`)).json;
  t.is((await get(old)).requester_email, null, 'old resolved: anonymised');
  t.is((await get(old)).body, '[erased]');
  t.is((await get(held)).requester_email, 'held@retain.test', 'held: kept');
  t.is((await get(recent)).requester_email, 'recent@retain.test');
  t.is((await get(open)).requester_email, 'open@retain.test', 'not resolved: kept');
  const events = await sql.query<{ ticket_id: number }>(`select ticket_id from inbound_events`);
  t.false(events.some((e) => e.ticket_id === old || e.ticket_id === open), 'old deliveries gone');
  t.true(events.some((e) => e.ticket_id === held) && events.some((e) => e.ticket_id === recent), 'held and recent deliveries kept');
  t.deepEqual((await sql.query<{ user_id: string }>(`select user_id from console_sessions order by 1`)).map((r) => r.user_id), ['U2']);
  t.deepEqual((await api(svc.baseUrl, '/api/v1/stats?days=365')).json.categories, statsBefore, 'stats unchanged');
  const audit = await sql.query<{ after: { kind: string } }>(`select after from audit_entries where action = 'retention'`);
  t.is(audit.length, 4);
});

test('a runner that dies mid-run: the next one takes the claim over after the lease and finishes', async (t) => {
  const { svc } = t.context;
  const sql = svc.service.db.sql;
  for (let i = 0; i < 5; i++) await ticket(svc, `crash${i}@retain.test`, false);
  await sql.query(`update inbound_events set created_at = now() - interval '100 days'`);
  const tomorrow = () => new Date(Date.now() + 86_400_000);
  const only = { ...config, resolvedTicketsDays: 0, deadLettersDays: 0, sessionsDays: 0 };
  const crashing: RetentionDeps = {
    db: svc.service.db, logger: createLogger('silent'), config: only, batchSize: 2, now: tomorrow,
    afterRetentionBatch: async () => {
      throw new Error('crash mid-run');
    },
  };
  await t.throwsAsync(runRetention(crashing), { message: /crash/ });
  const left = Number((await sql.query<{ n: number }>(`select count(*)::int as n from inbound_events where created_at < now() - interval '50 days' and ticket_id not in (select ticket_id from legal_holds where ticket_id is not null)`))[0]!.n);
  t.true(left > 0, 'stopped half-way');
  const healthy: RetentionDeps = { ...crashing, afterRetentionBatch: undefined };
  t.deepEqual(await runRetention(healthy), {}, 'the claim is still leased');
  await sql.query(`update retention_runs set updated_at = now() - interval '1 hour' where kind = 'inbound_events'`);
  const done = await runRetention(healthy);
  t.true((done.inbound_events ?? 0) >= left);
  t.is(Number((await sql.query<{ n: number }>(`select count(*)::int as n from inbound_events where created_at < now() - interval '50 days' and ticket_id not in (select ticket_id from legal_holds where ticket_id is not null)`))[0]!.n), 0);
});
