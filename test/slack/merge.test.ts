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
import { createTicket, startSlackService, waitForAlert } from './harness.ts';

/** Every message of the app in Slack, as a person reads it. */
const snapshot = (fake: FakeSlack) =>
  fake.messages.map((m: FakeMessage) => ({ channel: m.channel, ts: m.ts, thread_ts: m.thread_ts, text: m.text, blocks: JSON.stringify(m.blocks ?? []) }));
const actionIds = (m: FakeMessage) => (m.blocks ?? []).flatMap((b: any) => b.elements ?? []).map((e: any) => e.action_id).filter(Boolean);

test.serial('merge posts a note in both threads and marks the card; undo leaves both threads exactly as before', async (t) => {
  const env = await startSlackService();
  t.teardown(env.stop);
  const email = 'hana@customer.example';
  const source = await createTicket(env.svc, { subject: 'Sync stopped', body: 'Calendar sync stopped [cat=technical conf=0.9]', requester_email: email });
  const target = await createTicket(env.svc, { subject: 'Sync broken', body: 'Calendar sync is broken [cat=technical conf=0.9]', requester_email: email });
  const sourceAlert = await waitForAlert(env.fake, source);
  const targetAlert = await waitForAlert(env.fake, target);
  await env.svc.service.ingest({ source: 'api', externalId: 'merge-fu-1', body: 'It also fails on mobile', requesterEmail: email, thread: { ticketId: source } });
  await waitFor(() => env.fake.threadReplies(sourceAlert.channel, sourceAlert.ts)[0], { what: 'the follow-up in the thread' });
  // Quiet: the cards' own edits (customer lines, clocks) are done before the picture is taken.
  await new Promise((r) => setTimeout(r, 2500));
  const before = snapshot(env.fake);
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
  t.deepEqual(actionIds(card), [], 'a merged card offers no buttons');

  const undone = await api(env.svc.baseUrl, `/api/v1/requests/${source}/merge`, { method: 'DELETE' });
  t.is(undone.status, 200, undone.text);
  await waitFor(() => (JSON.stringify(snapshot(env.fake)) === JSON.stringify(before) ? true : undefined), { timeoutMs: 20_000, what: 'both threads as before the merge' });
  t.deepEqual(snapshot(env.fake), before);
  t.is(env.fake.callsTo('chat.delete').length, 2, 'the two notes deleted');
});

test.serial('a merge undone before its notes were posted leaves no note', async (t) => {
  const env = await startSlackService();
  t.teardown(env.stop);
  const email = 'ivo@customer.example';
  const source = await createTicket(env.svc, { body: 'Cannot upload files [cat=technical conf=0.9]', requester_email: email });
  const target = await createTicket(env.svc, { body: 'Upload fails with 500 [cat=technical conf=0.9]', requester_email: email });
  const sourceAlert = await waitForAlert(env.fake, source);
  const targetAlert = await waitForAlert(env.fake, target);
  await new Promise((r) => setTimeout(r, 2500));
  const before = snapshot(env.fake);
  // Slack refuses posts for a while: the notes wait, and the undo comes first.
  env.fake.failNext('chat.postMessage', { kind: 'rate_limited', retryAfter: 3 });
  t.is((await api(env.svc.baseUrl, `/api/v1/requests/${source}/merge`, { method: 'POST', json: { into: target } })).status, 200);
  t.is((await api(env.svc.baseUrl, `/api/v1/requests/${source}/merge`, { method: 'DELETE' })).status, 200);
  await new Promise((r) => setTimeout(r, 8000));
  t.deepEqual(env.fake.threadReplies(sourceAlert.channel, sourceAlert.ts), []);
  t.deepEqual(env.fake.threadReplies(targetAlert.channel, targetAlert.ts), []);
  t.deepEqual(snapshot(env.fake), before);
  const notes = env.fake.callsTo('chat.postMessage').filter((c) => JSON.stringify(c.params).includes('merge:'));
  t.deepEqual(notes, [], 'not posted and deleted: never posted');
});
