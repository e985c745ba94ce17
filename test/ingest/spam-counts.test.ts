/**
 * Spam is counted. Ten messages from a blocked sender (five over REST, five by the generic webhook) make no ticket
 * and are 10 kept as spam, per door, in GET /api/v1/stats, /support-stats, the digest (posted for the spam alone)
 * and the console's dashboard; with a category filter spam is not counted (null); a period before them counts 0,
 * and moved ten days back they leave the 7-day period and stay in the 30-day one. After unblocking, the next message
 * is a ticket, not spam.
 */
import anyTest, { type TestFn } from 'ava';
import { dashboardFigures } from '../../src/db/repositories/dashboard.ts';
import { getStats } from '../../src/db/repositories/stats.ts';
import { signedIn, type ConsoleClient } from '../kit/console.ts';
import { api } from '../kit/service.ts';
import { sign, SECRETS, signSlack } from '../kit/signing.ts';
import { CHANNELS } from '../kit/slack.ts';
import { waitFor } from '../kit/wait.ts';
import { postToSlackEvents, slashCommandBody, startSlackService, waitForAlert, type SlackTestEnv } from '../slack/harness.ts';

const test = anyTest.serial as TestFn<{ env: SlackTestEnv; client: ConsoleClient }>;
const EMAIL = 'pat@spam-counts.example';
const SPAM_TABLE = 'Messages kept as spam per day by door (blocked senders, no ticket)';
const DAY_MS = 86_400_000;
let blockId = 0; // the first test's block, which the second ends (ava copies the context into each test)

test.before(async (t) => {
  // An hourly digest: a run at any time of today reports today (test/slack/digest.test.ts). No PUBLIC_URL: an
  // https one makes the console's cookie secure, which plain HTTP never sends back.
  const env = await startSlackService({ ...SECRETS, PUBLIC_URL: '', SLACK_DIGEST_CHANNEL: CHANNELS.digest, SLACK_DIGEST_CRON: '0 * * * *', SLACK_DIGEST_TZ: 'UTC' });
  t.context = { env, client: await signedIn(env.svc.baseUrl, env.svc.service, 'viewer') };
});
test.after.always(async (t) => t.context.env?.stop());

let seq = 0;
const viaRest = (baseUrl: string, subject = 'Cheap watches') =>
  api(baseUrl, '/api/v1/requests', { method: 'POST', json: { subject, body: `Buy now, limited offer ${seq++}`, requester_email: EMAIL, requester_name: 'Pat Promo' } });
async function viaWebhook(baseUrl: string) {
  const body = JSON.stringify({ id: `sc-${Date.now()}-${seq++}`, subject: 'Cheap watches', body: 'Buy now, limited offer', requester_email: EMAIL, requester_name: 'Pat Promo' });
  const res = await fetch(`${baseUrl}/webhooks/generic`, { method: 'POST', headers: sign.generic(body), body });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}
const stats = async (baseUrl: string, query: string) => (await api(baseUrl, `/api/v1/stats?${query}`)).json;

/** The cells of the dashboard table named `label`, row by row. */
function table(page: string, label: string): string[][] {
  const m = new RegExp(`<table aria-label="${label.replace(/[()]/g, (c) => `\\${c}`)}">([\\s\\S]*?)</table>`).exec(page);
  if (!m) throw new Error(`no table ${label}`);
  return [...m[1]!.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((r) => [...r[1]!.matchAll(/<t[dh][^>]*>([\s\S]*?)<\/t[dh]>/g)].map((c) => c[1]!.trim()));
}

const digestOf = (env: SlackTestEnv, key: string) =>
  env.fake.channelMessages(CHANNELS.digest).find((m) => m.metadata?.event_type === 'support_digest' && m.metadata.event_payload.key === key);

test('ten messages from a blocked sender: 10 kept as spam in the stats, /support-stats, the digest and the dashboard, no ticket', async (t) => {
  const { env, client } = t.context;
  const { svc } = env;
  const blocked = await api(svc.baseUrl, '/api/v1/sender-blocks', { method: 'POST', json: { kind: 'email', value: EMAIL } });
  t.is(blocked.status, 201, blocked.text);
  blockId = blocked.json.id;
  for (let i = 0; i < 5; i++) {
    const rest = await viaRest(svc.baseUrl);
    t.is(rest.status, 202, rest.text);
    const hook = await viaWebhook(svc.baseUrl);
    t.like(hook, { status: 200, json: { status: 'suppressed' } }, JSON.stringify(hook.json));
  }
  const tickets = await svc.service.db.sql.query('select id from tickets where requester_email = $1', [EMAIL]);
  t.is(tickets.length, 0, 'no ticket from them');

  t.like(await stats(svc.baseUrl, 'days=7'), { total_tickets: 0, spam: 10, spam_by_source: { api: 5, generic: 5 } });
  t.like(await stats(svc.baseUrl, 'days=1'), { spam: 10 });
  t.like(await stats(svc.baseUrl, 'days=7&category=billing'), { spam: null, spam_by_source: {} }, 'spam has no category');

  const command = slashCommandBody('');
  const answer = JSON.stringify((await postToSlackEvents(svc.baseUrl, command, signSlack(command))).json.blocks);
  t.true(answer.includes('*Kept as spam*\\n10'), answer);
  t.true(answer.includes('*Tickets*\\n0'));
  const filtered = slashCommandBody('7 billing');
  t.false(JSON.stringify((await postToSlackEvents(svc.baseUrl, filtered, signSlack(filtered))).json.blocks).includes('Kept as spam'));

  const today = new Date().toISOString().slice(0, 10);
  const page = (await client.get('/console/dashboard?days=7')).text;
  const spam = table(page, SPAM_TABLE);
  t.deepEqual(spam[0], ['day', 'api', 'generic', 'total']);
  t.deepEqual(spam.find((r) => r[0] === today), [today, '5', '5', '10']);
  t.is(spam.length, 1 + 7);
  const csv = await client.get('/console/dashboard?days=7&format=csv&table=daily-spam');
  t.is(csv.text, spam.map((r) => r.join(',')).join('\r\n') + '\r\n');
  t.false(table(page, 'Tickets per day by door').some((r) => r.includes('generic')), 'not counted as tickets');

  // Today's digest has no ticket, only the spam, and is posted; yesterday's period counts none and is skipped.
  let at = Math.floor(Date.now() / 60_000) * 60_000;
  if (new Date(at).getUTCMinutes() === 0) at += 60_000; // not the hour the service caught up at start
  const key = (ms: number) => `digest:${new Date(ms).toISOString().slice(0, 16)}Z`;
  await svc.service.queue.send('slack-digest', { scheduledAt: new Date(at).toISOString() });
  await svc.service.queue.send('slack-digest', { scheduledAt: new Date(at - DAY_MS).toISOString() });
  const digest = JSON.stringify((await waitFor(() => digestOf(env, key(at)), { timeoutMs: 20_000, what: 'digest' })).blocks);
  t.true(digest.includes('*Kept as spam*\\n10'), digest);
  t.true(digest.includes('*Tickets*\\n0'));
  const outcome = async () =>
    (await svc.service.db.sql.query<{ state: string }>(`select state from digest_runs where period_key = $1 and state <> 'claimed'`, [key(at - DAY_MS)]))[0];
  const yesterday = await waitFor(outcome, { timeoutMs: 20_000, what: "yesterday's digest" });
  t.is(yesterday.state, 'skipped');
  t.like(await getStats(svc.service.db.sql, { days: 7, now: new Date(Date.now() - DAY_MS) }), { spam: 0, spam_by_source: {} });
  const before = await dashboardFigures(svc.service.db.sql, { days: 7, now: new Date(Date.now() - DAY_MS) });
  t.deepEqual(before.spam.series, {}, 'the 7 days before today: none');
});

test('after unblocking, the next message is a ticket and not counted as spam', async (t) => {
  const { svc, fake } = t.context.env;
  t.is((await api(svc.baseUrl, `/api/v1/sender-blocks/${blockId}`, { method: 'DELETE' })).status, 204);
  const made = await viaRest(svc.baseUrl, 'A real question');
  t.is(made.status, 201, made.text);
  await waitForAlert(fake, made.json.id, 30_000);
  t.like(await stats(svc.baseUrl, 'days=7'), { total_tickets: 1, spam: 10, spam_by_source: { api: 5, generic: 5 } });
});

test('moved ten days back, the spam leaves the 7-day period and stays in the 30-day one', async (t) => {
  const { env, client } = t.context;
  const { svc } = env;
  await svc.service.db.sql.query(`update inbound_events set created_at = created_at - interval '10 days' where verdict = 'suppressed'`);
  t.like(await stats(svc.baseUrl, 'days=7'), { spam: 0, spam_by_source: {} });
  t.like(await stats(svc.baseUrl, 'days=30'), { spam: 10, spam_by_source: { api: 5, generic: 5 } });
  const week = table((await client.get('/console/dashboard?days=7')).text, SPAM_TABLE);
  t.deepEqual(week[0], ['day', 'total']);
  t.true(week.slice(1).every((r) => r[1] === '0'));
  const day = new Date(Date.now() - 10 * DAY_MS).toISOString().slice(0, 10);
  t.deepEqual(table((await client.get('/console/dashboard?days=30')).text, SPAM_TABLE).find((r) => r[0] === day), [day, '5', '5', '10']);
});
