/**
 * A Slack message on its way while its ticket is erased: the note naming the customer was sent to Slack before
 * the erasure and Slack answered after it, so no redaction job knew of it. It must not stay: the poster sees
 * the erasure when it records the message and redacts it (anonymise: the redacted text; delete: gone). A
 * change after the erasure does not draw the card again over its redacted line, and an alert not posted yet when
 * its ticket is erased is never posted.
 */
import test from 'ava';
import { api } from '../kit/service.ts';
import { waitFor } from '../kit/wait.ts';
import { waitForAlert } from '../slack/harness.ts';
import { REDACTED_CARD, REDACTED_NOTE } from '../../src/slack/delivery/redacted.ts';
import { admin, restTicket, startPrivacyService } from './harness.ts';

for (const mode of ['anonymise', 'delete'] as const) {
  test(`${mode}: a thread note Slack answers only after the erasure is redacted, not left naming the customer`, async (t) => {
    const env = await startPrivacyService();
    t.teardown(() => env.stop());
    const { svc, fake } = env;
    const email = `olga.${mode}@late-note.test`;
    const id = await restTicket(svc, { subject: 'Refund please', body: 'Olga Latenote here. [cat=billing conf=0.9 prio=high] Refund order 9.', email, name: 'Olga Latenote' });
    await waitForAlert(fake, id, 30_000);

    // The reclassification note names her; Slack takes it but answers only when released.
    fake.failNext('chat.postMessage', { kind: 'held' }, 1, (p) => Boolean(p.thread_ts));
    const note = await api(svc.baseUrl, `/api/v1/requests/${id}/classification`, { method: 'PUT', headers: admin, json: { category: 'technical', note: 'Olga Latenote called about this' } });
    t.is(note.status, 200, note.text);
    await waitFor(() => fake.heldCount === 1, { what: 'the note held by Slack' });

    const erased = await api(svc.baseUrl, '/api/v1/privacy/erasures', { method: 'POST', headers: admin, json: { kind: 'email', value: email, mode } });
    t.is(erased.status, 201, erased.text);
    t.is(erased.json.state, 'done');
    fake.releaseHeld();

    await waitFor(() => !fake.messages.some((m) => /olga|latenote/i.test(JSON.stringify(m))), { what: 'no message naming her', timeoutMs: 60_000 });
    const notes = fake.calls.filter((c) => c.method === 'chat.postMessage' && c.params.thread_ts);
    t.is(notes.length, 1, 'the note was posted once (then redacted, not posted again)');
    if (mode === 'anonymise') t.true(fake.messages.some((m) => m.text === REDACTED_NOTE), 'the note says it was removed');
    else t.is(fake.messages.filter((m) => m.thread_ts && m.thread_ts !== m.ts).length, 0, 'the note is deleted');
  });
}

test('a change after the erasure leaves the redacted card: an erased ticket is not drawn again', async (t) => {
  const env = await startPrivacyService();
  t.teardown(() => env.stop());
  const { svc, fake } = env;
  const email = 'petra@late-change.test';
  const id = await restTicket(svc, { subject: 'Invoice question', body: 'Petra Latechange here. [cat=billing conf=0.9] About invoice 12.', email, name: 'Petra Latechange' });
  const alert = await waitForAlert(fake, id, 30_000);
  const erased = await api(svc.baseUrl, '/api/v1/privacy/erasures', { method: 'POST', headers: admin, json: { kind: 'email', value: email, mode: 'anonymise' } });
  t.is(erased.status, 201, erased.text);
  const card = () => fake.messages.find((m) => m.ts === alert.ts)!;
  await waitFor(() => (card().text === REDACTED_CARD ? true : undefined), { what: 'the redacted card', timeoutMs: 30_000 });

  // A change made after the erasure asks for the card to be drawn again (as a reply finishing late would).
  const since = new Date();
  t.is((await api(svc.baseUrl, `/api/v1/requests/${id}`, { method: 'PATCH', headers: admin, json: { status: 'resolved' } })).status, 200);
  await waitFor(async () => {
    const jobs = await svc.service.db.sql.query<{ state: string }>(`select state from pgboss.job where name = 'slack-card-refresh' and data->>'ticketId' = $1 and created_on >= $2`, [String(id), since]);
    return jobs.length > 0 && jobs.every((j) => j.state === 'completed') ? true : undefined;
  }, { what: 'the card refresh done', timeoutMs: 30_000 });
  t.is(card().text, REDACTED_CARD, 'still the redacted card');
  t.deepEqual(card().blocks ?? [], []);
});

test('an alert Slack has not taken yet when its ticket is erased is never posted', async (t) => {
  const env = await startPrivacyService();
  t.teardown(() => env.stop());
  const { svc, fake } = env;
  const email = 'quentin@unposted.test';
  // Slack is down: the alert waits in its queue, retried.
  fake.setOutage({ kind: 'http_500' });
  const id = await restTicket(svc, { subject: 'Quentin Unposted: refund', body: 'Quentin Unposted here. [cat=billing conf=0.9] Refund order 7.', email, name: 'Quentin Unposted' });
  await waitFor(() => fake.calls.some((c) => c.method === 'chat.postMessage' && /Unposted/.test(JSON.stringify(c.params))), { what: 'the alert tried once', timeoutMs: 30_000 });
  const erased = await api(svc.baseUrl, '/api/v1/privacy/erasures', { method: 'POST', headers: admin, json: { kind: 'email', value: email, mode: 'anonymise' } });
  t.is(erased.status, 201, erased.text);
  fake.setOutage(undefined);

  // Slack is back: the alert's retry (after looking for a message the failed call might have posted) finds the
  // ticket erased and ends without posting.
  await waitFor(async () => {
    const jobs = await svc.service.db.sql.query<{ state: string }>(`select state from pgboss.job where name = 'slack-alert' and data->>'ticketId' = $1`, [String(id)]);
    return jobs.length > 0 && jobs.every((j) => j.state === 'completed') ? true : undefined;
  }, { what: 'the alert\'s retry done', timeoutMs: 60_000 });
  t.deepEqual(fake.messages.filter((m) => /quentin|unposted/i.test(JSON.stringify(m))), [], 'nothing in Slack names him');
  t.is(fake.messages.length, 0, 'and no card for the erased ticket');
});
