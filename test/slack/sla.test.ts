/**
 * SLA warnings and breaches in Slack, end to end: real service(s), fake Slack, targets of a few seconds
 * (minutes may be fractions) and a 1 s scan. Each event is one thread message (the breach mentions the
 * escalation group), the card shows the clock, and nothing is posted twice: not by two instances on one
 * PostgreSQL, not after a restart. An acknowledgement (SLA_FIRST_RESPONSE=acknowledge) stops the clock.
 */
import test from 'ava';
import { startFakeSlack, type FakeSlack } from '../kit/fake-slack.ts';
import { signSlack as sign } from '../kit/signing.ts';
import { sleep, waitFor } from '../kit/wait.ts';
import { blockActionBody, createTicket, postToSlackEvents, startSlackService, waitForAlert } from './harness.ts';

const SLA = {
  SLA_FIRST_RESPONSE_MINUTES: 'high=0.1', // 6 s
  SLA_BUSINESS_HOURS: '24/7',
  SLA_WARN_AT: '0.5', // 3 s
  SLA_SCAN_SECONDS: '1',
  SLA_ESCALATION_MENTION: '<!subteam^S0ONCALL>',
};

const slaNotes = (fake: FakeSlack, ticketId: number) =>
  fake.messages.filter((m) => m.metadata?.event_type === 'support_ticket_sla' && m.metadata.event_payload.ticket_id === ticketId);

const cardText = (fake: FakeSlack, alert: { channel: string; ts: string }) =>
  JSON.stringify(fake.messages.find((m) => m.channel === alert.channel && m.ts === alert.ts)?.blocks ?? []);

test('a ticket nobody answers warns, then breaches with the escalation mention, once each; the card shows the clock', async (t) => {
  const env = await startSlackService(SLA);
  t.teardown(env.stop);
  const { fake, svc } = env;
  const id = await createTicket(svc, { body: 'Checkout is down for everyone [cat=technical conf=0.9 prio=high]' });
  const alert = await waitForAlert(fake, id);
  t.regex(cardText(fake, alert), /First response due in/);

  const warning = await waitFor(() => slaNotes(fake, id)[0], { timeoutMs: 15_000, what: 'the warning' });
  t.is(warning.thread_ts, alert.ts);
  t.regex(warning.text, /First response due soon/);
  t.notRegex(warning.text, /subteam/);
  await waitFor(() => slaNotes(fake, id).length >= 2, { timeoutMs: 15_000, what: 'the breach' });
  const breach = slaNotes(fake, id)[1]!;
  t.regex(breach.text, /First response SLA breached/);
  t.regex(breach.text, /<!subteam\^S0ONCALL>/);
  await waitFor(() => /breached/.test(cardText(fake, alert)), { timeoutMs: 10_000, what: 'the card shows the breach' });
  await sleep(3000);
  t.is(slaNotes(fake, id).length, 2, 'no event twice');
});

test('two instances on one PostgreSQL, then a restart: each event posted once', async (t) => {
  const fake = await startFakeSlack();
  t.teardown(() => fake.close());
  const a = await startSlackService(SLA, { database: 'postgres', fake });
  t.teardown(a.stop);
  const b = await startSlackService(SLA, { databaseUrl: a.svc.databaseUrl!, fake });
  t.teardown(() => b.svc.service.stop());
  const ids = await Promise.all([0, 1, 2].map((i) => createTicket(i % 2 ? a.svc : b.svc, { body: `Ticket ${i}: nothing works [cat=technical conf=0.9 prio=high]` })));
  for (const id of ids) await waitForAlert(fake, id);
  // b goes away after the warnings; a restarted c joins before the breaches
  await waitFor(() => ids.every((id) => slaNotes(fake, id).length >= 1), { timeoutMs: 20_000, what: 'the warnings' });
  await b.svc.service.stop();
  const c = await startSlackService(SLA, { databaseUrl: a.svc.databaseUrl!, fake });
  t.teardown(() => c.svc.service.stop());
  await waitFor(() => ids.every((id) => slaNotes(fake, id).length >= 2), { timeoutMs: 20_000, what: 'the breaches' });
  await sleep(3000);
  for (const id of ids) {
    t.deepEqual(slaNotes(fake, id).map((m) => /breached/.test(m.text) ? 'breach' : 'warning'), ['warning', 'breach'], `ticket ${id}`);
  }
});

test('with SLA_FIRST_RESPONSE=acknowledge, Acknowledge stops the first-response clock', async (t) => {
  const env = await startSlackService({ ...SLA, SLA_FIRST_RESPONSE_MINUTES: 'high=0.2', SLA_FIRST_RESPONSE: 'acknowledge' }); // 12 s, warning at 6 s
  t.teardown(env.stop);
  const { fake, svc } = env;
  const created = Date.now();
  const id = await createTicket(svc, { body: 'Login broken [cat=technical conf=0.9 prio=high]' });
  const alert = await waitForAlert(fake, id);
  const body = blockActionBody({ actionId: 'ticket_acknowledge', value: String(id), user: 'UANN00001', channel: alert.channel, messageTs: alert.ts, blocks: alert.blocks ?? [], responseUrl: `${fake.url}/response/${id}` });
  t.is((await postToSlackEvents(svc.baseUrl, body, sign(body))).status, 200);
  await waitFor(async () => (await svc.service.db.sql.query('select 1 from ticket_slas where ticket_id = $1 and first_responded_at is not null', [id])).length === 1, { timeoutMs: 10_000, what: 'the acknowledgement' });
  t.true(Date.now() - created < 6000, 'acknowledged before the warning was due');
  await sleep(Math.max(0, created + 14_000 - Date.now()));
  t.deepEqual(slaNotes(fake, id).map((m) => m.text.split('\n')[0]), []);
});
