/**
 * Retention with two service instances on one database, started together (both look for today's run at
 * start): every kind runs once, on one of them; what is old is gone, what is recent stays.
 */
import test from 'ava';
import { createTestDatabase } from '../kit/database.ts';
import { api, startTestService } from '../kit/service.ts';
import { waitFor } from '../kit/wait.ts';

test('two instances starting together: each retention kind runs once, and the old data goes once', async (t) => {
  t.timeout(300_000);
  const db = await createTestDatabase();
  t.teardown(() => db.drop());
  const env = { DATABASE_URL: db.url, RETENTION_RESOLVED_TICKETS_DAYS: '90', RETENTION_CHECK_MINUTES: '1440' };

  // Tickets first, classified (a classification finishing later would move them on), with every retention
  // kind off (so today is not claimed yet); then aged.
  const off = { RETENTION_INBOUND_EVENTS_DAYS: '0', RETENTION_RESOLVED_TICKETS_DAYS: '0', RETENTION_DEAD_LETTERS_DAYS: '0', RETENTION_SESSIONS_DAYS: '0' };
  const seed = await startTestService({ ...env, ...off });
  const create = async (email: string, resolved: boolean) => {
    const id = (await api(seed.baseUrl, '/api/v1/requests', { method: 'POST', json: { subject: 'Old', body: `Ticket from ${email}`, requester_email: email } })).json.id as number;
    await waitFor(async () => (await api(seed.baseUrl, `/api/v1/requests/${id}`)).json.status !== 'processing', { what: `ticket ${id} classified` });
    if (resolved) t.is((await api(seed.baseUrl, `/api/v1/requests/${id}`, { method: 'PATCH', json: { status: 'resolved' } })).status, 200);
    return id;
  };
  const old = [];
  for (let i = 0; i < 6; i += 1) old.push(await create(`old${i}@retain-two.test`, true));
  const recent = await create('recent@retain-two.test', true);
  const open = await create('open@retain-two.test', false);
  await seed.service.db.sql.query(`update tickets set updated_at = now() - interval '100 days', created_at = now() - interval '100 days' where id <> $1`, [recent]);
  await seed.service.db.sql.query(`update inbound_events set created_at = now() - interval '100 days' where ticket_id <> $1`, [recent]);
  t.is((await seed.service.db.sql.query(`select 1 from retention_runs`)).length, 0, 'no run claimed yet');
  await seed.stop();

  const [a, b] = await Promise.all([startTestService(env), startTestService(env)]);
  t.teardown(() => Promise.all([a.stop(), b.stop()]));
  const sql = a.service.db.sql;
  await waitFor(async () => (await sql.query(`select 1 from audit_entries where action = 'retention'`)).length >= 4, { timeoutMs: 120_000, what: "today's retention runs" });
  await new Promise((r) => setTimeout(r, 1000));
  const kinds = (await sql.query<{ kind: string }>(`select after->>'kind' as kind from audit_entries where action = 'retention' order by 1`)).map((r) => r.kind);
  t.deepEqual(kinds, ['dead_letters', 'inbound_events', 'resolved_tickets', 'sessions'], 'each kind once, not once per instance');
  const removed = await sql.query<{ removed: number }>(`select (after->>'removed')::int as removed from audit_entries where action = 'retention' and after->>'kind' = 'resolved_tickets'`);
  t.is(Number(removed[0]!.removed), old.length, 'every old resolved ticket, counted once');
  const emails = new Map((await sql.query<{ id: number; requester_email: string | null }>(`select id, requester_email from tickets`)).map((r) => [Number(r.id), r.requester_email]));
  for (const id of old) t.is(emails.get(id), null, `old ticket ${id} anonymised`);
  t.is(emails.get(recent), 'recent@retain-two.test');
  t.is(emails.get(open), 'open@retain-two.test', 'an open ticket is no resolved ticket');
  const events = await sql.query<{ ticket_id: number }>(`select ticket_id from inbound_events`);
  t.true(events.every((e) => Number(e.ticket_id) === recent), 'only the recent delivery is left');
});
