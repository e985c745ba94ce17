/**
 * A merge in Slack: each thread gets a note linking the other ticket, the merged ticket's card says where it
 * went and offers no buttons; undo deletes the notes and renders the card as it was, so both threads read
 * exactly as before (compared message by message: text and blocks). A merge undone before its notes were
 * posted leaves no note at all.
 */
import test from 'ava';
import { api } from '../kit/service.ts';
import { waitFor } from '../kit/wait.ts';
import type { FakeMessage, FakeSlack } from '../kit/fake-slack.ts';
import { signSlack as sign } from '../kit/signing.ts';
import { blockActionBody, createTicket, postToSlackEvents, startSlackService, viewSubmissionBody, waitForAlert, type SlackTestEnv } from './harness.ts';

/** Every message of the app in Slack, as a person reads it. */
const snapshot = (fake: FakeSlack) =>
  fake.messages.map((m: FakeMessage) => ({ channel: m.channel, ts: m.ts, thread_ts: m.thread_ts ?? null, text: m.text, blocks: JSON.stringify(m.blocks ?? []) }));
/** The snapshot once nothing changed for 2 s (the cards' own edits after an alert are done), within 30 s. */
async function quietSnapshot(fake: FakeSlack) {
  let last = JSON.stringify(snapshot(fake));
  for (const started = Date.now(); Date.now() - started < 30_000;) {
    await new Promise((r) => setTimeout(r, 2000));
    const now = JSON.stringify(snapshot(fake));
    if (now === last) break;
    last = now;
  }
  return JSON.parse(last) as ReturnType<typeof snapshot>;
}
const actionIds = (m: FakeMessage) => (m.blocks ?? []).flatMap((b: any) => b.elements ?? []).map((e: any) => e.action_id).filter(Boolean);
const card = (fake: FakeSlack, ts: string) => fake.messages.find((m) => m.ts === ts)!;

async function click(env: SlackTestEnv, message: FakeMessage, actionId: string, value: string) {
  const body = blockActionBody({ actionId, value, channel: message.channel, messageTs: message.ts, blocks: message.blocks ?? [], responseUrl: `${env.fake.url}/response/merge`, user: 'UAGENT001' });
  return postToSlackEvents(env.svc.baseUrl, body, sign(body));
}

/** The merge modal submitted with a number typed (and the box ticked: across customers). */
async function submitMerge(env: SlackTestEnv, view: Record<string, any>, typed: string, across = false) {
  const body = new URLSearchParams(viewSubmissionBody({ view, text: typed }));
  const payload = JSON.parse(body.get('payload')!);
  payload.view.state.values.merge_target.merge_target_input.type = 'number_input';
  if (across) payload.view.state.values.merge_across = { merge_across_input: { type: 'checkboxes', selected_options: [{ value: 'across', text: { type: 'plain_text', text: 'Merge anyway' } }] } };
  body.set('payload', JSON.stringify(payload));
  return postToSlackEvents(env.svc.baseUrl, body.toString(), sign(body.toString()));
}

test.serial('merge posts a note in both threads and marks the card; undo leaves both threads exactly as before', async (t) => {
  const env = await startSlackService();
  t.teardown(env.stop);
  const email = 'hana@customer.example';
  // The target first: the source's card, drawn when it is alerted and again after the undo, lists it both times.
  const target = await createTicket(env.svc, { subject: 'Sync broken', body: 'Calendar sync is broken [cat=technical conf=0.9]', requester_email: email });
  const targetAlert = await waitForAlert(env.fake, target);
  const source = await createTicket(env.svc, { subject: 'Sync stopped', body: 'Calendar sync stopped [cat=technical conf=0.9]', requester_email: email });
  const sourceAlert = await waitForAlert(env.fake, source);
  await env.svc.service.ingest({ source: 'api', externalId: 'merge-fu-1', body: 'It also fails on mobile', requesterEmail: email, thread: { ticketId: source } });
  await waitFor(() => env.fake.threadReplies(sourceAlert.channel, sourceAlert.ts)[0], { what: 'the follow-up in the thread' });
  const before = await quietSnapshot(env.fake);
  t.true(actionIds(sourceAlert).length > 0);

  const res = await api(env.svc.baseUrl, `/api/v1/requests/${source}/merge`, { method: 'POST', json: { into: target } });
  t.is(res.status, 200, res.text);
  const sourceNote = await waitFor(() => env.fake.threadReplies(sourceAlert.channel, sourceAlert.ts).find((m) => m.text.includes('Merged into')), { what: 'the note in the source thread' });
  t.true(sourceNote.text.includes(`|ticket #${target}>`), sourceNote.text);
  const targetNote = await waitFor(() => env.fake.threadReplies(targetAlert.channel, targetAlert.ts).find((m) => m.text.includes('was merged into this ticket')), { what: 'the note in the target thread' });
  t.true(targetNote.text.includes(`|ticket #${source}>`) && targetNote.text.includes('Sync stopped'), targetNote.text);
  const card = await waitFor(() => {
    const m = env.fake.messages.find((x) => x.ts === sourceAlert.ts);
    return m && JSON.stringify(m.blocks).includes('Merged into') ? m : undefined;
  }, { what: 'the merged card' });
  t.deepEqual(actionIds(card), ['ticket_unmerge'], 'a merged card offers only Undo merge');

  const undone = await api(env.svc.baseUrl, `/api/v1/requests/${source}/merge`, { method: 'DELETE' });
  t.is(undone.status, 200, undone.text);
  await waitFor(() => (JSON.stringify(snapshot(env.fake)) === JSON.stringify(before) ? true : undefined), { timeoutMs: 60_000, what: 'both threads as before the merge' })
    .catch(() => undefined); // the comparison below shows what differs
  t.deepEqual(snapshot(env.fake), before);
  t.is(env.fake.callsTo('chat.delete').length, 2, 'the two notes deleted');
});

test.serial('a merge undone before its notes were posted leaves no note', async (t) => {
  const env = await startSlackService();
  t.teardown(env.stop);
  const email = 'ivo@customer.example';
  const target = await createTicket(env.svc, { body: 'Upload fails with 500 [cat=technical conf=0.9]', requester_email: email });
  const targetAlert = await waitForAlert(env.fake, target);
  const source = await createTicket(env.svc, { body: 'Cannot upload files [cat=technical conf=0.9]', requester_email: email });
  const sourceAlert = await waitForAlert(env.fake, source);
  const before = await quietSnapshot(env.fake);
  // Slack refuses posts for a while: the notes wait, and the undo comes first.
  env.fake.failNext('chat.postMessage', { kind: 'rate_limited', retryAfter: 3 });
  t.is((await api(env.svc.baseUrl, `/api/v1/requests/${source}/merge`, { method: 'POST', json: { into: target } })).status, 200);
  t.is((await api(env.svc.baseUrl, `/api/v1/requests/${source}/merge`, { method: 'DELETE' })).status, 200);
  await new Promise((r) => setTimeout(r, 8000));
  await waitFor(() => (JSON.stringify(snapshot(env.fake)) === JSON.stringify(before) ? true : undefined), { timeoutMs: 30_000, what: 'the card drawn again' }).catch(() => undefined);
  t.deepEqual(env.fake.threadReplies(sourceAlert.channel, sourceAlert.ts), []);
  t.deepEqual(env.fake.threadReplies(targetAlert.channel, targetAlert.ts), []);
  t.deepEqual(snapshot(env.fake), before);
  const notes = env.fake.callsTo('chat.postMessage').filter((c) => JSON.stringify(c.params).includes('merge:'));
  t.deepEqual(notes, [], 'not posted and deleted: never posted');
});

test.serial('from the card: Merge… opens the modal, refusals show on its field, Undo merge on the merged card restores it', async (t) => {
  const env = await startSlackService();
  t.teardown(env.stop);
  const source = await createTicket(env.svc, { body: 'Dark mode is unreadable [cat=technical conf=0.9]', requester_email: 'jan@customer.example' });
  const target = await createTicket(env.svc, { body: 'Dark mode colours are wrong [cat=technical conf=0.9]', requester_email: 'jan@customer.example' });
  const stranger = await createTicket(env.svc, { body: 'Dark mode broken for me too [cat=technical conf=0.9]', requester_email: 'kai@else.example' });
  const sourceAlert = await waitForAlert(env.fake, source);
  await waitForAlert(env.fake, target);
  await waitForAlert(env.fake, stranger);
  t.true(actionIds(sourceAlert).includes('ticket_merge'));

  const opened = env.fake.views.length;
  t.is((await click(env, sourceAlert, 'ticket_merge', String(source))).status, 200);
  const view = (await waitFor(() => env.fake.views[opened], { what: 'views.open' })).view;
  t.is(view.callback_id, 'ticket_merge_modal');

  for (const [typed, why] of [['abc', /by its number/], [String(source), /itself/], ['999999', /not found/], [String(stranger), /different customers: tick "Merge anyway"/]] as const) {
    const res = await submitMerge(env, view, typed);
    t.is(res.json?.response_action, 'errors', typed);
    t.regex(res.json.errors.merge_target, why);
  }
  t.is((await api(env.svc.baseUrl, `/api/v1/requests/${source}`)).json.merged_into_id, null, 'nothing merged by a refusal');

  const ok = await submitMerge(env, view, `#${target}`);
  t.is(ok.status, 200);
  t.falsy(ok.json?.response_action);
  t.is((await api(env.svc.baseUrl, `/api/v1/requests/${source}`)).json.merged_into_id, target);
  const merged = await waitFor(() => (actionIds(card(env.fake, sourceAlert.ts)).includes('ticket_unmerge') ? card(env.fake, sourceAlert.ts) : undefined), { what: 'the merged card' });
  t.true(JSON.stringify(merged.blocks).includes(`ticket #${target}`));

  t.is((await click(env, merged, 'ticket_unmerge', String(source))).status, 200);
  await waitFor(async () => ((await api(env.svc.baseUrl, `/api/v1/requests/${source}`)).json.merged_into_id === null ? true : undefined), { what: 'the merge undone' });
  await waitFor(() => (actionIds(card(env.fake, sourceAlert.ts)).includes('ticket_merge') ? true : undefined), { what: 'the card with its buttons again' });
  // Across customers only with the box ticked.
  const again = env.fake.views.length;
  await click(env, card(env.fake, sourceAlert.ts), 'ticket_merge', String(source));
  const second = (await waitFor(() => env.fake.views[again], { what: 'views.open' })).view;
  t.falsy((await submitMerge(env, second, String(stranger), true)).json?.response_action);
  t.is((await api(env.svc.baseUrl, `/api/v1/requests/${source}`)).json.merged_into_id, stranger);
});

test.serial('a split notes it in the original thread, and the new ticket gets an alert of its own', async (t) => {
  const env = await startSlackService();
  t.teardown(env.stop);
  const email = 'lea@customer.example';
  const original = await createTicket(env.svc, { body: 'Search is slow [cat=technical conf=0.9]', requester_email: email });
  const alert = await waitForAlert(env.fake, original);
  const fu = await env.svc.service.ingest({ source: 'api', body: 'Also I was charged twice [cat=billing conf=0.9]', requesterEmail: email, thread: { ticketId: original } });
  const res = await api(env.svc.baseUrl, `/api/v1/requests/${original}/split`, { method: 'POST', json: { message_ids: [fu.messageId] } });
  t.is(res.status, 201, res.text);
  const made = res.json.ticket_id as number;
  const note = await waitFor(() => env.fake.threadReplies(alert.channel, alert.ts).find((m) => m.text.includes('split out into')), { what: 'the split note' });
  t.true(note.text.includes(`1 message split out into <https://triage.example.com/api/v1/requests/${made}|ticket #${made}>`), note.text);
  const fresh = await waitForAlert(env.fake, made);
  t.true(fresh.text.includes('charged twice'));
  t.is(fresh.channel, 'CBILL0001', 'classified and routed like any new ticket');
});
