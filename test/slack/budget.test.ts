import test from 'ava';
import { SlackBudget } from '../../src/slack/delivery/budget.ts';
import { SlackRateGate } from '../../src/slack/delivery/rate-gate.ts';

// Time runs 60x faster: chat.update's 50 a minute become 50 a second, a channel's post one per 16.7 ms.
const SPEEDUP = 60;

test('chat.update keeps to its workspace budget ahead of time: 20 calls take at least 15 token intervals after the burst of 5', async (t) => {
  const budget = new SlackBudget({ speedup: SPEEDUP });
  const started = Date.now();
  const at: number[] = [];
  await Promise.all(Array.from({ length: 20 }, () => budget.take('chat.update', 'C1', 'refresh').then(() => at.push(Date.now() - started))));
  const interval = 60_000 / 40 / SPEEDUP; // 25 ms
  t.true(at.at(-1)! >= (20 - 5) * interval * 0.9, `last call at ${at.at(-1)} ms`);
  // Per channel makes no difference for a workspace-wide method: one lane.
  t.is(budget.lanes().filter((l) => l.method === 'chat.update').length, 1);
  budget.close();
});

test('waiters go in priority order: an alert before notes, notes before card refreshes, whatever came first', async (t) => {
  // Slack's real pace (a post every 1.1 s): the queue below forms well before the next token, however busy the machine.
  const budget = new SlackBudget();
  // Use up the channel's token, then queue refresh, note, alert (in that order).
  await budget.take('chat.postMessage', 'C1', 'alert');
  const order: string[] = [];
  const waits = [
    budget.take('chat.postMessage', 'C1', 'refresh').then(() => order.push('refresh')),
    budget.take('chat.postMessage', 'C1', 'note').then(() => order.push('note')),
    budget.take('chat.postMessage', 'C1', 'note').then(() => order.push('note')),
    budget.take('chat.postMessage', 'C1', 'alert').then(() => order.push('alert')),
  ];
  t.deepEqual(budget.lanes().find((l) => l.channel === 'C1')?.waiting, { refresh: 1, note: 2, alert: 1 });
  await Promise.all(waits);
  t.deepEqual(order, ['alert', 'note', 'note', 'refresh']);
  budget.close();
});

test('channels are paced independently: a backlog of 30 in one channel does not delay another channel\'s post', async (t) => {
  const budget = new SlackBudget({ speedup: SPEEDUP });
  const started = Date.now();
  const triage = Promise.all(Array.from({ length: 30 }, () => budget.take('chat.postMessage', 'CTRIAGE', 'alert')));
  await new Promise((r) => setTimeout(r, 5));
  const billingWaited = await budget.take('chat.postMessage', 'CBILLING', 'alert');
  const billingAt = Date.now() - started;
  await triage;
  const triageDone = Date.now() - started;
  t.true(billingWaited < 100, `billing waited ${billingWaited} ms`);
  t.true(triageDone > billingAt + 200, `triage done at ${triageDone} ms, billing at ${billingAt} ms`);
  budget.close();
});

test('a 429 from Slack anyway (another app on the workspace) empties the budget for Retry-After', async (t) => {
  const budget = new SlackBudget({ speedup: 1 });
  await budget.take('users.info', undefined, 'note');
  budget.penalize('users.info', undefined, 0.3);
  const waited = await budget.take('users.info', undefined, 'note');
  t.true(waited >= 250, `waited ${waited} ms`);
  budget.close();
});

test('SLACK_INSTANCES: each of 2 instances keeps half the workspace budget', (t) => {
  const one = new SlackBudget();
  const half = new SlackBudget({ instances: 2 });
  void one.take('chat.update', undefined, 'refresh');
  void half.take('chat.update', undefined, 'refresh');
  t.is(one.lanes()[0]!.per_minute, 40);
  t.is(half.lanes()[0]!.per_minute, 20);
  one.close();
  half.close();
});

test('the rate gate spends a token taken ahead instead of a second one, and takes one itself for a call nothing paid for', async (t) => {
  const budget = new SlackBudget({ speedup: 4 });
  const seen: string[] = [];
  const gate = new SlackRateGate({
    budget,
    fetch: async (input) => {
      seen.push(String(input));
      return new Response('{"ok":true}', { status: 200 });
    },
  });
  const call = (method: string, channel: string) =>
    gate.fetch(`http://slack.test/api/${method}`, { method: 'POST', headers: { authorization: 'Bearer x' }, body: new URLSearchParams({ channel }).toString() });
  const tokenAt = Date.now();
  await budget.take('chat.postMessage', 'C9', 'alert');
  t.is((await call('chat.postMessage', 'C9')).status, 200);
  t.is(budget.lanes().find((l) => l.channel === 'C9')!.taken, 1, 'the prepaid token was spent, none taken twice');
  // A second post has no prepaid token: it waits for the channel's next one at the gate (250 ms after the first).
  t.is((await call('chat.postMessage', 'C9')).status, 200);
  t.true(Date.now() - tokenAt >= 240, `second post ${Date.now() - tokenAt} ms after asking for the first token`);
  t.is(budget.lanes().find((l) => l.channel === 'C9')!.taken, 2);
  budget.close();
});

test('a call whose budget is far away is answered 429 here, not held past the client timeout', async (t) => {
  const budget = new SlackBudget({ limits: { 'slow.method': { perMinute: 1, burst: 1 } } });
  let sent = 0;
  const gate = new SlackRateGate({ budget, fetch: async () => { sent += 1; return new Response('{"ok":true}'); } });
  const call = () => gate.fetch('http://slack.test/api/slow.method', { method: 'POST', headers: { authorization: 'Bearer x' }, body: '' });
  t.is((await call()).status, 200);
  const res = await call();
  t.is(res.status, 429);
  t.is(res.headers.get('retry-after'), '1');
  t.is(sent, 1);
  t.is(gate.countsByMethod.get('slow.method')?.heldBack, 1);
  budget.close();
});
