/**
 * The rejection streak a webhook door's incident is built from looks back a week at most: old rejections of a
 * door that never accepts anything neither count nor make every check read the whole audit table, and an
 * accepted delivery older than the week does not end today's streak.
 */
import test from 'ava';
import { webhookRejectionStreak } from '../../src/db/repositories/ops-incidents.ts';
import { startTestService } from '../kit/service.ts';

test('rejections and acceptances older than seven days are outside the streak', async (t) => {
  const svc = await startTestService({ RUN_WORKER: 'false' });
  t.teardown(() => svc.stop());
  const sql = svc.service.db.sql;
  const add = (verdict: string, ago: string, reason = 'unauthorized') =>
    sql.query(`insert into inbound_events (source, verdict, reason, created_at) values ('generic', $1, $2, now() - $3::interval)`, [verdict, reason, ago]);
  for (let i = 0; i < 5; i += 1) await add('rejected', `${10 + i} days`, 'old reason');
  await add('accepted', '9 days');
  t.deepEqual(await webhookRejectionStreak(sql, 'generic'), { okAt: null, rejected: 0, since: null, lastReason: null }, 'nothing within the week');

  await add('rejected', '2 hours');
  await add('rejected', '1 hour', 'bad signature');
  const streak = await webhookRejectionStreak(sql, 'generic');
  t.is(streak.okAt, null, 'the accepted one of 9 days ago is outside the week');
  t.is(streak.rejected, 2);
  t.is(streak.lastReason, 'bad signature');
  t.true(Math.abs(Date.now() - 2 * 3_600_000 - streak.since!.getTime()) < 60_000, String(streak.since));

  await add('accepted', '30 minutes');
  await add('rejected', '10 minutes');
  const after = await webhookRejectionStreak(sql, 'generic');
  t.is(after.rejected, 1, 'only what came after the last accepted one');
  t.truthy(after.okAt);
});
