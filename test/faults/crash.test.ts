/**
 * kill -9 of the real service (node src/main.ts) twice under mixed REST + webhook load, clients retrying as
 * real clients do: after the final restart every acknowledged ticket is stored once, classified, and alerted
 * once in (fake) Slack within 60 s of the restart. Runs on PostgreSQL even in a PGlite run (a database the
 * test creates); the PGlite variant kills a process on a file data directory.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import test from 'ava';
import { startFakeSlack } from '../kit/fake-slack.ts';
import { freePort } from '../kit/net.ts';
import { killAllServices, serviceGroup } from '../kit/process.ts';
import { checkDelivery, explainUnalerted, faultEnv, faultRig, startLoad, waitForDelivery } from './load.ts';

test.after.always(killAllServices);

const DEADLINE_MS = 60_000;

test('kill -9 twice under load: every acknowledged ticket stored once, classified and alerted once within 60 s of the restart', async (t) => {
  t.timeout(240_000);
  const { slack, db, env, spawn } = await faultRig(t);
  const port = await freePort();
  let svc = spawn(env, port);
  await svc.ready();

  // Sized so the backlog left at the final restart fits Slack's pace (1 post/s per channel, ~4 channels) within
  // the 60 s promise: at 800 ms pauses a run on a loaded machine had 38 alerts still queued behind their channel's
  // pace at the 60 s mark (each channel drains at one alert a second, whatever the service does).
  const load = startLoad({ targets: [svc.baseUrl], clients: 4, pauseMs: 1400, tag: `crash${Date.now().toString(36)}` });
  t.teardown(() => load.stop(0)); // a failed step must not leave the clients running (the worker would never exit)
  let restartedAt = 0;
  for (let crash = 1; crash <= 2; crash += 1) {
    // Long enough for alerts to be in flight (claimed, in the pacer) when the process dies.
    await new Promise((r) => setTimeout(r, 7_000));
    await svc.kill();
    svc = spawn(env, port);
    await svc.ready();
    restartedAt = Date.now();
  }
  await new Promise((r) => setTimeout(r, 3_000));
  const { acknowledged, unacknowledged } = await load.stop();
  t.true(acknowledged.length >= 20, `only ${acknowledged.length} tickets acknowledged`);
  t.deepEqual(unacknowledged, [], 'a client gave up retrying');

  // The promise: 60 s (27-29 s in the benchmark: the 30 s lease of a claim the killed process held, then
  // Slack's pace). Alerts once seemed to miss it under the suite's load; the cause was the other test of this
  // file killing this test's service from its teardown (see serviceGroup), not the service.
  const d = await waitForDelivery(db.url, slack, acknowledged, restartedAt + DEADLINE_MS);
  t.deepEqual(d.missing, [], 'acknowledged but not stored');
  t.deepEqual(d.duplicated, [], 'stored twice');
  t.deepEqual(d.unclassified, [], 'not classified');
  t.deepEqual(d.unalerted, [], `not alerted within ${DEADLINE_MS / 1000} s of the restart\n${await explainUnalerted(db.url, d.unalerted)}\n${svc.log()}`);
  t.deepEqual(d.doubleAlerted, [], 'alerted twice');
  const delay = ((d.lastAlertAt ?? 0) - restartedAt) / 1000;
  t.log(`${acknowledged.length} tickets; last alert ${delay.toFixed(1)} s after the final restart`);
  t.true(delay < DEADLINE_MS / 1000, `last alert ${delay} s after the restart`);
  if (process.env.FAULT_DEBUG) {
    const byChannel = new Map<string, string[]>();
    for (const m of slack.messages) byChannel.set(m.channel, [...(byChannel.get(m.channel) ?? []), ((m.postedAt - restartedAt) / 1000).toFixed(1)]);
    for (const [c, times] of byChannel) t.log(c, times.join(' '));
    t.log('acks', acknowledged.map((a) => ((a.ackedAt - restartedAt) / 1000).toFixed(1)).join(' '));
  }
  // Nothing doubles later either (a stale job retried after the check).
  await new Promise((r) => setTimeout(r, 3_000));
  t.deepEqual((await checkDelivery(db.url, slack, acknowledged)).doubleAlerted, []);
});

test('PGlite data directory: kill -9 under load, restart on the same files, nothing acknowledged is lost or doubled', async (t) => {
  const slack = await startFakeSlack();
  const dir = mkdtempSync(path.join(tmpdir(), 'st-crash-pglite-'));
  const services = serviceGroup();
  t.teardown(async () => {
    await services.kill();
    await slack.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const port = await freePort();
  const env = { ...faultEnv(slack, undefined), PGLITE_DATA_DIR: path.join(dir, 'db') };
  let svc = services.spawn(env, port);
  await svc.ready(90_000);
  const load = startLoad({ targets: [svc.baseUrl], clients: 3, pauseMs: 800, tag: `pglite${Date.now().toString(36)}` });
  t.teardown(() => load.stop(0)); // a failed step must not leave the clients running (the worker would never exit)
  await new Promise((r) => setTimeout(r, 7_000));
  await svc.kill();
  svc = services.spawn(env, port);
  await svc.ready(90_000);
  const restartedAt = Date.now();
  await new Promise((r) => setTimeout(r, 2_000));
  const { acknowledged, unacknowledged } = await load.stop();
  t.true(acknowledged.length >= 10, `only ${acknowledged.length} tickets acknowledged`);
  t.deepEqual(unacknowledged, []);

  // The data directory belongs to the running process: read it through the service's own API.
  const deadline = restartedAt + 60_000;
  let ids: number[] = [];
  for (;;) {
    const list = await fetch(`${svc.baseUrl}/api/v1/requests?limit=1000`).then((r) => r.json() as Promise<{ items: { id: number; body: string; classification: unknown }[] }>);
    const wanted = acknowledged.map((a) => list.items.filter((i) => i.body.includes(`(ref ${a.key})`)));
    ids = wanted.flat().map((i) => i.id);
    const alerted = new Set(slack.messages.map((m) => m.metadata?.event_payload?.key));
    const done = wanted.every((w) => w.length === 1 && w[0]!.classification) && ids.every((id) => alerted.has(`alert:${id}`));
    if (done || Date.now() > deadline) {
      t.deepEqual(wanted.map((w) => w.length).filter((n) => n !== 1), [], 'each acknowledged ticket exactly once');
      t.deepEqual(wanted.flat().filter((i) => !i.classification).map((i) => i.id), [], 'classified');
      t.deepEqual(ids.filter((id) => !alerted.has(`alert:${id}`)), [], `alerted within 60 s\n${svc.log()}`);
      break;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  const keys = slack.messages.map((m) => m.metadata?.event_payload?.key).filter((k) => typeof k === 'string');
  t.is(new Set(keys).size, keys.length, 'no alert posted twice');
});
