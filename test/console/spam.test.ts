/**
 * The console's Spam page and the ticket page's Spam action over real HTTP: an agent blocks an address, the
 * sender's next message is listed as spam (not a ticket), a refused block says why, unblocking restores intake;
 * a viewer reads but cannot block; the Spam action on a ticket blocks the sender's domain and resolves it.
 */
import anyTest, { type TestFn } from 'ava';
import { signedIn, type ConsoleClient } from '../kit/console.ts';
import { api, startTestService, type TestService } from '../kit/service.ts';

const test = anyTest.serial as TestFn<{ svc: TestService; agent: ConsoleClient; viewer: ConsoleClient }>;

test.before(async (t) => {
  const svc = await startTestService();
  t.context = { svc, agent: await signedIn(svc.baseUrl, svc.service, 'agent'), viewer: await signedIn(svc.baseUrl, svc.service, 'viewer') };
});
test.after.always(async (t) => t.context.svc?.stop());

const rest = (svc: TestService, email: string, subject: string) =>
  api(svc.baseUrl, '/api/v1/requests', { method: 'POST', json: { subject, body: `${subject}: act now, limited offer`, requester_email: email, requester_name: 'Pat Promo' } });

test('an agent blocks an address; its next message is listed as spam, not a ticket; unblocking restores intake', async (t) => {
  const { svc, agent } = t.context;
  const blocked = await agent.post('/console/spam', { kind: 'email', value: 'Pat@Promo-Console.example' });
  t.is(blocked.status, 200, blocked.text);
  t.true(blocked.text.includes('Blocked pat@promo-console.example.'));
  t.regex(blocked.text, /<table aria-label="Blocked senders">[\s\S]*pat@promo-console\.example[\s\S]*console:/);

  t.is((await rest(svc, 'pat@promo-console.example', 'Cheap flights today')).status, 202);
  const page = (await agent.get('/console/spam')).text;
  t.regex(page, /<table aria-label="Messages kept as spam">[\s\S]*Pat Promo &lt;pat@promo-console\.example&gt;[\s\S]*Cheap flights today/);
  t.regex(page, /<td data-label="Kept as spam">1, last /);

  const refused = await agent.post('/console/spam', { kind: 'domain', value: 'gmail.com' });
  t.is(refused.status, 422);
  t.true(refused.text.includes('Not blocked: a public suffix or a free-mail/disposable domain cannot be blocked whole'));

  const id = /action="\/console\/spam\/(\d+)\/unblock"/.exec(page)![1]!;
  const ended = await agent.post(`/console/spam/${id}/unblock`, {});
  t.true(ended.text.includes('Unblocked: new messages make tickets again.'));
  t.false(/<table aria-label="Blocked senders">/.test(ended.text), 'nobody is blocked now');
  t.is((await rest(svc, 'pat@promo-console.example', 'Another offer')).status, 201);
  t.true((await agent.post(`/console/spam/${id}/unblock`, {})).text.includes('That block had ended already.'));
});

test('a viewer reads the Spam page but may not block or unblock', async (t) => {
  const { viewer } = t.context;
  const page = await viewer.get('/console/spam');
  t.is(page.status, 200);
  t.false(page.text.includes('action="/console/spam"'), 'no block form');
  t.true(page.text.includes('Blocking needs the agent role.'));
  t.is((await viewer.post('/console/spam', { kind: 'email', value: 'x@viewer-block.example' })).status, 403);
});

test('the Spam action on a ticket page blocks the sender\'s domain and resolves the ticket', async (t) => {
  const { svc, agent } = t.context;
  const made = await rest(svc, 'win@prize-domain.example', 'You won');
  t.is(made.status, 201);
  const ticketPage = (await agent.get(`/console/tickets/${made.json.id}`)).text;
  t.true(ticketPage.includes(`action="/console/tickets/${made.json.id}/spam"`));
  const marked = await agent.post(`/console/tickets/${made.json.id}/spam`, { scope: 'domain' });
  t.is(marked.status, 302);
  t.is(marked.headers.get('location'), `/console/tickets/${made.json.id}?done=spam-domain`);
  t.true((await agent.get(marked.headers.get('location')!)).text.includes('every address at the sender&#39;s domain is blocked'), 'the notice says the domain was blocked');
  t.is((await api(svc.baseUrl, `/api/v1/requests/${made.json.id}`)).json.status, 'resolved');
  t.is((await rest(svc, 'other@prize-domain.example', 'You won again')).status, 202, 'the whole domain');
  const blocks = (await api(svc.baseUrl, '/api/v1/sender-blocks')).json.items as { value: string; blocked_by: string; ticket_id: number }[];
  t.like(blocks.find((b) => b.value === 'prize-domain.example'), { ticket_id: made.json.id });
  t.regex(blocks.find((b) => b.value === 'prize-domain.example')!.blocked_by, /^console:/);

  const anonymous = await api(svc.baseUrl, '/api/v1/requests', { method: 'POST', json: { text: 'a message without any sender' } });
  t.false((await agent.get(`/console/tickets/${anonymous.json.id}`)).text.includes(`/console/tickets/${anonymous.json.id}/spam"`), 'no Spam action without a sender');
  t.is((await agent.post(`/console/tickets/${anonymous.json.id}/spam`, {})).status, 422);
});
