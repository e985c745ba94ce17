/**
 * The dashboard reads rollups and an index, not the tickets: its figures must equal the same figures computed
 * the slow way, straight from tickets and ticket_slas, after every kind of change (new tickets, verdicts,
 * people's corrections, resolve and reopen, deletion, tickets of other days and ages at the backlog's bounds),
 * also when the changes come through other connections (the rollup's writer shards) and after tickets are
 * deleted outright (an erasure) or the table is emptied.
 */
import { isDeepStrictEqual } from 'node:util';
import test from 'ava';
import pg from 'pg';
import { createKeywordClassifier } from '../../src/classify/keyword.ts';
import { dashboardFigures } from '../../src/db/repositories/dashboard.ts';
import { ERASURE_PLACES } from '../../src/db/repositories/privacy-places.ts';
import { applyHumanClassification, setStatus, softDelete } from '../../src/ingest/changes.ts';
import { startTestService, type TestService } from '../kit/service.ts';
import { waitFor } from '../kit/wait.ts';

let svc: TestService;
test.before(async () => {
  svc = await startTestService(
    { SLA_FIRST_RESPONSE_MINUTES: 'urgent=30,high=60,medium=480,low=960', SLA_RESOLUTION_MINUTES: 'urgent=120,high=240,medium=2880,low=5760', SLA_BUSINESS_HOURS: '24/7' },
    { classifier: createKeywordClassifier() },
  );
});
test.after.always(async () => svc?.stop());

const DAY = 86_400_000;

/** The dashboard's figures by the definitions the rollups replace: aggregates over every ticket and clock. */
async function slowFigures(days: number, now: Date) {
  const sql = svc.service.db.sql;
  const todayStart = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const start = new Date(todayStart - (days - 1) * DAY);
  const end = new Date(todayStart + DAY);
  const backlog = await sql.query<{ bucket: number; n: string }>(
    `select width_bucket(extract(epoch from $1::timestamptz - created_at) / 86400, array[1, 3, 7, 30]::float8[]) as bucket, count(*) as n
       from tickets where deleted_at is null and status <> 'resolved' group by 1`,
    [now],
  );
  const [classifier] = await sql.query<{ classified: string; histogram: string[] }>(
    `with period as (select * from tickets t where t.deleted_at is null and t.created_at >= $1 and t.created_at < $2 and t.category is not null)
     select (select count(*) from period) as classified,
            array(select (select count(*) from period p where p.classifier <> 'human' and p.confidence is not null and least(floor(p.confidence * 10)::int, 9) = b)
                    from generate_series(0, 9) b order by b) as histogram`,
    [start, end],
  );
  const sla = await sql.query<{ priority: string; fr_met: string; fr_breached: string; fr_pending: string; res_met: string; res_breached: string; res_pending: string; fr_n: string; res_n: string }>(
    `select s.priority,
            count(*) filter (where s.first_responded_at <= s.first_response_due_at) as fr_met,
            count(*) filter (where s.first_responded_at > s.first_response_due_at or (s.first_responded_at is null and s.first_response_due_at < $3)) as fr_breached,
            count(*) filter (where s.resolved_at <= s.resolution_due_at) as res_met,
            count(*) filter (where s.resolved_at > s.resolution_due_at or (s.resolved_at is null and s.resolution_due_at < $3)) as res_breached,
            count(*) filter (where s.first_responded_at is null and s.first_response_due_at >= $3) as fr_pending,
            count(*) filter (where s.resolved_at is null and (s.resolution_due_at >= $3 or (s.resolution_due_at is null and s.paused_since is not null and s.resolution_warn_at is null))) as res_pending,
            count(s.first_responded_at) as fr_n, count(s.resolved_at) as res_n
       from ticket_slas s join tickets t on t.id = s.ticket_id
      where t.deleted_at is null and t.created_at >= $1 and t.created_at < $2 and s.priority is not null group by s.priority`,
    [start, end, now],
  );
  return {
    backlog: [0, 1, 2, 3, 4].map((b) => Number(backlog.find((r) => Number(r.bucket) === b)?.n ?? 0)),
    classified: Number(classifier!.classified),
    histogram: classifier!.histogram.map(Number),
    sla: Object.fromEntries(sla.map((r) => [r.priority, [r.fr_met, r.fr_breached, r.fr_pending, r.res_met, r.res_breached, r.res_pending].map(Number)])),
    responded: sla.reduce((a, r) => a + Number(r.fr_n), 0),
    resolved: sla.reduce((a, r) => a + Number(r.res_n), 0),
  };
}

async function fastFigures(days: number, now: Date) {
  const d = await dashboardFigures(svc.service.db.sql, { days, now });
  const sla: Record<string, number[]> = {};
  for (const p of new Set([...Object.keys(d.sla.first_response), ...Object.keys(d.sla.resolution)])) {
    const fr = d.sla.first_response[p];
    const res = d.sla.resolution[p];
    sla[p] = [fr?.met ?? 0, fr?.breached ?? 0, fr?.pending ?? 0, res?.met ?? 0, res?.breached ?? 0, res?.pending ?? 0];
  }
  return {
    backlog: d.backlog.map((b) => b.tickets),
    classified: d.classifier.classified,
    histogram: d.classifier.histogram,
    sla,
    responded: d.times.firstResponse.n,
    resolved: d.times.resolution.n,
  };
}

const withoutEmpty = (sla: Record<string, number[]>) => Object.fromEntries(Object.entries(sla).filter(([, counts]) => counts.some((n) => n !== 0)));

/**
 * Both ways at one moment: the service's worker may still be classifying or moving a clock, so the slow figures
 * count only when the fast ones read the same before and after them (else, after a moment, again).
 */
async function assertSame(t: import('ava').ExecutionContext, what: string) {
  const now = new Date();
  for (const days of [1, 7, 30, 90]) {
    for (let attempt = 1; ; attempt++) {
      const before = await fastFigures(days, now);
      const slow = await slowFigures(days, now);
      const after = await fastFigures(days, now);
      if (!isDeepStrictEqual(before, after) && attempt < 50) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        continue;
      }
      // A priority with no clock in the period is absent from both.
      t.deepEqual({ ...after, sla: withoutEmpty(after.sla) }, { ...slow, sla: withoutEmpty(slow.sla) }, `${what}, ${days} days`);
      break;
    }
  }
}

/** Runs SQL on a connection of its own (PostgreSQL: a backend of its own, so mostly another shard of the rollup than the service's). */
async function elsewhere(text: string, params: unknown[]): Promise<void> {
  if (!svc.databaseUrl) {
    await svc.service.db.sql.query(text, params);
    return;
  }
  const client = new pg.Client({ connectionString: svc.databaseUrl });
  await client.connect();
  try {
    await client.query(text, params);
  } finally {
    await client.end();
  }
}

const count = async (text: string, params: unknown[] = []) => Number((await svc.service.db.sql.query<{ n: string }>(text, params))[0]!.n);

test.serial('the dashboard from its rollups equals the slow aggregation through every kind of change', async (t) => {
  const texts = ['invoice charge wrong', 'server crash error', 'opening hours please', 'refund payment', 'database error on update', 'hello there friend'];
  const ids: number[] = [];
  for (let i = 0; i < 24; i++) ids.push((await svc.service.ingest({ source: 'api', externalId: `dash-roll-${i}`, body: `${texts[i % texts.length]} number ${i}` })).ticketId);
  await assertSame(t, 'before classification');
  await waitFor(async () => await count('select count(*) as n from tickets where category is null') === 0, { what: 'classification' });
  await waitFor(async () => await count('select count(*) as n from ticket_slas where priority is not null') === 24, { what: 'SLA clocks' });
  await assertSame(t, 'classified');

  // Ages around the backlog's bounds (1, 3, 7 and 30 days, a minute either side) and beyond the 90 days; the
  // clocks move with their tickets, as they would have started then.
  const ages = [0.5, 1 - 1 / 1440, 1 + 1 / 1440, 3 - 1 / 1440, 3 + 1 / 1440, 7 - 1 / 1440, 7 + 1 / 1440, 30 - 1 / 1440, 30 + 1 / 1440, 45, 89.9, 120];
  for (const [i, age] of ages.entries()) {
    const at = new Date(Date.now() - age * DAY);
    await elsewhere('update tickets set created_at = $2 where id = $1', [ids[i]!, at]);
    await elsewhere(`update ticket_slas set started_at = $2, first_response_due_at = $2::timestamptz + interval '1 hour', resolution_due_at = $2::timestamptz + interval '1 day' where ticket_id = $1`, [ids[i]!, at]);
  }
  await assertSame(t, 'backdated');

  const deps = { db: svc.service.db, ticketEvents: svc.service.ticketEvents };
  await applyHumanClassification(deps, ids[0]!, { category: 'general', actor: 'test' });
  await applyHumanClassification(deps, ids[13]!, { category: 'billing', priority: 'urgent', actor: 'test' });
  await setStatus(deps, ids[1]!, 'resolved', 'test');
  await setStatus(deps, ids[2]!, 'resolved', 'test');
  await setStatus(deps, ids[14]!, 'resolved', 'test');
  await setStatus(deps, ids[2]!, 'open', 'test');
  await softDelete(deps, ids[3]!, 'test');
  // A deleted ticket whose clocks had stopped: counted out of the rollup's stopped clocks.
  await setStatus(deps, ids[15]!, 'resolved', 'test');
  await waitFor(async () => await count('select count(*) as n from ticket_slas where ticket_id = $1 and resolved_at is not null', [ids[15]]) === 1, { what: 'the clock to stop' });
  await softDelete(deps, ids[15]!, 'test');
  await elsewhere(`update tickets set status = 'resolved' where id = any($1::int[])`, [[ids[4], ids[16]]]);
  await elsewhere(`update tickets set confidence = 0.05, classifier = 'local' where id = $1`, [ids[17]!]);
  await waitFor(async () => await count('select count(*) as n from ticket_slas where resolved_at is not null') > 0, { what: 'resolution clocks' });
  await assertSame(t, 'corrected, resolved, reopened, deleted');

  // An erasure in delete mode deletes tickets outright, clocks and all.
  const tickets = ERASURE_PLACES.find((p) => p.name === 'tickets')!;
  t.is(await tickets.eraseTickets!(svc.service.db.sql, { ticketIds: [ids[1]!, ids[4]!, ids[5]!], messageIds: [] }, 'delete'), 3);
  t.is(await count('select count(*) as n from ticket_slas where ticket_id = any($1::int[])', [[ids[1], ids[4], ids[5]]]), 0);
  await assertSame(t, 'deleted outright');
});

test.serial('emptying the tickets table empties the rollup with it', async (t) => {
  await svc.service.db.sql.query('truncate tickets cascade');
  const d = await dashboardFigures(svc.service.db.sql, { days: 90 });
  t.deepEqual(d.backlog.map((b) => b.tickets), [0, 0, 0, 0, 0]);
  t.deepEqual(d.classifier.histogram, [0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  t.is(await count('select count(*) as n from ticket_daily_figures'), 0);
});
