/** A customer's follow-up on a known ticket posts into its alert's thread, once, and only after the alert. */
import test from 'ava';
import { waitFor } from '../kit/wait.ts';
import { createTicket, startSlackService, waitForAlert } from './harness.ts';
import { CHANNELS } from '../kit/slack.ts';

test.serial('a follow-up posts into the alert thread exactly once, escaped', async (t) => {
  const env = await startSlackService();
  t.teardown(env.stop);
  const id = await createTicket(env.svc, { body: 'Export to PDF fails [cat=technical conf=0.9]', requester_email: 'ann@example.com' });
  const alert = await waitForAlert(env.fake, id);
  const reply = {
    source: 'zendesk' as const,
    externalId: 'zd-comment-1',
    body: 'Still broken today <!channel>, see screenshot',
    requesterEmail: 'ann@example.com',
    requesterName: 'Ann',
    thread: { ticketId: id },
  };
  const result = await env.svc.service.ingest(reply);
  t.is(result.outcome, 'followup');
  const posted = await waitFor(() => env.fake.threadReplies(alert.channel, alert.ts)[0], { what: 'thread reply' });
  t.true(posted.text.includes('Still broken today &lt;!channel&gt;'));
  t.false(JSON.stringify(posted.blocks).includes('<!channel>'));
  t.true(JSON.stringify(posted.blocks).includes('Ann (ann@example.com)'));

  t.is((await env.svc.service.ingest(reply)).outcome, 'duplicate');
  await new Promise((r) => setTimeout(r, 1500));
  t.is(env.fake.threadReplies(alert.channel, alert.ts).length, 1);
  t.is(env.fake.channelMessages(alert.channel).length, 1, 'no top-level post for a follow-up');
});

test.serial('a follow-up that arrives before the alert is posted waits for it and lands in its thread', async (t) => {
  const env = await startSlackService();
  t.teardown(env.stop);
  env.fake.failNext('chat.postMessage', { kind: 'rate_limited', retryAfter: 4 });
  const id = await createTicket(env.svc, { body: 'Billing page shows wrong currency [cat=billing conf=0.9]' });
  const result = await env.svc.service.ingest({ source: 'api', body: 'Also the VAT number is missing on it.', thread: { ticketId: id } });
  t.is(result.outcome, 'followup');
  const alert = await waitForAlert(env.fake, id);
  const posted = await waitFor(() => env.fake.threadReplies(CHANNELS.billing, alert.ts)[0], { timeoutMs: 60_000, what: 'thread reply' });
  t.true(posted.text.includes('VAT number'));
  t.true(Number(posted.ts) > Number(alert.ts));
});
