import test from 'ava';
import { createKeywordClassifier } from '../../src/classify/keyword.ts';
import { IngestValidationError } from '../../src/ingest/normalize.ts';
import { api, startTestService, type TestService } from '../kit/service.ts';

let svc: TestService;
test.before(async () => {
  svc = await startTestService({}, { classifier: createKeywordClassifier() });
});
test.after.always(async () => svc?.stop());

const count = async (sql: string, params: unknown[] = []) =>
  Number((await svc.service.db.sql.query<{ n: string }>(sql, params))[0]!.n);

test('a new message becomes a ticket with one classification job, in one transaction', async (t) => {
  const result = await svc.service.ingest({ source: 'zendesk', externalId: 'zd-1', subject: 'Cannot log in', body: 'Login fails with error 500', requesterEmail: 'a@example.com' });
  t.is(result.outcome, 'created');
  const jobs = await count(
    `select count(*) as n from pgboss.job j,
            jsonb_array_elements_text(coalesce(j.data->'ticketIds', jsonb_build_array(j.data->'ticketId'))) as t(tid)
      where j.name = 'classify' and t.tid = $1`,
    [String(result.ticketId)],
  );
  t.is(jobs, 1);
});

test('the same (source, external id) twice is a duplicate that stores nothing new; another source is a new ticket', async (t) => {
  const first = await svc.service.ingest({ source: 'freshdesk', externalId: 'fd-9', body: 'Printer is on fire again' });
  const again = await svc.service.ingest({ source: 'freshdesk', externalId: 'fd-9', body: 'Printer is on fire again' });
  const other = await svc.service.ingest({ source: 'front', externalId: 'fd-9', body: 'Printer is on fire again' });
  t.is(again.outcome, 'duplicate');
  t.is(again.ticketId, first.ticketId);
  t.is(other.outcome, 'created');
  t.not(other.ticketId, first.ticketId);
  t.is(await count(`select count(*) as n from tickets where source = 'freshdesk' and external_id = 'fd-9'`), 1);
});

test('a helpdesk update of a known ticket becomes a follow-up message, once', async (t) => {
  const created = await svc.service.ingest({ source: 'helpscout', externalId: 'hs-100', body: 'My order never arrived' });
  const update = { source: 'helpscout' as const, externalId: 'hs-100:reply:1', body: 'Any news on this?', thread: { externalTicketId: 'hs-100' } };
  const followup = await svc.service.ingest(update);
  t.is(followup.outcome, 'followup');
  t.is(followup.ticketId, created.ticketId);
  t.truthy(followup.messageId);
  t.is((await svc.service.ingest(update)).outcome, 'duplicate');
  const ticket = await api(svc.baseUrl, `/api/v1/requests/${created.ticketId}`);
  t.deepEqual(ticket.json.messages.map((m: { body: string }) => m.body), ['Any news on this?']);
});

test('an e-mail reply joins its ticket only when the sender is the requester or a participant', async (t) => {
  const original = await svc.service.ingest({
    source: 'email', externalId: '<orig-1@customer.example>', subject: 'VPN broken', body: 'The VPN drops every hour',
    requesterEmail: 'bob@customer.example', participants: ['carol@customer.example'],
  });
  const reply = await svc.service.ingest({
    source: 'email', externalId: '<reply-1@customer.example>', subject: 'Re: VPN broken', body: 'Still broken today',
    requesterEmail: 'Bob@Customer.example', thread: { inReplyTo: '<orig-1@customer.example>' },
  });
  t.is(reply.outcome, 'followup');
  t.is(reply.ticketId, original.ticketId);

  const colleague = await svc.service.ingest({
    source: 'email', externalId: '<reply-2@customer.example>', body: 'Same for me', requesterEmail: 'carol@customer.example',
    thread: { references: ['<orig-1@customer.example>', '<reply-1@customer.example>'] },
  });
  t.is(colleague.outcome, 'followup');

  const stranger = await svc.service.ingest({
    source: 'email', externalId: '<evil@elsewhere.example>', subject: `Re: [#${original.ticketId}]`, body: 'Let me in',
    requesterEmail: 'mallory@elsewhere.example', thread: { ticketId: original.ticketId, inReplyTo: '<orig-1@customer.example>' },
  });
  t.is(stranger.outcome, 'created', 'a stranger opens a ticket of their own');
  t.not(stranger.ticketId, original.ticketId);
});

test.serial('a message without text is refused with a clear error and nothing is stored', async (t) => {
  const before = await count('select count(*) as n from tickets');
  const error = await t.throwsAsync(svc.service.ingest({ source: 'generic', externalId: 'g-1', body: '   \n ' }));
  t.true(error instanceof IngestValidationError);
  t.regex(error!.message, /body/);
  t.is(await count('select count(*) as n from tickets'), before);
});

test('many concurrent messages are group-committed: every one stored once, every one queued once', async (t) => {
  const results = await Promise.all(
    Array.from({ length: 300 }, (_, i) => svc.service.ingest({ source: 'generic', externalId: `burst-${i % 250}`, body: `Burst message number ${i % 250}` })),
  );
  const ids = new Set(results.map((r) => r.ticketId));
  t.is(ids.size, 250);
  t.is(results.filter((r) => r.outcome === 'created').length, 250);
  t.is(results.filter((r) => r.outcome === 'duplicate').length, 50);
  t.is(await count(`select count(*) as n from tickets where external_id like 'burst-%'`), 250);
  // A group commit queues one job naming all its tickets.
  const jobs = await count(
    `select count(distinct t.tid::int) as n from pgboss.job j,
            jsonb_array_elements_text(coalesce(j.data->'ticketIds', jsonb_build_array(j.data->'ticketId'))) as t(tid)
      where j.name = 'classify' and t.tid::int = any($1::int[])`,
    [[...ids]],
  );
  t.is(jobs, 250);
  // Each result names the ticket with that external id.
  for (const [i, r] of results.entries()) {
    const [row] = await svc.service.db.sql.query<{ external_id: string }>('select external_id from tickets where id = $1', [r.ticketId]);
    t.is(row!.external_id, `burst-${i % 250}`);
  }
});
