/**
 * An e-mail reply carries the customer's own References chain (RFC 5322 3.6.4): the answered mail's
 * References (or its In-Reply-To), then the ticket's conversation, then the answered mail's Message-ID, so
 * the customer's client threads it under the conversation they started, even one older than the ticket.
 * Real parts: the mail parsed and stored as the inbox door does (parse, normalize, ingest on the real
 * database), the e-mail sender sending to a real SMTP server (test/kit/smtp.ts).
 */
import test from 'ava';
import type { ImapMailbox } from '../../src/config/mailbox.ts';
import { getTicket } from '../../src/db/repositories/tickets.ts';
import { parseEmail } from '../../src/inbound/imap/parse-mail.ts';
import { toInboundMessage } from '../../src/inbound/imap/to-inbound.ts';
import { createEmailSender, replyReferences } from '../../src/outbound/email.ts';
import { mail, SUPPORT } from '../imap/harness.ts';
import { startTestService, type TestService } from '../kit/service.ts';
import { startFakeSmtp, type FakeSmtp } from '../kit/smtp.ts';

let svc: TestService;
let smtp: FakeSmtp;
let sender: ReturnType<typeof createEmailSender>;
test.before(async () => {
  svc = await startTestService();
  smtp = await startFakeSmtp();
  const mailbox = { id: 'support', supportAddress: SUPPORT, smtp: { host: '127.0.0.1', port: smtp.port, secure: false, user: undefined, password: undefined } } as ImapMailbox;
  sender = createEmailSender({ mailboxes: [mailbox], db: svc.service.db.sql, timeoutMs: 5_000 });
});
test.after.always(async () => {
  sender?.close();
  await smtp?.close();
  await svc?.stop();
});

let uid = 0;
/** A customer's mail, stored as the inbox door stores it. */
async function arrives(refs: Record<string, string>, messageId: string, inReplyTo?: string) {
  // Set here, not with mail()'s inReplyTo (which also writes a References line of its own).
  const headers = { ...refs, ...(inReplyTo ? { 'In-Reply-To': inReplyTo } : {}) };
  uid += 1;
  const raw = mail({ from: 'Ann <ann@customer.example>', to: SUPPORT, subject: 'Export stuck', body: 'The export has been stuck since Monday.', messageId, headers });
  const msg = toInboundMessage(await parseEmail(raw, { attachmentMaxBytes: 1024 }), { mailbox: 'INBOX', uid, uidValidity: '1', supportAddresses: [SUPPORT], source: { mailboxId: 'support' } });
  return svc.service.ingest(msg);
}

let replyId = 0;
/** Sends an agent's reply through the e-mail sender; the headers the SMTP server received. */
async function replyTo(ticketId: number) {
  replyId += 1;
  const ticket = (await getTicket(svc.service.db.sql, ticketId))!;
  const key = `<reply-${replyId}.${Date.now()}@triage.test>`;
  await sender.send(ticket, { replyId, ticketId, text: 'We are on it.', agent: { slackUserId: 'UAGENT001', name: 'Agent' }, idempotencyKey: key });
  const sent = smtp.received.at(-1)!;
  return { references: sent.headers.references!.split(/\s+/), inReplyTo: sent.headers['in-reply-to'], key };
}

test.serial('the first reply continues the customer\'s chain: their References, then their Message-ID', async (t) => {
  const id = `<first.${Date.now()}@customer.example>`;
  const { ticketId } = await arrives({ References: '<root@customer.example> <middle@partner.example>' }, id, '<middle@partner.example>');
  const sent = await replyTo(ticketId);
  t.deepEqual(sent.references, ['<root@customer.example>', '<middle@partner.example>', id]);
  t.is(sent.inReplyTo, id);

  // The customer answers (their client keeps the chain and adds our reply): the next reply continues it.
  const answer = `<answer.${Date.now()}@customer.example>`;
  const followup = await arrives({ References: `<root@customer.example> <middle@partner.example> ${id} ${sent.key}` }, answer, sent.key);
  t.is(followup.outcome, 'followup');
  t.is(followup.ticketId, ticketId);
  const second = await replyTo(ticketId);
  t.deepEqual(second.references, ['<root@customer.example>', '<middle@partner.example>', id, sent.key, answer]);
  t.is(second.inReplyTo, answer);
});

test.serial('only In-Reply-To (no References): it stands for the chain; a mail with neither is the root', async (t) => {
  const id = `<irt.${Date.now()}@customer.example>`;
  const { ticketId } = await arrives({}, id, '<older@customer.example>');
  t.deepEqual((await replyTo(ticketId)).references, ['<older@customer.example>', id]);
  const alone = `<alone.${Date.now()}@customer.example>`;
  const fresh = await arrives({}, alone);
  t.deepEqual((await replyTo(fresh.ticketId)).references, [alone]);
});

test('a very long chain keeps its root and the latest ids, the answered mail last, each id once', (t) => {
  const chain = Array.from({ length: 60 }, (_, i) => `<c${i}@customer.example>`);
  const refs = replyReferences([...chain, chain[3]!], ['<parent@customer.example>', '<ours@triage.test>'], '<parent@customer.example>', '<new@triage.test>');
  t.is(refs.length, 20);
  t.is(refs[0], '<c0@customer.example>');
  t.is(refs.at(-1), '<parent@customer.example>');
  t.is(refs.at(-2), '<ours@triage.test>');
  t.is(new Set(refs).size, refs.length);
  t.false(replyReferences(['<new@triage.test>'], [], null, '<new@triage.test>').includes('<new@triage.test>'), 'never references itself');
});
