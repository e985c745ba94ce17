/**
 * The incident row, not a process, decides what is posted: two instances watching the same broken door post
 * one message, and an instance started after a restart finds the incident open and does not post it again.
 */
import test from 'ava';
import { startFakeSlack } from '../kit/fake-slack.ts';
import { waitFor } from '../kit/wait.ts';
import { deliver, durableDatabase, incidentMessages, incidentRows, OPS_CHANNEL, rejectRepeatedly, sleep, startOpsService } from './harness.ts';

test.serial('two instances on one database: one incident message, resolved once', async (t) => {
  const fake = await startFakeSlack();
  const a = await startOpsService(fake, {}, { database: 'postgres' });
  const b = await startOpsService(fake, {}, { databaseUrl: a.databaseUrl! });
  t.teardown(async () => {
    await b.stop();
    await a.stop();
    await fake.close();
  });
  const rejecting = rejectRepeatedly([a, b], 150);
  await waitFor(() => incidentMessages(fake).length > 0, { timeoutMs: 15_000, what: 'the incident message' });
  await sleep(4_000);
  await rejecting.stop();
  t.is(incidentMessages(fake).length, 1, 'one message for both instances');
  t.is((await incidentRows(a)).length, 1);

  t.is(await deliver(b, 'generic-secret'), 200);
  const [message] = incidentMessages(fake);
  await waitFor(() => message!.edited === 1 && fake.threadReplies(OPS_CHANNEL, message!.ts).length === 1, { timeoutMs: 15_000, what: 'the resolution' });
  await sleep(3_000);
  t.is(message!.edited, 1);
  t.is(fake.threadReplies(OPS_CHANNEL, message!.ts).length, 1);
  t.is(incidentMessages(fake).length, 1);
});

test.serial('a restart with an incident open does not post it again; the new instance resolves it', async (t) => {
  const fake = await startFakeSlack();
  const db = await durableDatabase();
  t.teardown(async () => {
    await fake.close();
    await db.drop();
  });
  const first = await startOpsService(fake, db.env, db.options);
  let rejecting = rejectRepeatedly([first]);
  await waitFor(() => incidentMessages(fake).length === 1, { timeoutMs: 15_000, what: 'the incident message' });
  await rejecting.stop();
  await first.stop();

  const second = await startOpsService(fake, db.env, db.options);
  t.teardown(() => second.stop());
  rejecting = rejectRepeatedly([second]);
  await sleep(5_000);
  await rejecting.stop();
  t.is(incidentMessages(fake).length, 1, 'the open incident is not posted again');
  t.is((await incidentRows(second)).filter((r) => !r.resolved_at).length, 1);

  t.is(await deliver(second, 'generic-secret'), 200);
  const [message] = incidentMessages(fake);
  await waitFor(() => message!.edited === 1, { timeoutMs: 15_000, what: 'the edit' });
  t.is(incidentMessages(fake).length, 1);
});
