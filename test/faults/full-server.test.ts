/**
 * PostgreSQL out of connections ("sorry, too many clients already", SQLSTATE 53300) is the database being
 * unavailable for a moment, not a bug: REST answers 503 with Retry-After (a client retries) instead of 500,
 * and the same service answers 200 as soon as a connection is free again. Several instances, or several
 * services in one test run, sized larger than max_connections met exactly this.
 */
import test from 'ava';
import pg from 'pg';
import { api } from '../kit/service.ts';
import { startPgCluster } from '../kit/pg-cluster.ts';
import { startTestService } from '../kit/service.ts';
import { waitFor } from '../kit/wait.ts';

const HOG = 'test-connection-hog';

test('a PostgreSQL server with no free connection: 503 + Retry-After, then 200 once one is free', async (t) => {
  t.timeout(120_000);
  const cluster = await startPgCluster({ maxConnections: 12 });
  t.teardown(() => cluster.destroy());
  // No workers: nothing but the requests below uses the service's request pool.
  const svc = await startTestService({ RUN_WORKER: 'false', DATABASE_POOL_MAX: '3', QUEUE_POOL_MAX: '2' }, { databaseUrl: cluster.url });
  t.teardown(() => svc.stop());
  const created = await api(svc.baseUrl, '/api/v1/requests', { method: 'POST', json: { text: 'Stored before the server filled up' } });
  t.is(created.status, 201);

  const hog: pg.Client[] = [];
  t.teardown(() => Promise.all(hog.map((c) => c.end().catch(() => undefined))));
  const fill = async () => {
    for (;;) {
      const c = new pg.Client({ connectionString: cluster.url, application_name: HOG });
      c.on('error', () => undefined);
      try {
        await c.connect();
      } catch (error) {
        t.is((error as { code?: string }).code, '53300', String(error));
        return;
      }
      hog.push(c);
    }
  };
  await fill();
  // The service's idle request connections are closed by the server; the hog takes their slots.
  const admin = hog[0]!;
  await admin.query(`select pg_terminate_backend(pid) from pg_stat_activity
    where pid <> pg_backend_pid() and backend_type = 'client backend'
      and coalesce(application_name, '') not in ('${HOG}', 'support-triage-queue')`);
  await new Promise((r) => setTimeout(r, 300));
  await fill();

  for (const path of ['/api/v1/requests', `/api/v1/requests/${created.json.id}`]) {
    const res = await fetch(`${svc.baseUrl}${path}`);
    t.is(res.status, 503, `${path} while the server is full`);
    t.is(res.headers.get('retry-after'), '5');
    t.regex(((await res.json()) as { detail: string }).detail, /database is unavailable/i);
  }
  const post = await fetch(`${svc.baseUrl}/api/v1/requests`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: 'Sent while the server is full' }) });
  t.is(post.status, 503, 'a new ticket is refused, not half-stored');

  // Connections come free; a client retrying as told (Retry-After) is served by the same process.
  await Promise.all(hog.splice(0, 4).map((c) => c.end()));
  const after = await waitFor(async () => {
    const res = await api(svc.baseUrl, `/api/v1/requests/${created.json.id}`);
    return res.status === 200 ? res : undefined;
  }, { timeoutMs: 20_000, what: 'a 200 once connections are free' });
  t.is(after.json.id, created.json.id);
  const list = await api(svc.baseUrl, '/api/v1/requests');
  t.is(list.json.total ?? list.json.items?.length, 1, 'only the ticket stored before; the refused one is not there');
});
