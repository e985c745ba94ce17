/**
 * A blocked sender's message is kept and counted once, its block's count in one transaction with its audit row:
 * a webhook delivery retried (also several copies at once) and a REST request sent again with its external_id are
 * duplicates, not counted again on the block or in the stats, while different messages at once each count; a
 * mailbox read again records nothing more; when the audit row cannot be written the door answers an error and
 * nothing is counted, and its retry is kept once.
 */
import anyTest, { type TestFn } from 'ava';
import type { Delivery } from '../../src/ingest/delivery.ts';
import { api, startTestService, type TestService } from '../kit/service.ts';
import { sign, SECRETS } from '../kit/signing.ts';

const test = anyTest.serial as TestFn<{ svc: TestService }>;

test.before(async (t) => {
  t.context = { svc: await startTestService({ ...SECRETS }) };
});
test.after.always(async (t) => t.context.svc?.stop());

async function viaWebhook(baseUrl: string, email: string, id: string) {
  const body = JSON.stringify({ id, subject: 'Cheap watches', body: 'Buy now, limited offer', requester_email: email, requester_name: 'Sam Spammer' });
  const res = await fetch(`${baseUrl}/webhooks/generic`, { method: 'POST', headers: sign.generic(body), body });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

const block = async (svc: TestService, email: string) => {
  const made = await api(svc.baseUrl, '/api/v1/sender-blocks', { method: 'POST', json: { kind: 'email', value: email } });
  return made.json.id as number;
};
const keptOn = async (svc: TestService, id: number) => (await api(svc.baseUrl, `/api/v1/sender-blocks/${id}`)).json.suppressed as number;
const auditOf = (svc: TestService, email: string) =>
  svc.service.db.sql.query<{ verdict: string; n: number }>(
    `select verdict, count(*)::int as n from inbound_events
      where delivery_id in (select delivery_id from inbound_events where metadata->'spam'->>'from' = $1) group by verdict order by verdict`,
    [email],
  );

test('a retried delivery is kept and counted once: webhook retries, copies at once, a REST external_id again', async (t) => {
  const { svc } = t.context;
  const email = 'sam@retry-spam.example';
  const id = await block(svc, email);
  const spamBefore = (await api(svc.baseUrl, '/api/v1/stats?days=1')).json.spam as number;

  for (let i = 0; i < 3; i++) t.like(await viaWebhook(svc.baseUrl, email, 'retried-event'), { status: 200, json: { status: 'suppressed' } });
  const copies = await Promise.all(Array.from({ length: 4 }, () => viaWebhook(svc.baseUrl, email, 'copies-at-once')));
  t.true(copies.every((c) => c.status === 200 && c.json.status === 'suppressed'));
  for (let i = 0; i < 2; i++) {
    const rest = await api(svc.baseUrl, '/api/v1/requests', { method: 'POST', json: { subject: 'Offer', body: 'Buy now, limited offer', requester_email: email, external_id: 'ext-spam-1' } });
    t.is(rest.status, 202, rest.text);
  }

  // Ten different messages at once (written together): each counted.
  const distinct = await Promise.all(Array.from({ length: 10 }, (_, i) => viaWebhook(svc.baseUrl, email, `distinct-${i}`)));
  t.true(distinct.every((c) => c.status === 200 && c.json.status === 'suppressed'));

  t.is(await keptOn(svc, id), 13, 'one per delivery');
  t.deepEqual(await auditOf(svc, email), [{ verdict: 'duplicate', n: 6 }, { verdict: 'suppressed', n: 13 }], 'the copies recorded as duplicates');
  t.is((await api(svc.baseUrl, '/api/v1/stats?days=1')).json.spam, spamBefore + 13);
});

test('when the audit row cannot be written, the door gets an error and nothing is counted; its retry is kept once', async (t) => {
  const { svc } = t.context;
  const email = 'kim@failing-spam.example';
  const id = await block(svc, email);
  const sql = svc.service.db.sql;
  // The database refuses the spam's audit row, as a crash would lose it.
  await sql.query(`create function refuse_spam() returns trigger language plpgsql as $$ begin raise exception 'refused for the test'; end $$`);
  await sql.query(`create trigger refuse_spam before insert on inbound_events for each row when (new.verdict = 'suppressed') execute function refuse_spam()`);
  t.teardown(() => sql.query('drop function if exists refuse_spam() cascade'));

  const failed = await viaWebhook(svc.baseUrl, email, 'fails-once');
  t.true(failed.status >= 500, `answered ${failed.status}: the sender retries`);
  t.is(await keptOn(svc, id), 0, 'not counted without its row');

  await sql.query('drop function refuse_spam() cascade');
  t.like(await viaWebhook(svc.baseUrl, email, 'fails-once'), { status: 200, json: { status: 'suppressed' } });
  t.is(await keptOn(svc, id), 1);
  t.deepEqual((await auditOf(svc, email)).find((r) => r.verdict === 'suppressed'), { verdict: 'suppressed', n: 1 });
});

test('a mailbox read again (the same Message-ID, recordOnce) keeps the mail once and records nothing more', async (t) => {
  const { svc } = t.context;
  const email = 'lee@reread-spam.example';
  const id = await block(svc, email);
  const delivery: Delivery = {
    door: 'email', deliveryId: '<reread-1@reread-spam.example>', recordOnce: true,
    content: { message: { source: 'email', externalId: '<reread-1@reread-spam.example>', subject: 'Deals', body: 'Our best deals, this week only.', requesterEmail: email } },
  };
  for (let i = 0; i < 3; i++) t.like(await svc.service.ingest.deliver(delivery), { verdict: 'suppressed', ticketId: null });
  t.is(await keptOn(svc, id), 1);
  t.deepEqual(await auditOf(svc, email), [{ verdict: 'suppressed', n: 1 }]);
});
