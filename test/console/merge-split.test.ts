/**
 * Merge, Undo merge and Split on the console's ticket page, over real HTTP: the agent names the other ticket, lands on it
 * with the merged text in its timeline (linking back), the merged ticket's page says where it went and offers Undo;
 * different customers need the box; bad numbers, unknown tickets and a viewer are refused and change nothing.
 */
import anyTest, { type TestFn } from 'ava';
import { signedIn, type ConsoleClient } from '../kit/console.ts';
import { api, startTestService, type TestService } from '../kit/service.ts';

const test = anyTest.serial as TestFn<{ svc: TestService; agent: ConsoleClient; viewer: ConsoleClient }>;

test.before(async (t) => {
  const svc = await startTestService({ RUN_WORKER: 'false' });
  t.context = { svc, agent: await signedIn(svc.baseUrl, svc.service, 'agent'), viewer: await signedIn(svc.baseUrl, svc.service, 'viewer') };
});
test.after.always(async (t) => t.context.svc?.stop());

const create = async (svc: TestService, subject: string, email: string) =>
  (await api(svc.baseUrl, '/api/v1/requests', { method: 'POST', json: { subject, body: `${subject}, please help`, requester_email: email } })).json.id as number;

test('an agent merges a ticket into another and undoes it; the pages say what happened', async (t) => {
  const { svc, agent } = t.context;
  const source = await create(svc, 'Printer offline', 'ola@customer.example');
  const target = await create(svc, 'Printer not found', 'ola@customer.example');
  const before = (await agent.get(`/console/tickets/${source}`)).text;
  t.regex(before, new RegExp(`action="/console/tickets/${source}/merge" hx-confirm="Merge this ticket`));

  // An agent's reply stays with the ticket it was sent on (stored by this worker-less instance: its queue exists without a worker).
  t.is((await agent.post(`/console/tickets/${source}/reply`, { text: 'We are looking into the printer.' })).status, 302);
  const merged = await agent.post(`/console/tickets/${source}/merge`, { into: `#${target}` });
  t.is(merged.status, 302, merged.text);
  t.is(merged.headers.get('location'), `/console/tickets/${target}?done=merged`);
  const targetPage = (await agent.get(`/console/tickets/${target}?done=merged`)).text;
  t.true(targetPage.includes('Merged: the other ticket&#39;s messages are here now') || targetPage.includes("Merged: the other ticket's messages are here now"));
  t.regex(targetPage, new RegExp(`wrote <a href="/console/tickets/${source}">#${source}</a>, merged into this ticket<div class="text">Printer offline, please help`));

  t.is((await api(svc.baseUrl, `/api/v1/requests/${source}`)).json.replies.length, 1, "the reply stays on the merged ticket");
  t.deepEqual((await api(svc.baseUrl, `/api/v1/requests/${target}`)).json.replies, []);
  const pointer = (await agent.get(`/console/tickets/${source}`)).text;
  t.regex(pointer, new RegExp(`Merged into <a href="/console/tickets/${target}">ticket #${target}</a> by `));
  t.regex(pointer, new RegExp(`action="/console/tickets/${source}/unmerge"`));
  const viewerPage = (await t.context.viewer.get(`/console/tickets/${source}`)).text;
  t.false(viewerPage.includes('/unmerge'), 'a viewer is not offered Undo');
  t.is((await t.context.viewer.post(`/console/tickets/${source}/unmerge`, {})).status, 403);

  const undone = await agent.post(`/console/tickets/${source}/unmerge`, {});
  t.is(undone.status, 302);
  t.is(undone.headers.get('location'), `/console/tickets/${source}?done=unmerged`);
  t.true((await agent.get(`/console/tickets/${source}?done=unmerged`)).text.includes('Merge undone'));
  t.is((await api(svc.baseUrl, `/api/v1/requests/${source}`)).json.merged_into_id, null);
  t.is((await agent.post(`/console/tickets/${source}/unmerge`, {})).status, 409, 'undone already');
});

test('refused: another customer without the box, bad numbers, unknown tickets, itself, a viewer; nothing changes', async (t) => {
  const { svc, agent, viewer } = t.context;
  const a = await create(svc, 'Refund please', 'pia@customer.example');
  const b = await create(svc, 'Refund for me too', 'quinn@other.example');
  const other = await agent.post(`/console/tickets/${a}/merge`, { into: String(b) });
  t.is(other.status, 409);
  t.true(other.text.includes('different customers: tick'));
  for (const into of ['', 'abc', '<script>alert(1)</script>', '-4', '0', '1e3', '9999999999']) {
    const res = await agent.post(`/console/tickets/${a}/merge`, { into });
    t.is(res.status, 422, into);
    t.false(res.text.includes('<script>alert'));
  }
  t.is((await agent.post(`/console/tickets/${a}/merge`, { into: '999999' })).status, 422);
  t.is((await agent.post(`/console/tickets/${a}/merge`, { into: String(a) })).status, 422);
  t.is((await viewer.post(`/console/tickets/${a}/merge`, { into: String(b), across: '1' })).status, 403);
  t.is((await api(svc.baseUrl, `/api/v1/requests/${a}`)).json.merged_into_id, null);
  const anyway = await agent.post(`/console/tickets/${a}/merge`, { into: String(b), across: '1' });
  t.is(anyway.status, 302, 'merged on purpose');
  const again = await agent.post(`/console/tickets/${b}/merge`, { into: String(a) });
  t.is(again.status, 409);
  t.true(again.text.includes(`ticket #${a} was merged into ${b}`), again.text.slice(0, 300));
});

test('an agent splits ticked follow-ups into a new ticket; both pages link the other; bad ticks change nothing', async (t) => {
  const { svc, agent, viewer } = t.context;
  const email = 'rae@customer.example';
  const original = await create(svc, 'Sync slow', email);
  const fu = async (body: string) => (await svc.service.ingest({ source: 'api', body, requesterEmail: email, thread: { ticketId: original } })).messageId!;
  const stays = await fu('Sync takes an hour');
  const moves = await fu('Unrelated: please change my billing address');
  const page = (await agent.get(`/console/tickets/${original}`)).text;
  t.regex(page, new RegExp(`<input type="checkbox" name="message" value="${moves}">`));

  t.is((await agent.post(`/console/tickets/${original}/split`, {})).status, 422, 'nothing ticked');
  t.is((await agent.post(`/console/tickets/${original}/split`, { message: 'x' })).status, 422);
  t.is((await agent.post(`/console/tickets/${original}/split`, { message: '999999' })).status, 422, 'not a follow-up of this ticket');
  t.is((await viewer.post(`/console/tickets/${original}/split`, { message: String(moves) })).status, 403);

  const res = await agent.post(`/console/tickets/${original}/split`, [['message', String(moves)]]);
  t.is(res.status, 302, res.text);
  const made = Number(/\/console\/tickets\/(\d+)\?done=split/.exec(res.headers.get('location') ?? '')?.[1]);
  t.true(made > original);
  const fresh = (await agent.get(`/console/tickets/${made}?done=split`)).text;
  t.true(fresh.includes('Split: this new ticket holds the follow-ups you chose'));
  t.regex(fresh, new RegExp(`<dt>Split from</dt><dd><a href="/console/tickets/${original}">#${original}</a></dd>`));
  t.true(fresh.includes('Unrelated: please change my billing address'));
  const left = (await agent.get(`/console/tickets/${original}`)).text;
  t.regex(left, new RegExp(`<dt>Split into</dt><dd><a href="/console/tickets/${made}">#${made}</a></dd>`));
  t.regex(left, new RegExp(`value="${stays}"`));
  t.notRegex(left, new RegExp(`value="${moves}"`));
});
