/**
 * The rate-limit gate on its own, with a scripted Slack behind it (a fetch that answers what the test says)
 * and a virtual clock: one bucket per token and method, local 429s while closed, one probe when it reopens.
 */
import test from 'ava';
import { SlackRateGate } from '../../src/slack/delivery/rate-gate.ts';

function scripted(answer: (method: string) => Response) {
  const seen: string[] = [];
  const fetch = async (input: Parameters<typeof globalThis.fetch>[0]) => {
    const method = String(input).split('/').pop()!;
    seen.push(method);
    return answer(method);
  };
  return { seen, fetch: fetch as typeof globalThis.fetch };
}
const limited = (s: string | undefined) => new Response('{"ok":false,"error":"ratelimited"}', { status: 429, headers: s === undefined ? {} : { 'retry-after': s } });
const ok = () => new Response('{"ok":true}', { status: 200 });
const call = (gate: SlackRateGate, method: string, token = 'xoxb-1') => gate.fetch(`http://slack/api/${method}`, { method: 'POST', headers: { Authorization: `Bearer ${token}` } });

test('a 429 closes the method for every caller until Retry-After; other methods and tokens are not held', async (t) => {
  let now = 0;
  let slackLimits = true;
  const slack = scripted((m) => (m === 'chat.postMessage' && slackLimits ? limited('2') : ok()));
  const gate = new SlackRateGate({ fetch: slack.fetch, now: () => now });
  t.is((await call(gate, 'chat.postMessage')).status, 429);
  for (let i = 0; i < 50; i += 1) {
    const res = await call(gate, 'chat.postMessage');
    t.is(res.status, 429);
    t.is(res.headers.get('retry-after'), '2');
  }
  t.is((await call(gate, 'conversations.history')).status, 200, 'its own bucket');
  t.is((await call(gate, 'chat.postMessage', 'xoxb-other')).status, 429, 'another workspace asks Slack itself');
  t.deepEqual(slack.seen, ['chat.postMessage', 'conversations.history', 'chat.postMessage']);
  t.deepEqual(gate.closed(), { 'chat.postMessage': 2 });
  now = 2000;
  slackLimits = false;
  t.is((await call(gate, 'chat.postMessage')).status, 200, 'the probe after Retry-After');
  t.is((await call(gate, 'chat.postMessage')).status, 200);
  t.deepEqual(gate.closed(), {});
  t.is(gate.counts.heldBack, 50);
});

test('while the probe is out, the others wait; a 429 without Retry-After still closes the bucket for a second', async (t) => {
  let now = 0;
  let release!: (r: Response) => void;
  const slack = scripted(() => limited(undefined));
  const gate = new SlackRateGate({ fetch: slack.fetch, now: () => now });
  const first = await call(gate, 'chat.update');
  t.is(first.headers.get('retry-after'), '1', 'Retry-After filled in');
  now = 1000;
  const hanging = new SlackRateGate({
    fetch: (() => new Promise<Response>((resolve) => { release = resolve; })) as typeof globalThis.fetch,
    now: () => now,
  });
  // Close a bucket on the second gate, then let its probe hang: callers meanwhile get local 429s.
  const closing = call(hanging, 'chat.update');
  release(limited('1'));
  await closing;
  now = 2000;
  const probe = call(hanging, 'chat.update');
  t.is((await call(hanging, 'chat.update')).status, 429);
  release(ok());
  t.is((await probe).status, 200);
  t.is(hanging.counts.sent, 2);
});
