import test from 'ava';
import { slackThrottleObserver, type SlackThrottleState } from '../../src/ops/observers.ts';
import { thresholdOf } from '../../src/ops/incident-keys.ts';
import { loadConfig } from '../../src/config.ts';

const calm: SlackThrottleState = { rateLimitedLastMinute: 0, oldestWaitMs: 0 };

test('Slack throttling is a fault while Slack answers 429 or a call waits over a minute for its budget', async (t) => {
  const seen = async (s: SlackThrottleState) => (await slackThrottleObserver(() => s)())[0]!;
  t.false((await seen(calm)).bad);
  t.false((await seen({ ...calm, oldestWaitMs: 59_000 })).bad, 'a backlog within a minute is the budget working');
  const by429 = await seen({ ...calm, rateLimitedLastMinute: 3 });
  t.true(by429.bad);
  t.is(by429.key, 'slack-throttled');
  t.regex(by429.detail!, /3 answers 429/);
  t.regex((await seen({ ...calm, oldestWaitMs: 125_000 })).detail!, /waiting 125 s/);
});

test('OPS_SLACK_THROTTLED_SECONDS sets how long it lasts before it is an incident', (t) => {
  const config = loadConfig({ NODE_ENV: 'test', OPS_SLACK_THROTTLED_SECONDS: '90' });
  t.deepEqual(thresholdOf('slack-throttled', config.ops), { ms: 90_000, exactSince: false });
  t.is(thresholdOf('slack-throttled', loadConfig({ NODE_ENV: 'test' }).ops)!.ms, 300_000);
});
