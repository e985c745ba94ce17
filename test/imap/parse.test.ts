/**
 * The pure parts of the inbox door: parsing, new-text extraction, noise classification, normalization.
 */
import { Readable } from 'node:stream';
import test from 'ava';
import { classifyNoise } from '../../src/inbound/imap/noise.ts';
import { externalIdOf, parseEmail, ticketReferenceOf } from '../../src/inbound/imap/parse-mail.ts';
import { toInboundMessage } from '../../src/inbound/imap/to-inbound.ts';
import { visibleText } from '../../src/inbound/imap/visible-text.ts';
import { classifyImapError } from '../../src/inbound/imap/errors.ts';
import { fixture, mail, SUPPORT } from './harness.ts';

const opts = { attachmentMaxBytes: 1024 };
const ctx = { mailbox: 'INBOX', uid: 7, uidValidity: '1', supportAddresses: [SUPPORT] };

test('headers: subject, sender, recipients, ids and date come out decoded and normalized', async (t) => {
  const m = await parseEmail(fixture('reply-with-quote.eml'), opts);
  t.is(m.subject, 'Re: Cannot log in after password reset');
  t.deepEqual(m.from, { address: 'alice@customer.example', name: 'Alice Example' });
  t.deepEqual(m.to, [{ address: SUPPORT, name: 'Support' }]);
  t.is(m.messageId, '<plain-0002@customer.example>');
  t.is(m.inReplyTo, '<plain-0001@customer.example>');
  t.deepEqual(m.references, ['<plain-0001@customer.example>']);
  t.is(m.date?.toISOString(), '2026-11-02T11:00:00.000Z');
});

test('a missing or broken Date stays unknown instead of becoming "now", so the content hash is stable', async (t) => {
  const raw = mail({ from: 'a@customer.example', subject: 'x', body: 'same body', messageId: null, date: 'not a date' });
  const [a, b] = [await parseEmail(raw, opts), await parseEmail(raw, opts)];
  t.is(a.date, null);
  t.is(externalIdOf(a), externalIdOf(b));
  const other = await parseEmail(mail({ from: 'a@customer.example', subject: 'x', body: 'other body', messageId: null, date: 'not a date' }), opts);
  t.not(externalIdOf(other), externalIdOf(a));
});

test('attachment content is kept only up to the cap; the size is always recorded; streams work like buffers', async (t) => {
  const raw = fixture('multipart-attachments.eml');
  const m = await parseEmail(Readable.from([raw.subarray(0, 500), raw.subarray(500)]), { attachmentMaxBytes: 500 });
  const pdf = m.attachments.find((a) => a.filename === 'export-log.pdf')!;
  const png = m.attachments.find((a) => a.filename === 'screen.png')!;
  t.true(pdf.size > 500);
  t.is(pdf.content, undefined, 'above the cap: no content');
  t.is(png.content?.length, png.size, 'below the cap: full content');
  t.is(m.text.trim(), 'The CSV export stops at 50%. Log and screenshot attached.');
});

test('ticket references in subjects', (t) => {
  t.is(ticketReferenceOf('Re: [#123] Printer on fire'), 123);
  t.is(ticketReferenceOf('Order #123 missing'), undefined);
  t.is(ticketReferenceOf(null), undefined);
});

test('visible text drops quoted history and signatures but keeps the full text', (t) => {
  const body = 'Thanks, that fixed it.\n\nSent from my iPhone\n\nOn Mon, 2 Nov 2026 at 09:15, Support <support@triage.test> wrote:\n> Try again.\n';
  t.deepEqual(visibleText(body), { visible: 'Thanks, that fixed it.', trimmed: true });
  const outlook = 'New text here.\n\n________________________________\nFrom: Support <support@triage.test>\nSent: Monday, November 2, 2026 9:15 AM\nTo: Alice\nSubject: Re: x\n\nold';
  t.is(visibleText(outlook).visible, 'New text here.');
  const german = 'Danke!\n\nAm 02.11.2026 um 09:15 schrieb Support <support@triage.test>:\n> Alt\n';
  t.is(visibleText(german).visible, 'Danke!');
  // Bottom posting: the answer below the quote is the new text.
  const bottom = 'On Mon, Bob wrote:\n> question?\n\nHere is the answer.';
  t.is(visibleText(bottom).visible, 'Here is the answer.');
  // Not a signature: "--" inside a line; not a mobile footer: a real sentence.
  t.is(visibleText('Use a -- b for that.\nSent from my desk, which is easier.').visible, 'Use a -- b for that.\nSent from my desk, which is easier.');
  // Only a quote (a bare forward): keep everything rather than an empty ticket.
  t.is(visibleText('> only quoted\n> lines').visible, '> only quoted\n> lines');
});

test('normalization: participants exclude the sender and the support address; hints only when present', async (t) => {
  const m = await parseEmail(mail({ from: 'Ann <ann@customer.example>', to: `${SUPPORT}, bob@customer.example`, cc: 'Ann <ann@customer.example>, carl@customer.example', subject: 'Re: [#42] x', body: 'hello' }), opts);
  const msg = toInboundMessage(m, ctx);
  t.deepEqual(msg.participants, ['bob@customer.example', 'carl@customer.example']);
  t.deepEqual(msg.thread, { ticketId: 42 });
  t.is(msg.requesterEmail, 'ann@customer.example');
  const plain = toInboundMessage(await parseEmail(fixture('plain.eml'), opts), ctx);
  t.is(plain.thread, undefined, 'no hints: the fast path of ingest');
  t.is(plain.fullBody, null, 'nothing stripped: no separate full text');
});

test('noise: bounce before auto-reply, delay is not a bounce, loops, precedence, real mail passes', async (t) => {
  const verdict = async (raw: Buffer) => classifyNoise(await parseEmail(raw, opts), { supportAddresses: [SUPPORT] })?.kind;
  t.is(await verdict(fixture('bounce-dsn.eml')), 'bounce', 'Auto-Submitted on a DSN is still a bounce');
  t.is(await verdict(fixture('bounce-plain.eml')), 'bounce');
  t.is(await verdict(fixture('delay-notice.eml')), 'delay');
  t.is(await verdict(fixture('out-of-office.eml')), 'auto-reply');
  t.is(await verdict(fixture('out-of-office-subject-only.eml')), 'auto-reply');
  t.is(await verdict(mail({ from: `Support <${SUPPORT.toUpperCase()}>`, subject: 'Re: x', body: 'y' })), 'loop');
  t.is(await verdict(mail({ from: 'a@customer.example', subject: 'x', body: 'y', headers: { 'Auto-Submitted': 'no' } })), undefined);
  t.is(await verdict(mail({ from: 'news@shop.example', subject: 'Deals', body: 'y', headers: { Precedence: 'bulk' } })), 'bulk');
  t.is(await verdict(mail({ from: 'a@customer.example', subject: 'x', body: 'y', headers: { 'X-Autoreply': 'yes' } })), 'auto-reply');
  // A customer complaining about bounces is a ticket, not a bounce.
  t.is(await verdict(mail({ from: 'a@customer.example', subject: 'Undeliverable: my mails to you bounce', body: '550 5.1.1 user unknown, why?' })), undefined);
  for (const name of ['plain.eml', 'html-only.eml', 'multipart-attachments.eml', 'iso-2022-jp.eml', 'reply-with-quote.eml']) {
    t.is(await verdict(fixture(name)), undefined, name);
  }
});

test('IMAP errors: credentials and configuration are told from passing trouble', (t) => {
  t.is(classifyImapError(Object.assign(new Error('Command failed'), { authenticationFailed: true, serverResponseCode: 'AUTHENTICATIONFAILED' })), 'auth');
  t.is(classifyImapError(Object.assign(new Error('x'), { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' })), 'config');
  t.is(classifyImapError(Object.assign(new Error('Command failed'), { response: "3 NO Mailbox doesn't exist: Nope" })), 'config');
  t.is(classifyImapError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })), 'transient');
  t.is(classifyImapError(new Error('IMAP connection closed')), 'transient');
});
