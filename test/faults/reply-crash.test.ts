/**
 * kill -9 of the real service (node src/main.ts) between the SMTP server accepting a reply and the service
 * storing "sent": after the restart the send job runs again and sends the SAME message (same Message-ID),
 * never a second different mail, and the reply ends sent, announced once in the alert's thread.
 * SMTP cannot make a submission idempotent; one Message-ID is what clients and mailbox providers merge on.
 */
import test from 'ava';
import pg from 'pg';
import { startFakeSlack } from '../kit/fake-slack.ts';
import { createTestDatabase } from '../kit/database.ts';
import { freePort } from '../kit/net.ts';
import { killAllServices, serviceGroup } from '../kit/process.ts';
import { startFakeSmtp } from '../kit/smtp.ts';
import { waitFor } from '../kit/wait.ts';
import { mail, newMailbox, SUPPORT, useDovecot } from '../imap/harness.ts';
import { blockActionBody, postToSlackEvents, viewSubmissionBody } from '../slack/harness.ts';
import { signSlack as sign } from '../kit/signing.ts';

const imap = useDovecot();
test.after.always(killAllServices);
const SECRET = 'reply-crash-signing-secret';

imap.serial('kill -9 after the SMTP server took the reply, before it was marked sent: the retry sends the same Message-ID, once more at most', async (t) => {
  t.timeout(180_000);
  const slack = await startFakeSlack();
  const smtp = await startFakeSmtp();
  const db = await createTestDatabase();
  const services = serviceGroup();
  const client = new pg.Client({ connectionString: db.url });
  t.teardown(async () => {
    await services.kill();
    await client.end().catch(() => undefined);
    await slack.close();
    await smtp.close();
    await db.drop();
  });
  const box = await newMailbox(imap.dovecot, { SMTP_HOST: '127.0.0.1', SMTP_PORT: String(smtp.port), SMTP_SECURE: 'false' });
  const env = {
    ...box.env, DATABASE_URL: db.url, SLACK_BOT_TOKEN: 'xoxb-crash', SLACK_SIGNING_SECRET: SECRET, SLACK_API_URL: slack.apiUrl,
    SLACK_CHANNEL_TRIAGE: 'CTRIAGE', SLACK_CHANNEL_GENERAL: 'CGEN', SLACK_CHANNEL_BILLING: 'CBILL', SLACK_CHANNEL_TECHNICAL: 'CTECH',
  };
  const port = await freePort();
  let svc = services.spawn(env, port);
  await svc.ready();
  await client.connect();
  const one = async <R>(q: string, v: unknown[] = []) => (await client.query(q, v)).rows[0] as R | undefined;

  const messageId = `<crash.${Date.now()}@customer.example>`;
  await imap.dovecot.append(box.user, box.password, 'INBOX', [mail({ from: 'ann@customer.example', to: SUPPORT, subject: 'Where is my order', body: 'It has been two weeks.', messageId })]);
  const ticket = await waitFor(() => one<{ id: number }>('select id from tickets where external_id = $1', [messageId]), { timeoutMs: 30_000, what: 'ticket' });
  const alert = await waitFor(() => slack.messages.find((m) => m.metadata?.event_payload?.ticket_id === ticket.id && m.metadata.event_type === 'support_ticket_alert'), { timeoutMs: 30_000, what: 'alert' });

  const click = blockActionBody({ actionId: 'ticket_reply', value: String(ticket.id), channel: alert.channel, messageTs: alert.ts, blocks: alert.blocks ?? [], responseUrl: `${slack.url}/r` });
  t.is((await postToSlackEvents(svc.baseUrl, click, sign(click, undefined, SECRET))).status, 200);
  const { view } = await waitFor(() => slack.views[0], { what: 'views.open' });

  // The first delivery: the server has the message, then the service dies before it hears "250".
  let killed = false;
  smtp.beforeAnswer = async () => {
    if (killed) return;
    killed = true;
    await svc.kill();
  };
  const submission = viewSubmissionBody({ view, text: 'It left our warehouse today; tracking follows.' });
  t.is((await postToSlackEvents(svc.baseUrl, submission, sign(submission, undefined, SECRET))).status, 200);
  await waitFor(() => killed && svc.exited, { timeoutMs: 30_000, what: 'killed mid-send' });
  const stored = await one<{ id: number; state: string; message_id: string }>('select id, state, message_id from ticket_replies where ticket_id = $1', [ticket.id]);
  t.is(stored!.state, 'queued', 'the crash came before "sent" was stored');

  svc = services.spawn(env, port);
  await svc.ready();
  await waitFor(async () => (await one<{ state: string }>('select state from ticket_replies where id = $1', [stored!.id]))?.state === 'sent', { timeoutMs: 90_000, what: `sent after the restart\n${svc.log()}` });

  t.true(smtp.received.length >= 1 && smtp.received.length <= 2, `${smtp.received.length} deliveries`);
  t.deepEqual([...new Set(smtp.received.map((m) => m.headers['message-id']))], [stored!.message_id], 'every delivery is the same message');
  const note = await waitFor(() => slack.messages.filter((m) => m.metadata?.event_type === 'support_ticket_reply' && m.thread_ts === alert.ts), { what: 'replied-by note' });
  await new Promise((r) => setTimeout(r, 2000));
  t.is(slack.messages.filter((m) => m.metadata?.event_type === 'support_ticket_reply').length, 1, `one note (${note.length})`);
});
