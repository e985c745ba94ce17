/**
 * The ticket page's customer card over real HTTP: company and tier, open tickets, the last five with status and
 * links, possibly related tickets (same customer, similar subject, within CUSTOMER_RELATED_DAYS), and never
 * another customer's tickets, even at the same company with the same subject.
 */
import anyTest, { type TestFn } from 'ava';
import { createKeywordClassifier } from '../../src/classify/keyword.ts';
import { signedIn, type ConsoleClient } from '../kit/console.ts';
import { api, startTestService, type TestService } from '../kit/service.ts';

const test = anyTest.serial as TestFn<{ svc: TestService; agent: ConsoleClient }>;

test.before(async (t) => {
  const svc = await startTestService({ CUSTOMER_RELATED_DAYS: '7' }, { classifier: createKeywordClassifier() });
  t.context = { svc, agent: await signedIn(svc.baseUrl, svc.service, 'agent') };
});
test.after.always(async (t) => t.context.svc?.stop());

const section = (page: string, id: string) => /<section class="card" id="ticket-customer">([\s\S]*?)<\/section>/.exec(page)?.[1] ?? `(no ${id})`;

test('the customer card: company and tier, open count, last five, related by subject, nobody else\'s tickets', async (t) => {
  const { svc, agent } = t.context;
  const company = await api(svc.baseUrl, '/api/v1/companies', { method: 'POST', json: { name: 'Initech', tier: 'platinum', domains: ['initech.example'] } });
  t.is(company.status, 201);
  const create = async (email: string, subject: string) => (await api(svc.baseUrl, '/api/v1/requests', { method: 'POST', json: { subject, body: `About: ${subject}`, requester_email: email } })).json.id as number;
  const older = [];
  for (const subject of ['Invoice PDF is missing', 'Password reset mail never arrives', 'Export to CSV fails', 'Dark mode request', 'API rate limit question', 'Billing address change']) {
    older.push(await create('peter@initech.example', subject));
  }
  // A colleague at the same company writes about the same thing: not Peter's, so never related to his ticket.
  const colleague = await create('milton@initech.example', 'Invoice PDF is missing again');
  // An old similar ticket outside the 7 days is not related.
  const stale = await create('peter@initech.example', 'Invoice PDF missing (old)');
  await svc.service.db.sql.query(`update tickets set created_at = now() - interval '30 days' where id = $1`, [stale]);
  await api(svc.baseUrl, `/api/v1/requests/${older[3]}`, { method: 'PATCH', json: { status: 'resolved' } });
  const current = await create('Peter@Initech.example', 'Invoice PDF is still missing');

  const card = section((await agent.get(`/console/tickets/${current}`)).text, 'customer card');
  t.regex(card, /Initech/);
  t.regex(card, /platinum/);
  t.regex(card, /<dt>Open tickets<\/dt><dd>7<\/dd>/); // 6 + the stale one + this one, less the resolved one
  const recent = /<ul class="recent">([\s\S]*?)<\/ul>/.exec(card)?.[1] ?? '';
  t.deepEqual([...recent.matchAll(/href="\/console\/tickets\/(\d+)"/g)].map((m) => Number(m[1])), [older[5], older[4], older[3], older[2], older[1]]);
  t.regex(recent, /Resolved/);
  const related = /<ul class="related">([\s\S]*?)<\/ul>/.exec(card)?.[1] ?? '';
  const relatedIds = [...related.matchAll(/href="\/console\/tickets\/(\d+)"/g)].map((m) => Number(m[1]));
  t.deepEqual(relatedIds, [older[0]]);
  t.false(relatedIds.includes(colleague));
  t.false(relatedIds.includes(stale));
  t.false(card.includes(`/console/tickets/${colleague}"`));
});

test('a ticket whose message named nobody has no customer card', async (t) => {
  const { svc, agent } = t.context;
  const id = (await api(svc.baseUrl, '/api/v1/requests', { method: 'POST', json: { text: 'Anonymous question about invoices' } })).json.id as number;
  t.false((await agent.get(`/console/tickets/${id}`)).text.includes('id="ticket-customer"'));
});

test('a customer with more than 500 tickets in the window: related ones are looked for among the newest 500', async (t) => {
  const { svc, agent } = t.context;
  const sql = svc.service.db.sql;
  const create = async (subject: string) => (await api(svc.baseUrl, '/api/v1/requests', { method: 'POST', json: { subject, body: `About: ${subject}`, requester_email: 'robot@integration-heavy.example' } })).json.id as number;
  const beyond = await create('Webhook delivery failed for order 1');
  const customer = Number((await sql.query<{ customer_id: number }>('select customer_id from tickets where id = $1', [beyond]))[0]!.customer_id);
  // 550 unrelated tickets of the same customer, all newer than `beyond` and inside the 7 days.
  await sql.query(
    `insert into tickets (source, subject, body, customer_id, status, created_at, updated_at)
     select 'api', 'Nightly sync report ' || g, 'report', $1, 'resolved', now() - interval '2 days' + g * interval '1 second', now() from generate_series(1, 550) g`,
    [customer],
  );
  await sql.query(`update tickets set created_at = now() - interval '3 days' where id = $1`, [beyond]);
  const within = await create('Webhook delivery failed for order 2');
  const current = await create('Webhook delivery failed for order 3');
  const related = /<ul class="related">([\s\S]*?)<\/ul>/.exec(section((await agent.get(`/console/tickets/${current}`)).text, 'customer card'))?.[1] ?? '';
  t.deepEqual([...related.matchAll(/href="\/console\/tickets\/(\d+)"/g)].map((m) => Number(m[1])), [within], 'the similar ticket among the newest 500 is shown, the one behind 550 newer ones is not');
});
