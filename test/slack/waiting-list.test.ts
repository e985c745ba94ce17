/**
 * Waiting lists, through the real service and a fake Slack: when a channel's line of cards is long (Slack
 * takes about one message a second per channel), the tickets further back than SLACK_WAITING_LIST_SECONDS are
 * listed at once in a message that goes before the cards: each ticket on one list at most, by number (no
 * name, no subject), across two instances; every card still follows, once. Slack down while the line forms:
 * the lists are posted once it is back. SLACK_WAITING_LIST_SECONDS=0: no lists.
 */
import test from 'ava';
import type { FakeMessage, FakeSlack } from '../kit/fake-slack.ts';
import { startFakeSlack } from '../kit/fake-slack.ts';
import { CHANNELS, slackEnv } from '../kit/slack.ts';
import { startTestService } from '../kit/service.ts';
import { waitFor } from '../kit/wait.ts';
import { alertsFor, createTicket, scriptedClassifier, startSlackService, type SlackTestEnv } from './harness.ts';

const AHEAD = { SLACK_WAITING_LIST_SECONDS: '3' };
const lists = (fake: FakeSlack) => fake.messages.filter((m) => m.metadata?.event_type === 'support_waiting_list');
const listed = (m: FakeMessage) => m.metadata!.event_payload.ticket_ids as number[];
const report = (i: number) => ({
  subject: `Export stuck, order ${i}`,
  body: `Hello, the export of order ${i} has been stuck for an hour. Regards, Wilhelmina Exportova [cat=technical conf=0.9 prio=high]`,
  requester_email: `wilhelmina${i}@exports.example`,
  requester_name: 'Wilhelmina Exportova',
});

async function line(svcs: SlackTestEnv['svc'][], n: number): Promise<number[]> {
  const ids: number[] = [];
  for (let i = 0; i < n; i++) ids.push(await createTicket(svcs[i % svcs.length]!, report(i)));
  return ids;
}

/** Every ticket's card came, once; each ticket is on one list at most; a list names no one. */
async function everyCardOnce(t: import('ava').ExecutionContext, fake: FakeSlack, ids: number[]) {
  await waitFor(() => (ids.every((id) => alertsFor(fake, id).length > 0) ? true : undefined), { what: 'every card', timeoutMs: 90_000 });
  t.deepEqual(ids.map((id) => alertsFor(fake, id).length), ids.map(() => 1), 'one card per ticket');
  const all = lists(fake).flatMap(listed);
  t.is(new Set(all).size, all.length, 'no ticket on two lists');
  for (const m of lists(fake)) t.notRegex(JSON.stringify(m), /Wilhelmina|Exportova|Export stuck/, 'a list names no one and shows no subject');
}

test.serial('a long line: the tickets far back are listed at once, before their cards, each once; every card follows', async (t) => {
  const env = await startSlackService(AHEAD);
  t.teardown(env.stop);
  const ids = await line([env.svc], 14);
  const first = await waitFor(() => lists(env.fake)[0], { what: 'a waiting list', timeoutMs: 30_000 });
  t.is(first.channel, CHANNELS.technical);
  t.regex(first.text, /more tickets? came in/);
  // A line shows the ticket's number (a link to it), priority, category and arrival time.
  const shown = listed(first)[0]!;
  t.regex(JSON.stringify(first.blocks), new RegExp(`<https://triage\\.example\\.com/api/v1/requests/${shown}\\|#${shown}> · high · technical · <!date\\^\\d+\\^`));
  t.false(listed(first).some((id) => ids.indexOf(id) < 3), 'the first three, whose cards come within 3 s, are not listed');
  await everyCardOnce(t, env.fake, ids);
  // Listed tickets were seen before their cards came; a list goes before the cards already waiting when it was
  // stored (the one being posted then, and a few more on a slow machine while the list is read, go first; behind
  // the cards already fetched, it waited for eight).
  for (const m of lists(env.fake)) for (const id of listed(m)) t.true(m.postedAt < alertsFor(env.fake, id)[0]!.postedAt, `#${id} listed before its card`);
  const [stored] = await env.svc.service.db.sql.query<{ at: number }>('select (extract(epoch from created_at) * 1000)::float8 as at from slack_waiting_lists order by id limit 1');
  const cardsBetween = env.fake.messages.filter((m) => m.metadata?.event_type === 'support_ticket_alert' && m.postedAt > stored!.at && m.postedAt < first.postedAt);
  t.true(cardsBetween.length <= 4, `${cardsBetween.length} cards went out between the list's storing and its post`);
});

test.serial('two instances at once list each ticket once (PostgreSQL)', async (t) => {
  const fake = await startFakeSlack();
  t.teardown(() => fake.close());
  const vars = { ...slackEnv(fake), ...AHEAD, PUBLIC_URL: 'https://triage.example.com' };
  const a = await startTestService(vars, { classifier: scriptedClassifier(), database: 'postgres' });
  t.teardown(() => a.stop());
  const b = await startTestService(vars, { classifier: scriptedClassifier(), databaseUrl: a.databaseUrl! });
  t.teardown(() => b.stop());
  const ids = await line([a, b], 24);
  await waitFor(() => lists(fake)[0], { what: 'a waiting list', timeoutMs: 30_000 });
  await everyCardOnce(t, fake, ids);
});

test.serial('Slack down while the line forms: the lists are posted once it is back, and every card', async (t) => {
  const env = await startSlackService(AHEAD);
  t.teardown(env.stop);
  env.fake.setOutage({ kind: 'http_500' });
  const ids = await line([env.svc], 10);
  await waitFor(async () => ((await env.svc.service.db.sql.query('select 1 from slack_waiting_lists')).length ? true : undefined), { what: 'a list stored', timeoutMs: 30_000 });
  t.is(lists(env.fake).length, 0);
  env.fake.setOutage(undefined);
  await everyCardOnce(t, env.fake, ids);
});

test.serial('SLACK_WAITING_LIST_SECONDS=0: no lists, however long the line', async (t) => {
  const env = await startSlackService({ SLACK_WAITING_LIST_SECONDS: '0' });
  t.teardown(env.stop);
  const ids = await line([env.svc], 10);
  await everyCardOnce(t, env.fake, ids);
  t.is(lists(env.fake).length, 0);
});
