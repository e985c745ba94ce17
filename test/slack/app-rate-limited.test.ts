/** Slack's Events API says it is dropping our events (app_rate_limited): acknowledged, and known to /health and the ops signal. */
import test from 'ava';
import { api } from '../kit/service.ts';
import { signSlack } from '../kit/signing.ts';
import { postToSlackEvents, startSlackService } from './harness.ts';

test('app_rate_limited is acknowledged and shows in /health; a malformed one is refused', async (t) => {
  const env = await startSlackService();
  t.teardown(env.stop);
  t.is((await api(env.svc.baseUrl, '/health')).json.checks.slack.events_rate_limited_at, null);
  const body = JSON.stringify({ token: 'x', type: 'app_rate_limited', team_id: 'TFAKE', minute_rate_limited: 1518467820, api_app_id: 'AFAKE' });
  const res = await postToSlackEvents(env.svc.baseUrl, body, { ...signSlack(body), 'content-type': 'application/json' });
  t.is(res.status, 200);
  const at = (await api(env.svc.baseUrl, '/health')).json.checks.slack.events_rate_limited_at;
  t.true(typeof at === 'string' && Date.now() - Date.parse(at) < 60_000, String(at));
  const bad = JSON.stringify({ type: 'app_rate_limited' });
  t.is((await postToSlackEvents(env.svc.baseUrl, bad, { ...signSlack(bad), 'content-type': 'application/json' })).status, 400);
});
