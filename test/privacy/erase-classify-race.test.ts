/**
 * The classifier still busy with a ticket's text when that text goes away or changes. An erasure in the
 * meantime must not be undone by the verdict landing after it (its summary quotes the erased text: CI once
 * found "public.classifications.summary" holding an erased customer's name); a Slack edit in the meantime
 * must end with a verdict on the edited text, not on the old one.
 */
import test from 'ava';
import { CLASSIFY_QUEUE } from '../../src/db/queue-registry.ts';
import type { Sql } from '../../src/db/sql.ts';
import { api } from '../kit/service.ts';
import { callback, INTAKE, messageEvent, nextTs, sendEvent } from '../kit/slack-events.ts';
import { waitFor } from '../kit/wait.ts';
import { heldClassifier } from '../kit/held-classifier.ts';
import { admin, restTicket, scanAllTables, startPrivacyService } from './harness.ts';

const classifyJobsPending = async (sql: Sql) =>
  Number((await sql.query<{ n: number }>(`select count(*)::int as n from pgboss.job where name = $1 and state in ('created', 'retry', 'active')`, [CLASSIFY_QUEUE]))[0]!.n);

for (const mode of ['anonymise', 'delete'] as const) {
  test(`${mode}: a verdict on text erased while the classifier was at it is not stored`, async (t) => {
    const held = heldClassifier();
    const env = await startPrivacyService({}, { classifier: held.classifier });
    t.teardown(env.stop);
    const { svc } = env;
    const sql = svc.service.db.sql;
    const email = `greta.${mode}@classify-race.test`;
    const id = await restTicket(svc, { email, name: 'Greta Racewell', subject: 'Invoice', body: 'Greta Racewell: invoice 12 is wrong, hold-me' });
    await waitFor(() => held.seen.some((b) => b.includes('Racewell')), { what: 'the classifier reading her text' });

    const erased = await api(svc.baseUrl, '/api/v1/privacy/erasures', { method: 'POST', headers: admin, json: { kind: 'email', value: email, mode } });
    t.is(erased.status, 201, erased.text);
    t.is(erased.json.tickets, 1);
    held.release();
    await waitFor(async () => (await classifyJobsPending(sql)) === 0, { what: 'the classify job done', timeoutMs: 30_000 });

    t.deepEqual(await scanAllTables(sql, ['racewell', 'classify-race']), {}, 'nothing of hers anywhere');
    const rows = await sql.query<{ summary: string | null; current_classification_id: number | null }>('select summary, current_classification_id from tickets where id = $1', [id]);
    if (mode === 'delete') t.deepEqual(rows, [], 'the ticket stays deleted');
    else t.deepEqual(rows, [{ summary: null, current_classification_id: null }], 'no verdict on the erased ticket');
    t.deepEqual(await sql.query('select id from classifications where ticket_id = $1', [id]), []);

    // The classifier goes on with other tickets.
    const other = await restTicket(svc, { email: 'otto@classify-race-other.test', name: 'Otto', subject: 'Login', body: 'cannot log in [cat=technical conf=0.9]' });
    await waitFor(async () => (await api(svc.baseUrl, `/api/v1/requests/${other}`, { headers: admin })).json.classification?.category === 'technical', { what: 'the next ticket classified' });
  });
}

test('a Slack edit while the classifier reads the first text: the verdict is on the edited text', async (t) => {
  const held = heldClassifier();
  const env = await startPrivacyService({ SLACK_INTAKE_CHANNELS: `${INTAKE.all}:all` }, { classifier: held.classifier });
  t.teardown(env.stop);
  const { svc } = env;
  const sql = svc.service.db.sql;
  const question = messageEvent({ text: 'The export page is blank, hold-me' });
  t.is((await sendEvent(svc.baseUrl, callback(question))).status, 200);
  await waitFor(() => held.seen.some((b) => b.includes('export page')), { what: 'the classifier reading the first text' });

  const edited = 'The billing page is blank [cat=billing conf=0.95]';
  await sendEvent(svc.baseUrl, callback({ type: 'message', subtype: 'message_changed', channel: INTAKE.all, hidden: true, ts: nextTs(),
    message: { ...question, text: edited, edited: { user: 'UCUSTOMER1', ts: nextTs() } }, previous_message: question }));
  const ticket = async () => (await sql.query<{ id: number; body: string; category: string | null; summary: string | null }>(`select id, body, category, summary from tickets where source = 'slack'`))[0];
  await waitFor(async () => (await ticket())?.body === edited, { what: 'the edit stored' });
  held.release();

  const done = await waitFor(async () => { const row = await ticket(); return row?.summary?.includes('billing page') ? row : undefined; }, { what: 'the verdict on the edited text', timeoutMs: 30_000 });
  t.is(done.category, 'billing');
  const history = await sql.query<{ summary: string }>('select summary from classifications where ticket_id = $1', [done.id]);
  t.deepEqual(history.map((h) => h.summary), [`Summary of: ${edited.slice(0, 60)}`], 'only the verdict on the edited text is kept');
});
