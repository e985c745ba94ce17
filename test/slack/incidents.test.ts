/**
 * Incidents in Slack, through the real service and a fake Slack: a flood of one problem gives the first
 * tickets their own cards (which then say "part of incident #N") and the rest one incident card, edited less
 * often than tickets join, at most one edit waiting (tickets of another problem keep their cards); a
 * follow-up of a ticket without a card of its own goes to the incident's thread; Take out gives a ticket its
 * own card back; Resolve all resolves every open ticket; Close ends the grouping; Reply to all reaches every
 * open ticket's customer once, personalised, across two instances and a job run again after a crash (and not a
 * customer whose ticket joined after it was sent).
 */
import test from 'ava';
import { INCIDENT_REPLY_QUEUE, SLACK_QUEUES } from '../../src/db/queue-registry.ts';
import { startFakeHelpdesk } from '../kit/fake-helpdesk.ts';
import type { FakeMessage, FakeSlack } from '../kit/fake-slack.ts';
import { api, startTestService } from '../kit/service.ts';
import { signSlack as sign } from '../kit/signing.ts';
import { waitFor } from '../kit/wait.ts';
import { alertsFor, blockActionBody, createTicket, postToSlackEvents, scriptedClassifier, startSlackService, viewSubmissionBody, waitForAlert, type SlackTestEnv } from './harness.ts';
import { slackEnv } from '../kit/slack.ts';
import { startFakeSlack } from '../kit/fake-slack.ts';

const ON = { INCIDENTS_ENABLED: 'true', INCIDENT_MIN_TICKETS: '3' };
const NAMES = ['Ana', 'Ben', 'Chloe', 'Dev', 'Eli', 'Fay', 'Gus', 'Hana', 'Ivo', 'Jun'];
const GREETINGS = ['Hi,', 'Hello team,', 'Good morning,'];

/** One customer's words about the login outage: their own greeting, name and account number. */
function outage(i: number, tag: string) {
  const name = NAMES[i % NAMES.length]!;
  return {
    subject: 'Cannot log in to the dashboard',
    body: `${GREETINGS[i % 3]} since this morning I cannot log in to the dashboard: the login page shows an error 500 after I enter my password and nothing loads at all. My account number is ${4000 + i}. Thanks, ${name} [cat=technical conf=0.9]`,
    requester_email: `${name.toLowerCase()}.${tag}${i}@customer${i}.example`,
    requester_name: `${name} Example`,
  };
}
const unrelated = {
  subject: 'Invoice export columns',
  body: 'The CSV export of our invoices puts the tax column before the amount since your update last week, which breaks our accounting import. Could you restore the old order? [cat=technical conf=0.9]',
  requester_email: 'olga@accounting.example',
};

const incidentCards = (fake: FakeSlack) => fake.messages.filter((m) => m.metadata?.event_type === 'support_incident');
const text = (m: FakeMessage) => JSON.stringify(m.blocks ?? []);
const actionIds = (m: FakeMessage) => (m.blocks ?? []).flatMap((b: any) => b.elements ?? []).map((e: any) => e.action_id).filter(Boolean);
const status = async (env: SlackTestEnv, id: number) => (await api(env.svc.baseUrl, `/api/v1/requests/${id}`)).json.status as string;

async function click(env: SlackTestEnv, card: FakeMessage, opts: { actionId: string; value?: string; selected?: string }) {
  const body = blockActionBody({ ...opts, channel: card.channel, messageTs: card.ts, blocks: card.blocks ?? [], responseUrl: `${env.fake.url}/response/incident` });
  const res = await postToSlackEvents(env.svc.baseUrl, body, sign(body));
  if (res.status !== 200) throw new Error(`click ${opts.actionId}: ${res.status} ${res.text}`);
}

/** The incident card once it shows `n` customers. */
const cardShowing = (fake: FakeSlack, n: number, what = `the incident card with ${n} customers`) =>
  waitFor(() => incidentCards(fake).find((m) => text(m).includes(`Incident: ${n} customers`)), { timeoutMs: 30_000, what });

async function flood(env: SlackTestEnv, n: number, tag: string): Promise<number[]> {
  const ids: number[] = [];
  for (let i = 0; i < n; i++) ids.push(await createTicket(env.svc, outage(i, tag)));
  return ids;
}

test.serial('a flood: the first tickets keep their cards, the rest are one incident card; another problem keeps its own', async (t) => {
  const env = await startSlackService(ON);
  t.teardown(env.stop);
  const ids = await flood(env, 8, 'a');
  const other = await createTicket(env.svc, unrelated);
  await waitForAlert(env.fake, other);
  const card = await cardShowing(env.fake, 8);
  t.regex(text(card), /Cannot log in to the dashboard/);
  t.regex(text(card), /8 tickets, 8 open/);
  t.deepEqual(actionIds(card), ['incident_reply_all', 'incident_resolve_all', 'incident_close', 'incident_take_out']);
  // Two tickets keep their cards: which ones is the classify workers' order (four at once), not always the
  // ids' order. Then quiet for a moment: no card of their own came for the tickets on the incident's card.
  await waitFor(() => (ids.filter((id) => alertsFor(env.fake, id).length).length >= 2 ? true : undefined), { what: 'the two first cards' });
  await new Promise((r) => setTimeout(r, 2500));
  const withCards = ids.filter((id) => alertsFor(env.fake, id).length > 0);
  t.is(withCards.length, 2, 'the two tickets grouped before the incident opened keep their own cards');
  t.deepEqual(withCards.map((id) => alertsFor(env.fake, id).length), [1, 1]);
  // The first tickets' own cards say they are part of it; the other problem's card does not.
  const incidentNo = /incident_(\d+)/.exec(text(card))![1];
  await waitFor(() => (withCards.every((id) => text(alertsFor(env.fake, id)[0]!).includes(`part of incident #${incidentNo}`)) ? true : undefined), { what: 'the first cards naming the incident' });
  t.false(text(alertsFor(env.fake, other)[0]!).includes('part of incident'));
  t.is(incidentCards(env.fake).length, 1, 'one incident card');
  t.true(env.fake.callsTo('chat.update').length < ids.length, 'the card was edited less often than tickets joined');
  // At most one edit of an incident's card waits to run: a second asks for nothing more.
  const later = { startAfter: new Date(Date.now() + 60_000), singletonKey: 'incident:424242', group: 'incident:424242' };
  t.truthy(await env.svc.service.queue.send(SLACK_QUEUES.incidentCard, { incidentId: 424242 }, later));
  t.is(await env.svc.service.queue.send(SLACK_QUEUES.incidentCard, { incidentId: 424242 }, later), null);
  const members = await env.svc.service.db.sql.query<{ id: number; incident_id: number | null }>('select id, incident_id from tickets order by id');
  t.deepEqual(members.map((r) => r.incident_id !== null), [...ids.map(() => true), false], 'every flood ticket is in it, the other one is not');

  // A customer of the incident without a card of their own writes again: the follow-up goes to the incident's thread.
  const carded = new Set(withCards);
  const i = ids.findIndex((id) => !carded.has(id));
  await env.svc.service.ingest({ source: 'api', externalId: 'inc-fu-1', body: 'Still broken for me, any news?', requesterEmail: outage(i, 'a').requester_email, thread: { ticketId: ids[i]! } });
  const fu = await waitFor(() => env.fake.threadReplies(card.channel, card.ts).find((m) => m.text.includes('Still broken for me')), { what: 'the follow-up in the incident thread' });
  t.truthy(fu);
});

test.serial('Take out gives a ticket its own card; Resolve all resolves the open ones; Close ends the grouping', async (t) => {
  const env = await startSlackService(ON);
  t.teardown(env.stop);
  const ids = await flood(env, 6, 'b');
  let card = await cardShowing(env.fake, 6);
  // A ticket shown only on the incident's card (the two grouped first keep their own).
  await waitFor(() => (ids.filter((id) => alertsFor(env.fake, id).length).length === 2 ? true : undefined), { what: 'the two first cards' });
  const out = ids.filter((id) => !alertsFor(env.fake, id).length).at(-1)!;

  await click(env, card, { actionId: 'incident_take_out', selected: `${/incident_(\d+)/.exec(text(card))![1]}:${out}` });
  const own = await waitForAlert(env.fake, out, 30_000);
  t.false(text(own).includes('part of incident'), 'the ticket taken out is a ticket of its own');
  card = await cardShowing(env.fake, 5, 'the card without the ticket taken out');
  t.false(text(card).includes(`#${out} `), 'the ticket taken out is not listed');

  await click(env, card, { actionId: 'incident_resolve_all', value: /incident_(\d+)/.exec(text(card))![1] });
  await waitFor(async () => ((await Promise.all(ids.filter((id) => id !== out).map((id) => status(env, id)))).every((s) => s === 'resolved') ? true : undefined), { what: 'every ticket of the incident resolved' });
  t.is(await status(env, out), 'open', 'the ticket taken out is left alone');
  await waitFor(() => (text(incidentCards(env.fake)[0]!).includes('5 tickets, 0 open') ? true : undefined), { what: 'the card counting none open' });

  await click(env, incidentCards(env.fake)[0]!, { actionId: 'incident_close', value: /incident_(\d+)/.exec(text(card))![1] });
  const closed = await waitFor(() => incidentCards(env.fake).find((m) => text(m).includes('Incident closed')), { what: 'the closed card' });
  t.deepEqual(actionIds(closed), [], 'a closed incident offers no actions');
  // The problem goes on: a new report is a ticket with its own card again.
  const later = await createTicket(env.svc, outage(7, 'b'));
  await waitForAlert(env.fake, later, 30_000);
  t.is(incidentCards(env.fake).length, 1);
});

test.serial('Reply to all: each open ticket\'s customer gets it once, personalised, across two instances and a job run again', async (t) => {
  const hooks = await startFakeHelpdesk();
  hooks.route('POST', /^\/replies$/, { status: 200, json: {} });
  t.teardown(() => hooks.close());
  const fake = await startFakeSlack();
  t.teardown(() => fake.close());
  const envVars = { ...slackEnv(fake), ...ON, PUBLIC_URL: 'https://triage.example.com', API_REPLY_WEBHOOK_URL: `${hooks.url}/replies`, API_REPLY_WEBHOOK_SECRET: 'incident-secret' };
  const first = await startTestService(envVars, { classifier: scriptedClassifier(), database: 'postgres' });
  t.teardown(() => first.stop());
  const second = await startTestService(envVars, { classifier: scriptedClassifier(), databaseUrl: first.databaseUrl! });
  t.teardown(() => second.stop());
  const env = { fake, svc: first, stop: async () => undefined } as SlackTestEnv;
  const ids = await flood(env, 5, 'c');
  const card = await cardShowing(fake, 5);
  // One customer's ticket is resolved already: it gets no reply.
  t.is((await api(first.baseUrl, `/api/v1/requests/${ids[3]}`, { method: 'PATCH', json: { status: 'resolved' } })).status, 200);

  await click(env, card, { actionId: 'incident_reply_all', value: /incident_(\d+)/.exec(text(card))![1] });
  const modal = await waitFor(() => fake.views.find((v) => v.view.callback_id === 'incident_reply_modal'), { what: 'the reply-to-all modal' });
  const typed = 'Hi {name}, we know about the login errors and are fixing them now.';
  // Slack delivers the submission twice, to both instances.
  for (const svc of [first, second]) {
    const body = viewSubmissionBody({ view: modal.view, text: typed, viewId: 'VINCIDENT1' });
    const res = await postToSlackEvents(svc.baseUrl, body, sign(body));
    t.is(res.status, 200, res.text);
  }
  const open = [0, 1, 2, 4].map((i) => ids[i]!);
  const repliesTo = (id: number) => hooks.calls.filter((c) => c.json?.type === 'reply' && c.json.ticket_id === id);
  await waitFor(() => (open.every((id) => repliesTo(id).length > 0) ? true : undefined), { timeoutMs: 30_000, what: 'a reply to every open ticket' });
  t.is(repliesTo(open[1]!)[0]!.json.text, 'Hi Ben, we know about the login errors and are fixing them now.');

  // A customer who writes after the reply was sent joins the incident; the job run again, as after a crash
  // between storing the replies and finishing the job, stores nothing new: not for them (the reply was not
  // written for them), not again for the others.
  const [queued] = await first.service.db.sql.query<{ data: Record<string, unknown> }>(`select data from pgboss.job where name = $1 order by created_on limit 1`, [INCIDENT_REPLY_QUEUE]);
  t.deepEqual(queued!.data.ticketIds, open, 'the job names the tickets open when it was sent');
  const late = await createTicket(env.svc, outage(6, 'c'));
  await waitFor(async () => ((await first.service.db.sql.query<{ incident_id: number | null }>('select incident_id from tickets where id = $1', [late]))[0]?.incident_id ? true : undefined), { what: 'the late ticket in the incident' });
  const again = await second.service.queue.send(INCIDENT_REPLY_QUEUE, queued!.data);
  await waitFor(async () => ((await second.service.db.sql.query<{ state: string }>('select state from pgboss.job where id = $1', [again]))[0]?.state === 'completed' ? true : undefined), { what: 'the job run again' });
  await new Promise((r) => setTimeout(r, 3000));
  t.deepEqual(open.map((id) => repliesTo(id).length), open.map(() => 1), 'each open ticket answered once');
  t.deepEqual(repliesTo(late), [], 'a ticket that joined afterwards is not answered');
  t.deepEqual(repliesTo(ids[3]!), [], 'the resolved ticket is not answered');
});
