/**
 * Bulk actions from the inbox over real HTTP, with the fake Slack: each ticked ticket changes through the
 * shared code (its Slack card follows), one that cannot change is reported on its line without stopping the
 * others, the count is bounded, and viewers, missing CSRF tokens and bad input change nothing.
 */
import anyTest, { type TestFn } from 'ava';
import { signedIn, type ConsoleClient } from '../kit/console.ts';
import { api } from '../kit/service.ts';
import { waitFor } from '../kit/wait.ts';
import { alertsFor, createTicket, type SlackTestEnv, startSlackService, waitForAlert } from '../slack/harness.ts';

const test = anyTest.serial as TestFn<{ slack: SlackTestEnv; agent: ConsoleClient; viewer: ConsoleClient }>;

test.before(async (t) => {
  // No https PUBLIC_URL: the session cookie is not Secure, so the plain-http client keeps it.
  const slack = await startSlackService({ PUBLIC_URL: '' });
  t.context = { slack, agent: await signedIn(slack.svc.baseUrl, slack.svc.service, 'agent'), viewer: await signedIn(slack.svc.baseUrl, slack.svc.service, 'viewer') };
});
test.after.always(async (t) => t.context.slack?.stop());

const rest = async (t: { context: { slack: SlackTestEnv } }, id: number) => (await api(t.context.slack.svc.baseUrl, `/api/v1/requests/${id}`)).json;

async function tickets(slack: SlackTestEnv, n: number, tag: string): Promise<number[]> {
  const ids: number[] = [];
  for (let i = 0; i < n; i += 1) ids.push(await createTicket(slack.svc, { subject: `${tag} ${i}`, body: `Bulk ${tag} ticket number ${i}, please look.`, requester_email: `bulk${i}@example.com` }));
  for (const id of ids) await waitForAlert(slack.fake, id);
  return ids;
}

/** The result page's lines: ticket id -> result. */
const results = (page: string) => Object.fromEntries([...page.matchAll(/<tr data-ticket="(\d+)" data-result="(\w+)">/g)].map((m) => [Number(m[1]), m[2]]));

test('the inbox offers the bulk form with a box per ticket to agents, not to viewers', async (t) => {
  const { slack, agent, viewer } = t.context;
  const [id] = await tickets(slack, 1, 'Form');
  const agentPage = (await agent.get('/console?tab=unassigned')).text;
  t.regex(agentPage, /<form class="bulk" id="bulk" method="post" action="\/console\/bulk">/);
  t.regex(agentPage, new RegExp(`<input type="checkbox" name="ids" value="${id}" form="bulk" id="pick-${id}" hx-preserve="true"`));
  t.regex(agentPage, /<input type="hidden" name="back" value="\/console\?tab=unassigned">/);
  const viewerPage = (await viewer.get('/console?tab=unassigned')).text;
  t.regex(viewerPage, new RegExp(`/console/tickets/${id}"`));
  t.notRegex(viewerPage, /id="bulk"|type="checkbox"/);
});

test('bulk resolve changes each ticket and its Slack card, and reports the already resolved and the missing per ticket', async (t) => {
  const { slack, agent } = t.context;
  const [a, b, c] = await tickets(slack, 3, 'Resolve');
  t.is((await agent.post(`/console/tickets/${c}/status`, { status: 'resolved' })).status, 302);
  const editsBefore = Object.fromEntries([a!, b!].map((id) => [id, alertsFor(slack.fake, id)[0]!.edited]));
  const res = await agent.post('/console/bulk', [['action', 'resolve'], ['ids', String(a)], ['ids', String(b)], ['ids', String(c)], ['ids', '999999'], ['ids', String(a)], ['back', '/console?tab=unassigned']]);
  t.is(res.status, 200, res.text.slice(0, 300));
  t.deepEqual(results(res.text), { [a!]: 'done', [b!]: 'done', [c!]: 'unchanged', 999999: 'missing' });
  t.regex(res.text, /Resolve: 2 of 4 changed/);
  t.regex(res.text, /already resolved/);
  t.regex(res.text, /href="\/console\?tab=unassigned">Back to the inbox/);
  for (const id of [a!, b!, c!]) t.is((await rest(t, id)).status, 'resolved');
  for (const id of [a!, b!]) {
    await waitFor(() => {
      const card = alertsFor(slack.fake, id)[0]!;
      return card.edited > editsBefore[id]! && /[Rr]esolved/.test(JSON.stringify(card.blocks)) ? card : undefined;
    }, { what: `card of #${id} shows it resolved`, timeoutMs: 20_000 });
  }
  t.pass();
});

test('bulk assign and snooze go through the shared code; a resolved ticket is refused a snooze on its own line', async (t) => {
  const { slack, agent } = t.context;
  const [a, b, resolved] = await tickets(slack, 3, 'Assign');
  const assigned = await agent.post('/console/bulk', [['action', 'assign'], ['assignee', 'U0BULK001'], ['ids', String(a)], ['ids', String(b)]]);
  t.deepEqual(results(assigned.text), { [a!]: 'done', [b!]: 'done' });
  for (const id of [a!, b!]) t.is((await rest(t, id)).assignee.slack_user_id, 'U0BULK001');
  const again = await agent.post('/console/bulk', [['action', 'assign'], ['assignee', 'U0BULK001'], ['ids', String(a)]]);
  t.deepEqual(results(again.text), { [a!]: 'unchanged' });
  const mine = await agent.post('/console/bulk', [['action', 'assign_me'], ['ids', String(b)]]);
  t.deepEqual(results(mine.text), { [b!]: 'done' });
  t.regex((await agent.get('/console?tab=mine')).text, new RegExp(`/console/tickets/${b}"`));
  const unassigned = await agent.post('/console/bulk', [['action', 'unassign'], ['ids', String(a)], ['ids', String(b)]]);
  t.deepEqual(results(unassigned.text), { [a!]: 'done', [b!]: 'done' });
  t.is((await rest(t, a!)).assignee, null);

  await agent.post(`/console/tickets/${resolved}/status`, { status: 'resolved' });
  const snoozed = await agent.post('/console/bulk', [['action', 'snooze'], ['for', '4h'], ['ids', String(a)], ['ids', String(resolved)], ['ids', String(b)]]);
  t.deepEqual(results(snoozed.text), { [a!]: 'done', [resolved!]: 'refused', [b!]: 'done' });
  t.regex(snoozed.text, /resolved: reopen it first/);
  const ends = [a!, b!].map(async (id) => (await rest(t, id)).snooze);
  const [sa, sb] = await Promise.all(ends);
  t.truthy(sa);
  t.is(sa.until, sb.until, 'one end for the whole selection');
  t.falsy((await rest(t, resolved!)).snooze);
  const cardA = alertsFor(slack.fake, a!)[0]!;
  await waitFor(() => (/snoozed/i.test(JSON.stringify(alertsFor(slack.fake, a!)[0]!.blocks)) ? true : undefined), { what: 'card shows the snooze', timeoutMs: 20_000 });
  t.truthy(cardA);
});

test('more than the bound, a viewer, a missing CSRF token and bad input are refused with nothing changed', async (t) => {
  const { slack, agent, viewer } = t.context;
  const [id] = await tickets(slack, 1, 'Refuse');
  const before = await rest(t, id!);
  const many: Array<[string, string]> = [['action', 'resolve'], ...Array.from({ length: 101 }, (_, i) => ['ids', String(i === 0 ? id : 500_000 + i)] as [string, string])];
  const tooMany = await agent.post('/console/bulk', many);
  t.is(tooMany.status, 422);
  t.regex(tooMany.text, /At most 100 tickets per bulk action; 101 were chosen\. Nothing was changed\./);
  // Exactly the bound is taken (the form parser turns long lists into objects: both shapes are read).
  const hundred = await agent.post('/console/bulk', [['action', 'assign'], ['assignee', 'U0NOBODY1'], ...Array.from({ length: 100 }, (_, i) => ['ids', String(600_000 + i)] as [string, string])]);
  t.is(hundred.status, 200);
  t.is(Object.keys(results(hundred.text)).length, 100);

  const viewerTry = await viewer.post('/console/bulk', [['action', 'resolve'], ['ids', String(id)]]);
  t.is(viewerTry.status, 403);
  const noCsrf = await agent.post('/console/bulk', [['action', 'resolve'], ['ids', String(id)]], { csrf: false });
  t.is(noCsrf.status, 403);
  for (const form of [
    [['action', 'resolve']],
    [['action', 'delete'], ['ids', String(id)]],
    [['action', 'resolve'], ['ids', `${id} OR 1=1`]],
    [['action', 'resolve'], ['ids', '-1']],
    [['action', 'resolve'], ['ids', '1e3']],
    [['action', 'assign'], ['assignee', '<script>'], ['ids', String(id)]],
    [['action', 'snooze'], ['for', '100y'], ['ids', String(id)]],
  ] as Array<Array<[string, string]>>) {
    const res = await agent.post('/console/bulk', form);
    t.is(res.status, 422, JSON.stringify(form));
    t.notRegex(res.text, /<script>/);
  }
  // A foreign "back" address is not followed.
  const back = await agent.post('/console/bulk', [['action', 'assign'], ['assignee', 'U0BULK002'], ['ids', String(id)], ['back', 'https://evil.example/console']]);
  t.regex(back.text, /href="\/console">Back to the inbox/);
  const after = await rest(t, id!);
  t.is(after.status, before.status);
  t.is(after.assignee.slack_user_id, 'U0BULK002');
});
