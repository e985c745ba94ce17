/**
 * Snooze from the card, end to end (real service, fake Slack, signed clicks): a timed snooze shows on the card,
 * pauses the SLA clocks and wakes by itself with one "Snooze over" in the thread, however many instances
 * scan; "until the customer answers" ends with their follow-up; Unsnooze and Resolve end it too. Choices
 * that are not ours, and a resolved ticket, change nothing and are told so.
 */
import test from 'ava';
import { startFakeSlack, type FakeSlack } from '../kit/fake-slack.ts';
import { api } from '../kit/service.ts';
import { signSlack } from '../kit/signing.ts';
import { sleep, waitFor } from '../kit/wait.ts';
import { blockActionBody, createTicket, postToSlackEvents, startSlackService, waitForAlert } from './harness.ts';

type Env = Awaited<ReturnType<typeof startSlackService>>;
const FAST = { SNOOZE_SCAN_SECONDS: '1' };

const card = (fake: FakeSlack, alert: { channel: string; ts: string }) => fake.messages.find((m) => m.channel === alert.channel && m.ts === alert.ts)!;
const cardText = (fake: FakeSlack, alert: { channel: string; ts: string }) => JSON.stringify(card(fake, alert).blocks ?? []);
/** The card's own snooze line (activity lines keep their history). */
const snoozeBlock = (fake: FakeSlack, alert: { channel: string; ts: string }) => (card(fake, alert).blocks ?? []).find((b: any) => b.block_id === 'ticket_snooze');
const snoozeOver = (fake: FakeSlack, alert: { channel: string; ts: string }) => fake.threadReplies(alert.channel, alert.ts).filter((m) => /Snooze over/.test(m.text));
const ticketOf = async (env: Env, id: number) => (await api(env.svc.baseUrl, `/api/v1/requests/${id}`)).json;

async function click(env: Env, id: number, actionId: string, opts: { selected?: string; value?: string; user?: string } = {}) {
  const alert = await waitForAlert(env.fake, id);
  const body = blockActionBody({
    actionId,
    ...(opts.selected !== undefined ? { selected: opts.selected } : { value: opts.value ?? String(id) }),
    user: opts.user ?? 'UAGENT001',
    channel: alert.channel,
    messageTs: alert.ts,
    blocks: card(env.fake, alert).blocks ?? [],
    responseUrl: `${env.fake.url}/response/${id}`,
  });
  const res = await postToSlackEvents(env.svc.baseUrl, body, signSlack(body));
  return { res, alert };
}

test('a timed snooze shows on the card, pauses the clocks and wakes once with a note in the thread; two instances scan', async (t) => {
  const fake = await startFakeSlack();
  t.teardown(() => fake.close());
  const sla = { SLA_FIRST_RESPONSE_MINUTES: 'high=600', SLA_BUSINESS_HOURS: '24/7', SLA_SCAN_SECONDS: '1' };
  const a = await startSlackService({ ...FAST, ...sla }, { database: 'postgres', fake });
  t.teardown(a.stop);
  const b = await startSlackService({ ...FAST, ...sla }, { databaseUrl: a.svc.databaseUrl!, fake });
  t.teardown(() => b.svc.service.stop());
  const id = await createTicket(a.svc, { body: 'Invoices are missing VAT [cat=billing conf=0.9 prio=high]' });
  const alert = await waitForAlert(fake, id);
  t.regex(cardText(fake, alert), /Snooze…/);
  const dueBefore = (await a.svc.service.db.sql.query<{ d: Date }>('select first_response_due_at as d from ticket_slas where ticket_id = $1', [id]))[0]!.d;

  // 0.1 min = 6 s (the card's own choices are hours; the value format carries minutes).
  const { res } = await click(a, id, 'ticket_snooze', { selected: `${id}:m:0.1`, user: 'UANN00001' });
  t.is(res.status, 200);
  await waitFor(() => /Snoozed until/.test(cardText(fake, alert)), { timeoutMs: 10_000, what: 'the card shows the snooze' });
  const text = cardText(fake, alert);
  t.regex(text, /Snoozed until <!date\^\d+[^"]*by <@UANN00001>/);
  t.regex(text, /ticket_unsnooze/, 'Unsnooze offered instead of Snooze');
  t.regex(text, /SLA clocks paused while snoozed/);
  const snoozed = await ticketOf(a, id);
  t.is(snoozed.snooze.by, 'slack:UANN00001');
  t.truthy(snoozed.snooze.until);
  const dueSnoozed = (await a.svc.service.db.sql.query<{ d: Date }>('select first_response_due_at as d from ticket_slas where ticket_id = $1', [id]))[0]!.d;
  t.true(new Date(dueSnoozed).getTime() - new Date(dueBefore).getTime() >= 5_000, 'the first-response due time moved by the snooze');

  const note = await waitFor(() => snoozeOver(fake, alert)[0], { timeoutMs: 20_000, what: 'the snooze-over note' });
  t.regex(note.text, /back and needs an agent/);
  await waitFor(() => !snoozeBlock(fake, alert), { timeoutMs: 10_000, what: 'the card without the snooze' });
  t.regex(cardText(fake, alert), /Snooze over/);
  t.is((await ticketOf(a, id)).snooze, null);
  await sleep(2500);
  t.is(snoozeOver(fake, alert).length, 1, 'woken once by two scanning instances');
});

test('"until the customer answers" ends with their follow-up; Unsnooze and Resolve end a snooze; a second click changes nothing', async (t) => {
  const env = await startSlackService(FAST);
  t.teardown(env.stop);
  const id = await createTicket(env.svc, { body: 'Where is my refund? [cat=billing conf=0.9]', requester_email: 'ann@example.com' });
  const alert = await waitForAlert(env.fake, id);

  await click(env, id, 'ticket_snooze', { selected: `${id}:answer` });
  await waitFor(() => /Snoozed until the customer answers/.test(cardText(env.fake, alert)), { timeoutMs: 10_000, what: 'snoozed' });
  await click(env, id, 'ticket_snooze', { selected: `${id}:answer` });
  await sleep(800);
  t.is((cardText(env.fake, alert).match(/Snoozed until the customer answers/g) ?? []).length, 2, 'one card line, one activity line: nothing added');

  const result = await env.svc.service.ingest({ source: 'zendesk', externalId: 'zd-snooze-1', body: 'Any news?', requesterEmail: 'ann@example.com', thread: { ticketId: id } });
  t.is(result.outcome, 'followup');
  await waitFor(() => /Snooze ended: the customer answered/.test(cardText(env.fake, alert)), { timeoutMs: 10_000, what: 'woken by the answer' });
  t.is((await ticketOf(env, id)).snooze, null);
  t.is(snoozeOver(env.fake, alert).length, 0, 'no "snooze over" note: the follow-up itself is in the thread');

  await click(env, id, 'ticket_snooze', { selected: `${id}:m:60` });
  await waitFor(async () => (await ticketOf(env, id)).snooze !== null, { what: 'snoozed again' });
  await click(env, id, 'ticket_unsnooze');
  await waitFor(() => /Unsnoozed by <@UAGENT001>/.test(cardText(env.fake, alert)), { timeoutMs: 10_000, what: 'unsnoozed' });
  t.is((await ticketOf(env, id)).snooze, null);

  await click(env, id, 'ticket_snooze', { selected: `${id}:m:1440` });
  await waitFor(async () => (await ticketOf(env, id)).snooze !== null, { what: 'snoozed a third time' });
  await click(env, id, 'ticket_resolve');
  await waitFor(async () => (await ticketOf(env, id)).status === 'resolved', { what: 'resolved' });
  t.is((await ticketOf(env, id)).snooze, null, 'resolving ends the snooze');
  await waitFor(() => !snoozeBlock(env.fake, alert), { what: 'no snooze line' });
  t.notRegex(cardText(env.fake, alert), /ticket_snooze"|ticket_unsnooze/, 'no Snooze on a resolved ticket');
});

test('choices that are not ours, a snooze too long, and a resolved ticket change nothing; the user is told', async (t) => {
  const env = await startSlackService(FAST);
  t.teardown(env.stop);
  const id = await createTicket(env.svc, { body: 'Password reset mail never arrives [cat=technical conf=0.9]' });
  await waitForAlert(env.fake, id);
  for (const selected of [`${id}:m:0`, `${id}:m:-5`, `${id}:m:abc`, `${id}:later`, 'answer', `${id}:m:99999999`, `${id}:m:999999`, '']) {
    const { res } = await click(env, id, 'ticket_snooze', { selected });
    t.is(res.status, 200, selected);
  }
  await sleep(1000);
  t.is((await ticketOf(env, id)).snooze, null, 'no snooze from a bad choice');
  const told = env.fake.responseUrlCalls.filter((c) => c.path === `/response/${id}`).map((c) => String(c.body.text));
  t.true(told.some((m) => /in the future and at most 90 days from now/.test(m)), told.join(' | '));
  t.true(told.some((m) => /not a snooze choice I know/.test(m)));
  t.is((await click(env, id, 'ticket_snooze', { selected: '999999:m:60' })).res.status, 200);

  await waitFor(() => env.fake.responseUrlCalls.some((c) => /#999999 no longer exists/.test(String(c.body.text))), { what: 'told of the unknown ticket' });

  await click(env, id, 'ticket_resolve');
  await waitFor(async () => (await ticketOf(env, id)).status === 'resolved', { what: 'resolved' });
  await click(env, id, 'ticket_snooze', { selected: `${id}:m:60` });
  await waitFor(() => env.fake.responseUrlCalls.some((c) => /resolved ticket cannot be snoozed/.test(String(c.body.text))), { what: 'told it is resolved' });
  t.is((await ticketOf(env, id)).snooze, null);
  const health = await api(env.svc.baseUrl, '/health');
  t.is(health.status, 200, 'still serving');
  t.is(health.json.checks.slack.status, 'ok', 'a refused choice is an answer, not a Slack failure');
});

test('Slack down when the snooze ends: the note waits and is posted once Slack is back', async (t) => {
  const env = await startSlackService(FAST);
  t.teardown(env.stop);
  const id = await createTicket(env.svc, { body: 'Two-factor codes arrive late [cat=technical conf=0.9]' });
  const alert = await waitForAlert(env.fake, id);
  await click(env, id, 'ticket_snooze', { selected: `${id}:m:0.05` }); // 3 s
  await waitFor(async () => (await ticketOf(env, id)).snooze !== null, { what: 'snoozed' });
  env.fake.setOutage({ kind: 'http_500' });
  await waitFor(async () => (await ticketOf(env, id)).snooze === null, { timeoutMs: 15_000, what: 'woken while Slack is down' });
  await sleep(3000);
  t.is(snoozeOver(env.fake, alert).length, 0, 'nothing could be posted');
  env.fake.setOutage(undefined);
  await waitFor(() => snoozeOver(env.fake, alert)[0], { timeoutMs: 60_000, what: 'the note after the outage' });
  await sleep(2500);
  t.is(snoozeOver(env.fake, alert).length, 1, 'posted once');
});

test('a snooze set and ended through the REST API edits the card too', async (t) => {
  const env = await startSlackService(FAST);
  t.teardown(env.stop);
  const id = await createTicket(env.svc, { body: 'The invoice PDF is blank [cat=billing conf=0.9]' });
  const alert = await waitForAlert(env.fake, id);
  const until = new Date(Date.now() + 3_600_000).toISOString();
  t.is((await api(env.svc.baseUrl, `/api/v1/requests/${id}`, { method: 'PATCH', json: { snooze: { until } } })).status, 200);
  await waitFor(() => snoozeBlock(env.fake, alert), { timeoutMs: 10_000, what: 'the card shows the snooze' });
  t.regex(JSON.stringify(snoozeBlock(env.fake, alert)), /Snoozed until <!date\^\d+[^"]* by api/);
  t.is((await api(env.svc.baseUrl, `/api/v1/requests/${id}`, { method: 'PATCH', json: { snooze: null } })).status, 200);
  await waitFor(() => !snoozeBlock(env.fake, alert), { timeoutMs: 10_000, what: 'the card without the snooze' });
  t.regex(cardText(env.fake, alert), /Unsnoozed by api/);
});
