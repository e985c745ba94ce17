/**
 * The daily rollup is sharded by the writing database backend. A ticket created through one connection and
 * classified or deleted through another leaves rows that cancel out; the statistics must read the same as on a
 * single connection: no `unset: 0` priority, no source with 0 tickets. On PostgreSQL (TEST_DATABASE_URL) the
 * update runs on a connection whose shard differs from the creating one; on PGlite there is one backend.
 */
import test from 'ava';
import pg from 'pg';
import { createKeywordClassifier } from '../../src/classify/keyword.ts';
import { getStats } from '../../src/db/repositories/stats.ts';
import { startTestService, type TestService } from '../kit/service.ts';

let svc: TestService;
test.before(async () => {
  // No worker: this test classifies itself, through a connection of its choosing.
  svc = await startTestService({ RUN_WORKER: 'false' }, { classifier: createKeywordClassifier() });
});
test.after.always(async () => svc?.stop());

/** Runs SQL on a backend whose shard (pid % 16) is not `avoid` (PostgreSQL), or on the service's own (PGlite). */
async function onOtherShard(avoid: number, text: string, params: unknown[]): Promise<void> {
  if (!svc.databaseUrl) {
    await svc.service.db.sql.query(text, params);
    return;
  }
  const clients: pg.Client[] = [];
  try {
    for (;;) {
      const client = new pg.Client({ connectionString: svc.databaseUrl });
      await client.connect();
      clients.push(client);
      const { rows } = await client.query<{ pid: number }>('select pg_backend_pid() as pid');
      if (rows[0]!.pid % 16 !== avoid) {
        await client.query(text, params);
        return;
      }
    }
  } finally {
    await Promise.all(clients.map((c) => c.end()));
  }
}

async function shardOf(ticketSource: string): Promise<number> {
  const rows = await svc.service.db.sql.query<{ shard: number }>(`select shard from ticket_daily_stats where source = $1 and tickets > 0 limit 1`, [ticketSource]);
  return Number(rows[0]!.shard);
}

test.serial('a ticket classified through another connection counts under its priority only, on both databases', async (t) => {
  const { ticketId } = await svc.service.ingest({ source: 'api', externalId: 'shard-1', body: 'My invoice shows the charge twice' });
  const before = await getStats(svc.service.db.sql, { days: 7 });
  t.deepEqual(before.by_priority, { unset: 1 }, 'waiting for classification: no priority yet');
  await onOtherShard(await shardOf('api'), `update tickets set category = 'billing', priority = 'high', confidence = 0.9 where id = $1`, [ticketId]);
  const after = await getStats(svc.service.db.sql, { days: 7 });
  t.deepEqual(after.by_priority, { high: 1 });
  t.is(after.pending_classification, 0);
  t.deepEqual(after.by_source, { api: 1 });
  t.is(after.total_tickets, 1);
});

test.serial('a source whose tickets were all deleted through another connection is not listed with 0', async (t) => {
  const { ticketId } = await svc.service.ingest({ source: 'zendesk', externalId: 'shard-2', body: 'Where can I download the app?' });
  await onOtherShard(await shardOf('zendesk'), `update tickets set deleted_at = now() where id = $1`, [ticketId]);
  const stats = await getStats(svc.service.db.sql, { days: 7 });
  t.false('zendesk' in stats.by_source, JSON.stringify(stats.by_source));
  t.false('unset' in stats.by_priority, JSON.stringify(stats.by_priority));
});
