/**
 * A bad survey score is heard in the card's thread, naming the assignee; a good one only shows on the card.
 */
import test from 'ava';
import { api } from '../kit/service.ts';
import { startFakeHelpdesk } from '../kit/fake-helpdesk.ts';
import { waitFor } from '../kit/wait.ts';
import { createTicket, startSlackService, waitForAlert } from './harness.ts';

test.serial('a bad score posts to the thread mentioning the assignee; a good one edits the card only', async (t) => {
  const hooks = await startFakeHelpdesk();
  hooks.route('POST', /^\/surveys$/, { status: 200, json: {} });
  t.teardown(() => hooks.close());
  const env = await startSlackService({
    CSAT_ENABLED: 'true', CSAT_DELAY_MINUTES: '0', SLA_BUSINESS_HOURS: '24/7', API_REPLY_WEBHOOK_URL: `${hooks.url}/surveys`, API_REPLY_WEBHOOK_SECRET: 'x'.repeat(32),
  });
  t.teardown(env.stop);
  const scoreOf = async (score: string, assignee?: string) => {
    const id = await createTicket(env.svc, { body: 'Export is broken [cat=technical conf=0.9]', requester_email: 'uma@customer.example' });
    const alert = await waitForAlert(env.fake, id);
    await api(env.svc.baseUrl, `/api/v1/requests/${id}`, { method: 'PATCH', json: { status: 'resolved', ...(assignee ? { assignee } : {}) } });
    const call = await waitFor(() => hooks.calls.find((c) => c.json?.type === 'survey' && c.json.ticket_id === id), { what: 'the survey' });
    const res = await fetch(`${env.svc.baseUrl}${new URL(call.json.survey_url).pathname}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `score=${score}` });
    t.is(res.status, 200);
    return alert;
  };
  const bad = await scoreOf('1', 'UANN00001');
  const note = await waitFor(() => env.fake.threadReplies(bad.channel, bad.ts).find((m) => m.text.includes('A bad score')), { what: 'the bad-score note' });
  t.true(note.text.includes('rated this ticket 1/5, <@UANN00001>'), note.text);
  await waitFor(() => (JSON.stringify(env.fake.messages.find((m) => m.ts === bad.ts)!.blocks).includes('rated this ticket *1/5*') ? true : undefined), { what: 'the card line' });

  const good = await scoreOf('5');
  await waitFor(() => (JSON.stringify(env.fake.messages.find((m) => m.ts === good.ts)!.blocks).includes('rated this ticket *5/5*') ? true : undefined), { what: 'the card line' });
  t.false(env.fake.threadReplies(good.channel, good.ts).some((m) => m.text.includes('score')), 'no thread note for a good score');
});
