/**
 * kill -9 of the real service (node src/main.ts on a PGlite data directory) in a burst of Slack events, Slack
 * retrying every event it got no 200 for (with X-Slack-Retry-Num, as Slack does): after the restart every
 * message is stored once, none lost, none doubled.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import test from 'ava';
import { PGlite } from '@electric-sql/pglite';
import { startFakeSlack } from '../kit/fake-slack.ts';
import { freePort } from '../kit/net.ts';
import { serviceGroup } from '../kit/process.ts';
import { SLACK_SIGNING_SECRET } from '../kit/signing.ts';
import { slackEnv } from '../kit/slack.ts';
import { callback, INTAKE, messageEvent, sendEvent } from '../kit/slack-events.ts';


test('kill -9 in a burst of Slack events: with Slack\'s retries every message is stored once', async (t) => {
  t.timeout(400_000);
  const slack = await startFakeSlack();
  const dir = mkdtempSync(path.join(tmpdir(), 'st-slack-crash-'));
  const services = serviceGroup();
  t.teardown(async () => {
    await services.kill();
    await slack.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const port = await freePort();
  const env = {
    NODE_ENV: 'test', LOG_LEVEL: 'warn', HOST: '127.0.0.1', PORT: String(port), PGLITE_DATA_DIR: path.join(dir, 'db'),
    ...slackEnv(slack), SLACK_SIGNING_SECRET, SLACK_INTAKE_CHANNELS: `${INTAKE.all}:all`, SLACK_INTAKE_GROUP_MINUTES: '0',
  };
  let svc = services.spawn(env, port);
  await svc.ready(180_000);

  const events = Array.from({ length: 60 }, (_, i) => callback(messageEvent({ user: `UBURST${String(i).padStart(3, '0')}`, text: `Burst question ${i}: the export fails` })));
  const acked = new Set<number>();
  const attempts = new Map<number, number>();
  // Slack: each event until it is answered 200, retried with its number; four deliveries in flight.
  const deliver = async (i: number): Promise<void> => {
    for (;;) {
      const n = attempts.get(i) ?? 0;
      attempts.set(i, n + 1);
      const res = await sendEvent(svc.baseUrl, events[i], n ? { retryNum: Math.min(n, 3) } : {}).catch(() => ({ status: 0 }));
      if (res.status === 200) {
        acked.add(i);
        return;
      }
      await new Promise((r) => setTimeout(r, 500));
    }
  };
  let next = 0;
  const worker = async () => { while (next < events.length) await deliver(next++); };
  const burst = Promise.all([worker(), worker(), worker(), worker()]);
  while (acked.size < 15) await new Promise((r) => setTimeout(r, 50));
  await svc.kill();
  svc = services.spawn(env, port);
  await svc.ready(180_000);
  await burst;
  t.is(acked.size, events.length);
  await svc.stop();

  const db = new PGlite(path.join(dir, 'db'));
  const rows = (await db.query<{ external_id: string; n: number }>(`select external_id, count(*)::int as n from tickets where source = 'slack' group by external_id`)).rows;
  await db.close();
  const keys = new Set(rows.map((r) => r.external_id));
  const missing = events.filter((e) => !keys.has(`${INTAKE.all}/${(e.event as { ts: string }).ts}`)).length;
  t.is(missing, 0, 'acknowledged but not stored');
  t.is(rows.filter((r) => r.n > 1).length, 0, 'stored twice');
  t.is(rows.length, events.length);
  t.true([...attempts.values()].some((n) => n > 1), 'some events were retried across the crash');
});
