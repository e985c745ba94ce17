import test from 'ava';
import { createKeywordClassifier } from '../../src/classify/keyword.ts';
import { getStats } from '../../src/db/repositories/stats.ts';
import { applyHumanClassification, setStatus, softDelete } from '../../src/ingest/changes.ts';
import { api, startTestService, type TestService } from '../kit/service.ts';
import { waitFor } from '../kit/wait.ts';

let svc: TestService;
test.before(async () => {
  svc = await startTestService({}, { classifier: createKeywordClassifier() });
});
test.after.always(async () => svc?.stop());

/** The same figures computed the slow way, straight from the tickets table. */
async function statsFromTickets(days: number) {
  const rows = await svc.service.db.sql.query<{ category: string | null; source: string; n: string; low: string; conf: number | null }>(
    `select category, source, count(*) as n, count(*) filter (where low_confidence) as low, sum(confidence) as conf
       from tickets where deleted_at is null and created_at >= (current_date - ($1::int - 1)) group by category, source`,
    [days],
  );
  const total = rows.reduce((a, r) => a + Number(r.n), 0);
  const pending = rows.filter((r) => r.category === null).reduce((a, r) => a + Number(r.n), 0);
  const low = rows.reduce((a, r) => a + Number(r.low), 0);
  const byCategory: Record<string, number> = {};
  for (const r of rows) if (r.category) byCategory[r.category] = (byCategory[r.category] ?? 0) + Number(r.n);
  return { total, pending, low, byCategory };
}

test.serial('stats from the daily rollup equal an aggregation over the tickets through inserts, updates, deletes', async (t) => {
  const texts = ['invoice charge wrong', 'server crash error', 'opening hours please', 'refund payment', 'database error on update', 'hello there friend'];
  const ids: number[] = [];
  for (let i = 0; i < 30; i++) {
    const r = await svc.service.ingest({ source: i % 2 ? 'api' : 'zendesk', externalId: `roll-${i}`, body: `${texts[i % texts.length]} number ${i}` });
    ids.push(r.ticketId);
  }
  const midway = await getStats(svc.service.db.sql, { days: 7 });
  const slowMid = await statsFromTickets(7);
  t.is(midway.total_tickets, slowMid.total);

  await waitFor(async () => (await getStats(svc.service.db.sql, { days: 7 })).pending_classification === 0, { what: 'classification' });
  const deps = { db: svc.service.db, ticketEvents: svc.service.ticketEvents };
  await applyHumanClassification(deps, ids[0]!, { category: 'general', actor: 'test' });
  await applyHumanClassification(deps, ids[1]!, { category: 'billing', priority: 'urgent', actor: 'test' });
  await setStatus(deps, ids[2]!, 'resolved', 'test');
  await softDelete(deps, ids[3]!, 'test');
  await softDelete(deps, ids[4]!, 'test');

  const fast = await getStats(svc.service.db.sql, { days: 7 });
  const slow = await statsFromTickets(7);
  t.is(fast.total_tickets, slow.total);
  t.is(fast.total_tickets, 28);
  t.is(fast.pending_classification, 0);
  t.is(fast.low_confidence, slow.low);
  t.deepEqual(Object.fromEntries(fast.categories.filter((c) => c.count).map((c) => [c.category, c.count])), slow.byCategory);
  t.is(fast.by_source.api! + fast.by_source.zendesk!, 28);
});

test.serial('low_confidence counts tickets below the threshold in force when they were classified', async (t) => {
  // The keyword rule gives "general" 0.5, below the default threshold 0.6.
  const { json } = await api(svc.baseUrl, '/api/v1/requests', { method: 'POST', json: { text: 'just saying hello to the team' } });
  await waitFor(async () => (await api(svc.baseUrl, `/api/v1/requests/${json.id}`)).json.classification);
  const [row] = await svc.service.db.sql.query<{ low_confidence: boolean }>('select low_confidence from tickets where id = $1', [json.id]);
  t.true(row!.low_confidence);
  const before = (await getStats(svc.service.db.sql, { days: 1 })).low_confidence;
  await applyHumanClassification({ db: svc.service.db, ticketEvents: svc.service.ticketEvents }, json.id, { category: 'general', actor: 'agent' });
  t.is((await getStats(svc.service.db.sql, { days: 1 })).low_confidence, before - 1, 'a human verdict is never low confidence');
});
