/**
 * Three service processes on one PostgreSQL, clients spreading their requests over all three (failing over on
 * a connection error); one instance is killed (-9) under load and stays dead. The other two take over its
 * jobs: no duplicate, nothing acknowledged lost, every alert once within 60 s of the kill.
 */
import test from 'ava';
import { freePort } from '../kit/net.ts';
import { killAllServices } from '../kit/process.ts';
import { checkDelivery, faultRig, startLoad, waitForDelivery } from './load.ts';

test.after.always(killAllServices);

test('three instances, one killed -9 under load: no duplicate, nothing lost, alerts once', async (t) => {
  const { slack, db, env, spawn } = await faultRig(t);
  // The first migrates; the others start on the migrated schema (they take the same advisory lock anyway).
  const first = spawn(env, await freePort());
  await first.ready();
  const others = [spawn(env, await freePort()), spawn(env, await freePort())];
  await Promise.all(others.map((s) => s.ready()));
  const all = [first, ...others];

  const load = startLoad({ targets: all.map((s) => s.baseUrl), clients: 6, pauseMs: 1_000, tag: `inst${Date.now().toString(36)}` });

  t.teardown(() => load.stop(0)); // a failed step must not leave the clients running
  await new Promise((r) => setTimeout(r, 8_000));
  const victim = all[1]!;
  await victim.kill();
  const killedAt = Date.now();
  await new Promise((r) => setTimeout(r, 6_000));
  const { acknowledged, unacknowledged } = await load.stop();
  t.true(acknowledged.length >= 30, `only ${acknowledged.length} acknowledged`);
  t.deepEqual(unacknowledged, []);
  t.true(load.answers.some((a) => a.status === 'network' && a.at >= killedAt), 'clients did hit the dead instance');

  const d = await waitForDelivery(db.url, slack, acknowledged, killedAt + 60_000);
  t.deepEqual(d.missing, []);
  t.deepEqual(d.duplicated, []);
  t.deepEqual(d.unclassified, []);
  t.deepEqual(d.unalerted, [], `not alerted within 60 s of the kill\n${all[0]!.log()}`);
  t.deepEqual(d.doubleAlerted, []);
  t.log(`${acknowledged.length} tickets; last alert ${(((d.lastAlertAt ?? killedAt) - killedAt) / 1000).toFixed(1)} s after the kill`);
  await new Promise((r) => setTimeout(r, 3_000));
  t.deepEqual((await checkDelivery(db.url, slack, acknowledged)).doubleAlerted, []);
  for (const s of [all[0]!, all[2]!]) t.false(s.exited, 'the survivors kept running');
});
