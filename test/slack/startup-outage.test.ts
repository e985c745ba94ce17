/**
 * Slack down at start-up: not listening (connection refused), answering auth.test invalid_auth, answering
 * 500 — and, in Socket Mode, apps.connections.open failing. Each time the service starts, its REST API
 * works, /health says Slack is failing with the error, and once Slack is back (started, or fixed) health
 * turns ok and the alert queued meanwhile arrives exactly once. A failed auth.test used to be an unhandled
 * rejection inside Bolt's constructor that ended the process (ava fails a test file on one, too).
 */
import test from 'ava';
import { apiUrlFor, FakeSlack, type Failure } from '../kit/fake-slack.ts';
import { freePort } from '../kit/net.ts';
import { api } from '../kit/service.ts';
import { waitFor } from '../kit/wait.ts';
import { alertsFor, createTicket, startSlackService, waitForAlert } from './harness.ts';
import { CHANNELS } from '../kit/slack.ts';

type Outage = { kind: 'refused' } | Exclude<Failure, { kind: 'hang' } | { kind: 'post_then_hang' }>;

const cases: Array<{ title: string; outage: Outage; error: RegExp; socket?: boolean }> = [
  { title: 'Slack not listening (connection refused)', outage: { kind: 'refused' }, error: /^slack unreachable/ },
  { title: 'auth.test answering invalid_auth', outage: { kind: 'not_ok', error: 'invalid_auth' }, error: /^slack error: invalid_auth$/ },
  { title: 'Slack answering 500', outage: { kind: 'http_500' }, error: /^slack http 500$/ },
  { title: 'Socket Mode: apps.connections.open answering 500', outage: { kind: 'http_500' }, error: /^slack http 500$/, socket: true },
  { title: 'Socket Mode: Slack not listening', outage: { kind: 'refused' }, error: /^slack unreachable/, socket: true },
];

for (const c of cases) {
  test(`${c.title} at start: the service starts, health says failing, the alert arrives once when Slack is back`, async (t) => {
    t.timeout(400_000);
    const port = await freePort();
    const fake = new FakeSlack();
    if (c.outage.kind !== 'refused') {
      await fake.start(port);
      fake.setOutage(c.outage);
    }
    t.teardown(() => fake.close());
    const env = await startSlackService(
      { SLACK_API_URL: apiUrlFor(port), ...(c.socket ? { SLACK_APP_TOKEN: 'xapp-test-token', SLACK_SIGNING_SECRET: '' } : {}) },
      { fake },
    );
    t.teardown(env.stop);

    const id = await createTicket(env.svc, { body: 'Exports fail with a timeout [cat=technical conf=0.9]' });
    t.is((await api(env.svc.baseUrl, `/api/v1/requests/${id}`)).status, 200, 'the REST API works while Slack is down');
    const down = await waitFor(async () => {
      const h = (await api(env.svc.baseUrl, '/health')).json;
      return h.checks.slack.status === 'failing' ? h : undefined;
    }, { timeoutMs: 30_000, what: 'slack failing on /health' });
    t.regex(down.checks.slack.last_error, c.error);
    t.is(down.status, 'degraded');
    t.is(alertsFor(fake, id).length, 0);

    // Slack comes back (or the outage ends); the background checks and the alert's retries find it.
    if (c.outage.kind === 'refused') await fake.start(port);
    else fake.setOutage(undefined);
    await waitForAlert(fake, id, 120_000);
    await waitFor(async () => (await api(env.svc.baseUrl, '/health')).json.checks.slack.status === 'ok', { timeoutMs: 120_000, what: 'slack ok again' });
    if (c.socket) await waitFor(() => fake.socketConnected, { timeoutMs: 120_000, what: 'socket mode connected' });
    // The token check keeps retrying (capped backoff) until Slack answers it.
    else await waitFor(() => fake.callsTo('auth.test').some((call) => call.token === 'xoxb-test-token'), { timeoutMs: 120_000, what: 'auth.test retried' });
    await new Promise((r) => setTimeout(r, 1500));
    t.is(alertsFor(fake, id).length, 1, 'exactly one alert');
    t.is(fake.channelMessages(CHANNELS.technical).length, 1);
  });
}
