/**
 * The app's Home tab: a signed app_home_opened event makes the service publish (views.publish on the fake
 * Slack) the opener's Mine, Unassigned and Breaching soon lists, each ticket linked to the console and its
 * card; someone without a console role sees no tickets; a forged event publishes nothing; a Slack outage
 * loses that one view and nothing else.
 */
import anyTest, { type TestFn } from 'ava';
import { signSlack } from '../kit/signing.ts';
import { api } from '../kit/service.ts';
import { waitFor } from '../kit/wait.ts';
import { alertsFor, createTicket, postToSlackEvents, type SlackTestEnv, startSlackService, waitForAlert } from './harness.ts';

const AGENT = 'UAGENT001';
const test = anyTest.serial as TestFn<{ env: SlackTestEnv; mine: number; unassigned: number; urgent: number; other: number; hostile: number }>;

let eventSeq = 0;
function homeOpened(user: string, tab = 'home') {
  eventSeq += 1;
  return JSON.stringify({
    token: 'legacy', team_id: 'TFAKE', api_app_id: 'AFAKE', type: 'event_callback', event_id: `Ev${eventSeq}`, event_time: Math.floor(Date.now() / 1000),
    event: { type: 'app_home_opened', user, channel: 'D0HOME001', tab, event_ts: `${Date.now() / 1000}` },
  });
}
const send = (env: SlackTestEnv, body: string, headers = signSlack(body)) => postToSlackEvents(env.svc.baseUrl, body, { 'content-type': 'application/json', ...headers });

/** The n-th Home view published for `user` (1-based), once it arrives. */
const publishedFor = (env: SlackTestEnv, user: string, n: number) =>
  waitFor(() => env.fake.homeViews.filter((v) => v.userId === user)[n - 1]?.view, { what: `Home view #${n} of ${user}`, timeoutMs: 20_000 });
const section = (view: Record<string, any>, id: string): string => view.blocks.find((b: any) => b.block_id === id)?.text.text ?? '';
const ids = (text: string) => [...text.matchAll(/\|#(\d+)>/g)].map((m) => Number(m[1])).sort((a, b) => a - b);

test.before(async (t) => {
  const env = await startSlackService({ CONSOLE_AGENTS: AGENT, SLA_FIRST_RESPONSE_MINUTES: 'urgent=30,high=240,medium=480,low=960', SLA_BUSINESS_HOURS: '24/7' });
  const mine = await createTicket(env.svc, { subject: 'My ticket', body: 'Assigned to the agent [cat=technical conf=0.9 prio=low]' });
  const unassigned = await createTicket(env.svc, { subject: 'Nobody has it', body: 'Waiting for someone [cat=general conf=0.9 prio=low]' });
  const urgent = await createTicket(env.svc, { subject: 'Site down', body: 'Everything is down [cat=technical conf=0.9 prio=urgent]' });
  const other = await createTicket(env.svc, { subject: 'Someone else has it', body: 'Assigned to another agent [cat=billing conf=0.9 prio=low]' });
  const hostile = await createTicket(env.svc, { subject: '<!channel> *pay* <http://evil.example|here> `x`', body: 'hostile [cat=general conf=0.9 prio=low]' });
  for (const id of [mine, unassigned, urgent, other, hostile]) await waitForAlert(env.fake, id);
  for (const [id, who] of [[mine, AGENT], [other, 'UOTHER001']] as const) {
    const res = await api(env.svc.baseUrl, `/api/v1/requests/${id}`, { method: 'PATCH', json: { assignee: who } });
    if (res.status !== 200) throw new Error(`assign: ${res.status} ${res.text}`);
  }
  t.context = { env, mine, unassigned, urgent, other, hostile };
});
test.after.always(async (t) => t.context.env?.stop());

test('opening the Home tab publishes Mine, Unassigned and Breaching soon with links to the console and the cards', async (t) => {
  const { env, mine, unassigned, urgent, other, hostile } = t.context;
  const res = await send(env, homeOpened(AGENT));
  t.is(res.status, 200);
  const view = await publishedFor(env, AGENT, 1);
  t.is(view.type, 'home');
  t.deepEqual(ids(section(view, 'home_mine')), [mine]);
  t.deepEqual(ids(section(view, 'home_unassigned')), [unassigned, urgent, hostile].sort((a, b) => a - b));
  t.deepEqual(ids(section(view, 'home_breaching_soon')), [urgent]);
  t.false(JSON.stringify(view).includes(`#${other}>`), 'another agent\'s ticket is in none of the lists');
  const mineText = section(view, 'home_mine');
  t.true(mineText.includes(`<https://triage.example.com/console/tickets/${mine}|#${mine}>`));
  const card = alertsFor(env.fake, mine)[0]!;
  t.true(mineText.includes(`<https://slack.com/archives/${card.channel}/p${card.ts.replace('.', '')}|card>`));
  t.true(section(view, 'home_breaching_soon').includes('urgent'));
  const console = view.blocks.find((b: any) => b.block_id === 'home_console');
  t.is(console.elements[0].url, 'https://triage.example.com/console');
  // Customer text cannot ping, link or format: Slack's three characters are escaped.
  const hostileLine = section(view, 'home_unassigned').split('\n').find((l) => l.includes(`|#${hostile}>`))!;
  t.true(hostileLine.includes('&lt;!channel&gt; *pay* &lt;http://evil.example|here&gt;'));
  t.false(/<!channel>|<http:\/\/evil/.test(JSON.stringify(view)));

  // Opening it again shows the change made meanwhile (here through REST).
  await api(env.svc.baseUrl, `/api/v1/requests/${unassigned}`, { method: 'PATCH', json: { assignee: AGENT } });
  await send(env, homeOpened(AGENT));
  const again = await publishedFor(env, AGENT, 2);
  t.deepEqual(ids(section(again, 'home_mine')), [mine, unassigned].sort((a, b) => a - b));
  t.false(ids(section(again, 'home_unassigned')).includes(unassigned));
});

test('someone without a console role gets a Home tab without tickets; the Messages tab and a forged event publish nothing', async (t) => {
  const { env } = t.context;
  await send(env, homeOpened('UOUTSIDE1'));
  const view = await publishedFor(env, 'UOUTSIDE1', 1);
  t.regex(JSON.stringify(view), /no console role/);
  t.notRegex(JSON.stringify(view), /#\d+/);

  const before = env.fake.homeViews.length;
  t.is((await send(env, homeOpened(AGENT, 'messages'))).status, 200);
  const forged = homeOpened(AGENT);
  t.is((await send(env, forged, signSlack(forged, undefined, 'not-the-secret'))).status, 401);
  const stale = homeOpened(AGENT);
  t.is((await send(env, stale, signSlack(stale, Math.floor(Date.now() / 1000) - 3600))).status, 401);
  await new Promise((r) => setTimeout(r, 1_500));
  t.is(env.fake.homeViews.length, before);
});

test('a Slack outage loses that Home view only: the event is acked, tickets still flow, the next opening publishes', async (t) => {
  const { env, mine } = t.context;
  const published = env.fake.homeViews.filter((v) => v.userId === AGENT).length;
  const calls = env.fake.callsTo('views.publish').length;
  env.fake.setOutage({ kind: 'http_500' });
  try {
    const res = await send(env, homeOpened(AGENT));
    t.is(res.status, 200);
    await waitFor(() => env.fake.callsTo('views.publish').length > calls || undefined, { what: 'the failed views.publish', timeoutMs: 20_000 });
    const created = await api(env.svc.baseUrl, '/api/v1/requests', { method: 'POST', json: { subject: 'During the outage', body: 'Still accepted [cat=general conf=0.9 prio=low]' } });
    t.is(created.status, 201);
    t.is((await api(env.svc.baseUrl, `/api/v1/requests/${mine}`)).status, 200);
  } finally {
    env.fake.setOutage(undefined);
  }
  await send(env, homeOpened(AGENT));
  const view = await publishedFor(env, AGENT, published + 1);
  t.true(ids(section(view, 'home_mine')).includes(mine));
});
