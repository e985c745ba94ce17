/**
 * PostgreSQL stopped for ~15 s under load, on a cluster of the test's own (its own port and files), under the
 * real service process: REST and webhooks answer 503 + Retry-After quickly while it is away, the same process
 * resumes when it is back (no restart), nothing acknowledged is lost, and every alert is posted once within
 * 60 s of the database's return.
 */
import test from 'ava';
import { startFakeSlack } from '../kit/fake-slack.ts';
import { startPgCluster } from '../kit/pg-cluster.ts';
import { freePort } from '../kit/net.ts';
import { killAllServices, spawnService } from '../kit/process.ts';
import { sign } from '../kit/signing.ts';
import { faultEnv, startLoad, waitForDelivery } from './load.ts';

test.after.always(killAllServices);

test('PostgreSQL down for 15 s under load: 503 + Retry-After fast, the same process resumes, nothing lost, alerts once within 60 s', async (t) => {
  const cluster = await startPgCluster();
  const slack = await startFakeSlack();
  t.teardown(async () => {
    await killAllServices();
    await slack.close();
    cluster.destroy();
  });
  const svc = spawnService(faultEnv(slack, cluster.url), await freePort());
  await svc.ready();
  const load = startLoad({ targets: [svc.baseUrl], clients: 4, pauseMs: 800, tag: `outage${Date.now().toString(36)}` });
  t.teardown(() => load.stop(0)); // a failed step must not leave the clients running
  await new Promise((r) => setTimeout(r, 5_000));

  cluster.stop();
  const downAt = Date.now();
  // Both doors, by hand, while the database is away.
  await new Promise((r) => setTimeout(r, 1_000));
  const rest = await timed(() => fetch(`${svc.baseUrl}/api/v1/requests`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: 'Written while the database is down' }) }));
  const webhookBody = JSON.stringify({ id: 'outage-probe-1', subject: 'Down', body: 'Sent while the database is down', requester_email: 'probe@example.com', requester_name: null });
  const webhook = await timed(() => fetch(`${svc.baseUrl}/webhooks/generic`, { method: 'POST', headers: sign.generic(webhookBody), body: webhookBody }));
  const health = await fetch(`${svc.baseUrl}/health`);
  for (const [name, r] of [['REST', rest], ['webhook', webhook]] as const) {
    t.is(r.res.status, 503, `${name} during the outage`);
    t.is(r.res.headers.get('retry-after'), '5', `${name} Retry-After`);
    t.regex(((await r.res.json()) as { detail: string }).detail, /database is unavailable/i);
    t.true(r.ms < 2_000, `${name} answered in ${r.ms} ms`);
  }
  t.is(health.status, 503);
  t.like(await health.json(), { status: 'unhealthy', services: { database: 'unhealthy' } }, 'README: unhealthy while the database is unreachable');
  await new Promise((r) => setTimeout(r, Math.max(0, downAt + 15_000 - Date.now())));

  cluster.start();
  const backAt = Date.now();
  // The first ticket accepted after the return, by a client polling every 200 ms.
  let recoveredAt = 0;
  for (let i = 0; Date.now() < backAt + 60_000; i += 1) {
    const res = await fetch(`${svc.baseUrl}/api/v1/requests`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: `Probe after the outage number ${i}` }) }).catch(() => undefined);
    if (res?.status === 201) {
      recoveredAt = Date.now();
      break;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  t.true(recoveredAt > 0, `no 201 within 60 s of the database's return\n${svc.log()}`);
  t.log(`first 201 ${((recoveredAt - backAt) / 1000).toFixed(1)} s after PostgreSQL was back`);
  await new Promise((r) => setTimeout(r, 3_000));
  const { acknowledged, unacknowledged } = await load.stop();
  t.false(svc.exited, 'the same process kept running');
  t.deepEqual(unacknowledged, []);

  const during = load.answers.filter((a) => a.at > downAt + 500 && a.at + a.ms < backAt);
  t.true(during.length >= 10, `only ${during.length} answers during the outage`);
  t.deepEqual([...new Set(during.map((a) => a.status))], [503], 'only 503 while the database is away');
  t.true(during.every((a) => a.retryAfter === '5'), 'each 503 carries Retry-After');
  t.true(Math.max(...during.map((a) => a.ms)) < 2_000, `slowest 503: ${Math.max(...during.map((a) => a.ms))} ms`);
  t.deepEqual(load.answers.filter((a) => a.status === 500), [], 'never a 500');

  const d = await waitForDelivery(cluster.url, slack, acknowledged, backAt + 60_000);
  t.deepEqual(d.missing, []);
  t.deepEqual(d.duplicated, []);
  t.deepEqual(d.unclassified, []);
  t.deepEqual(d.unalerted, [], `not alerted within 60 s of the database's return\n${svc.log()}`);
  t.deepEqual(d.doubleAlerted, []);
  t.log(`${acknowledged.length} tickets; last alert ${(((d.lastAlertAt ?? backAt) - backAt) / 1000).toFixed(1)} s after the return`);
  t.is((await fetch(`${svc.baseUrl}/health`)).status, 200);
});

async function timed(fn: () => Promise<Response>): Promise<{ res: Response; ms: number }> {
  const started = Date.now();
  const res = await fn();
  return { res, ms: Date.now() - started };
}
