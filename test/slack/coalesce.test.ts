/**
 * Card edits coalesce: many changes of one ticket made outside Slack become one edit (or very few) with the
 * ticket's final state and every change in the card's activity; two instances never leave an older card.
 */
import test from 'ava';
import { api } from '../kit/service.ts';
import { startFakeSlack } from '../kit/fake-slack.ts';
import { waitFor } from '../kit/wait.ts';
import { createTicket, startSlackService, waitForAlert } from './harness.ts';

const cardOf = (fake: { messages: Array<{ channel: string; ts: string; blocks: unknown; edited: number }> }, a: { channel: string; ts: string }) =>
  fake.messages.find((m) => m.channel === a.channel && m.ts === a.ts)!;

test.serial('ten changes to one ticket in a row: one or two edits, and the final card shows the final state with every change', async (t) => {
  const fake = await startFakeSlack();
  fake.enforceLimits();
  const env = await startSlackService({}, { fake });
  t.teardown(async () => { await env.stop(); await fake.close(); });
  const id = await createTicket(env.svc, { body: 'Invoice shows the wrong company name [cat=billing conf=0.9]' });
  const alert = await waitForAlert(env.fake, id);
  const patch = (json: Record<string, unknown>) => api(env.svc.baseUrl, `/api/v1/requests/${id}`, { method: 'PATCH', json });
  const steps: Array<Record<string, unknown>> = [
    { status: 'acknowledged' }, { assignee: 'UANN00001' }, { assignee: 'UBOB00001' }, { status: 'open' },
    { assignee: 'UCARLA001' }, { status: 'acknowledged' }, { assignee: null }, { assignee: 'UDAN00001' },
    { status: 'open' }, { status: 'resolved' },
  ];
  for (const step of steps) t.is((await patch(step)).status, 200, JSON.stringify(step));
  await waitFor(() => JSON.stringify(cardOf(env.fake, alert).blocks).includes('Resolved'), { timeoutMs: 60_000, what: 'the resolved card' });
  // Quiet for a while: nothing else is sent.
  await waitFor(async () => (await env.svc.service.db.sql.query('select 1 from slack_card_refreshes')).length === 0, { timeoutMs: 60_000, what: 'no edit pending' });
  await new Promise((r) => setTimeout(r, 3000));
  const edits = env.fake.callsTo('chat.update').filter((c) => c.params.ts === alert.ts && !env.fake.limited.includes(c));
  t.true(edits.length >= 1 && edits.length <= 3, `${edits.length} edits for ${steps.length} changes`);
  const card = JSON.stringify(cardOf(env.fake, alert).blocks);
  t.true(card.includes('*Status*\\nresolved'), 'final status on the card');
  t.true(card.includes('UDAN00001'), 'final assignee on the card');
  // Every change is in the card's activity, in order.
  const lines = [...card.matchAll(/activity_\d+","elements":\[\{"type":"mrkdwn","text":"([^"]*)"/g)].map((m) => m[1]!);
  t.is(lines.length, steps.length, lines.join('\n'));
  t.regex(lines.at(-1)!, /Resolved/);
  t.deepEqual(env.fake.limited, [], 'no call beyond Slack\'s limits');
});

test.serial('two instances, changes to one ticket through both: the last edit shows the ticket as it ended', async (t) => {
  const fake = await startFakeSlack();
  t.teardown(() => fake.close());
  const a = await startSlackService({}, { database: 'postgres', fake });
  t.teardown(a.stop);
  const id = await createTicket(a.svc, { body: 'Cannot export the report [cat=technical conf=0.9]' });
  const alert = await waitForAlert(fake, id);
  const b = await startSlackService({}, { databaseUrl: a.svc.databaseUrl!, fake });
  t.teardown(() => b.svc.service.stop());
  const patch = (svc: typeof a.svc, json: Record<string, unknown>) => api(svc.baseUrl, `/api/v1/requests/${id}`, { method: 'PATCH', json });
  for (let i = 0; i < 6; i += 1) {
    t.is((await patch(i % 2 ? b.svc : a.svc, { assignee: `UAGENT00${i}` })).status, 200);
    await new Promise((r) => setTimeout(r, 400 + 300 * (i % 3)));
  }
  t.is((await patch(b.svc, { status: 'acknowledged' })).status, 200);
  await waitFor(async () => (await a.svc.service.db.sql.query('select 1 from slack_card_refreshes')).length === 0, { timeoutMs: 60_000, what: 'no edit pending' });
  await new Promise((r) => setTimeout(r, 2000));
  const card = JSON.stringify(cardOf(fake, alert).blocks);
  t.true(card.includes('*Status*\\nacknowledged'), card);
  t.true(card.includes('UAGENT005'), 'the last assignee');
});

test.serial('two edits of one card at once (the queue let both through): the older one, landing last, does not hide the newer change', async (t) => {
  const fake = await startFakeSlack();
  const env = await startSlackService({}, { fake });
  t.teardown(async () => { await env.stop(); await fake.close(); });
  const id = await createTicket(env.svc, { body: 'Password reset mail never arrives [cat=technical conf=0.9]' });
  const alert = await waitForAlert(env.fake, id);
  const patch = (json: Record<string, unknown>) => api(env.svc.baseUrl, `/api/v1/requests/${id}`, { method: 'PATCH', json });
  const updates = () => env.fake.callsTo('chat.update').filter((c) => c.params.ts === alert.ts).length;
  // The first edit is held on its way to Slack.
  env.fake.failNext('chat.update', { kind: 'held' });
  t.is((await patch({ status: 'acknowledged' })).status, 200);
  await waitFor(() => env.fake.heldCount === 1, { timeoutMs: 30_000, what: 'the first edit held' });
  // A second change, and a second refresh job of the same ticket outside its group: two edits at once, as when
  // two workers (or two instances) fetch the ticket's jobs in the same moment.
  t.is((await patch({ assignee: 'UERIN0001' })).status, 200);
  await env.svc.service.queue.send('slack-card-refresh', { ticketId: id });
  await new Promise((r) => setTimeout(r, 4000));
  env.fake.releaseHeld();
  await waitFor(async () => (await env.svc.service.db.sql.query('select 1 from slack_card_refreshes')).length === 0, { timeoutMs: 60_000, what: 'no edit pending' });
  await new Promise((r) => setTimeout(r, 3000));
  const card = JSON.stringify(cardOf(env.fake, alert).blocks);
  t.true(card.includes('*Status*\\nacknowledged'), card);
  const lines = [...card.matchAll(/activity_\d+","elements":\[\{"type":"mrkdwn","text":"([^"]*)"/g)].map((m) => m[1]!);
  t.is(lines.length, 2, `both changes in the card's activity after ${updates()} edits:\n${lines.join('\n')}`);
  t.regex(lines.at(-1)!, /UERIN0001/);
});
