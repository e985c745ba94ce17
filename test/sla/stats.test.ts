/**
 * SLA attainment in the stats: per priority and clock, met (stopped in time), breached (late, or overdue now)
 * and pending (running or paused), through the repository with a chosen "now" and through GET /api/v1/stats
 * (whose response the OpenAPI contract checks).
 */
import test from 'ava';
import { slaAttainment } from '../../src/db/repositories/slas.ts';
import { statsPeriod } from '../../src/db/repositories/stats.ts';
import { applyHumanClassification, setStatus } from '../../src/ingest/changes.ts';
import { noTicketEvents } from '../../src/ingest/ticket-events.ts';
import { updateClocks } from '../../src/sla/clocks.ts';
import { withSlaClocks } from '../../src/sla/ticket-events.ts';
import { api, startTestService, type TestService } from '../kit/service.ts';
import { createTicket } from '../slack/harness.ts';

const ENV = { SLA_FIRST_RESPONSE_MINUTES: 'high=60', SLA_RESOLUTION_MINUTES: 'high=240', SLA_BUSINESS_HOURS: '24/7' };
let svc: TestService;
test.before(async () => {
  svc = await startTestService({ RUN_WORKER: 'false', ...ENV });
});
test.after.always(async () => svc?.stop());

const MIN = 60_000;

test('attainment per priority for first response and resolution', async (t) => {
  const db = svc.service.db;
  const ids = [];
  for (const body of ['one: answered and solved in time', 'two: answered late, still open', 'three: answered, waiting on the customer']) {
    ids.push(await createTicket(svc, { body: `Ticket ${body}`, requester_email: 'c@example.com' }));
  }
  const created = await db.sql.query<{ created_at: string }>('select created_at from tickets where id = $1', [ids[0]]);
  const t0 = new Date(created[0]!.created_at).getTime();
  let now = t0;
  const deps = { policy: svc.config.sla!, now: () => new Date(now) };
  const writes = { db, ticketEvents: withSlaClocks(noTicketEvents, deps) };
  const respond = (id: number, minutes: number) => db.transaction((tx) => updateClocks(deps, tx, id, { kind: 'responded', at: new Date(t0 + minutes * MIN) }));
  for (const id of ids) await applyHumanClassification(writes, id, { category: 'technical', priority: 'high', actor: 'test' });
  await respond(ids[0]!, 30);
  now = t0 + 100 * MIN;
  await setStatus(writes, ids[0]!, 'resolved', 'test');
  await respond(ids[1]!, 90);
  await respond(ids[2]!, 5);
  now = t0 + 5 * MIN;
  await setStatus(writes, ids[2]!, 'waiting_on_customer', 'test');

  const period = statsPeriod(1, new Date(t0));
  const later = await slaAttainment(db.sql, { ...period, now: new Date(t0 + 300 * MIN) });
  t.deepEqual(later.first_response, { high: { met: 2, breached: 1, pending: 0, attainment: 0.6667 } });
  t.deepEqual(later.resolution, { high: { met: 1, breached: 1, pending: 1, attainment: 0.5 } });
  t.deepEqual(await slaAttainment(db.sql, { ...period, now: new Date(t0), category: 'billing' }), { first_response: {}, resolution: {} });

  // The REST view, now: ticket two's resolution is not due yet.
  const res = await api(svc.baseUrl, '/api/v1/stats?days=1');
  t.is(res.status, 200);
  t.deepEqual(res.json.sla.first_response, { high: { met: 2, breached: 1, pending: 0, attainment: 0.6667 } });
  t.deepEqual(res.json.sla.resolution, { high: { met: 1, breached: 0, pending: 2, attainment: 1 } });
});
