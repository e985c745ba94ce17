/** The pure parts of replying: subject and error rules of the e-mail door, the reply text, the modal's state, SMTP settings. */
import test from 'ava';
import { loadConfig, ConfigError } from '../../src/config.ts';
import { cleanReplyText, InvalidReplyError, MAX_REPLY_CHARS, newMessageId } from '../../src/ingest/replies.ts';
import { asSendError, replySubject } from '../../src/outbound/email.ts';
import { messageIdDomain } from '../../src/outbound/senders.ts';
import { PermanentSendError, personalise, TransientSendError } from '../../src/domain/reply.ts';
import { buildReplyModal, readModalState } from '../../src/slack/interactions/reply-modal.ts';

test('reply subject: one "Re:", our ticket reference once, line breaks gone', (t) => {
  t.is(replySubject({ id: 42, subject: 'Invoice wrong' }), 'Re: Invoice wrong [#42]');
  t.is(replySubject({ id: 42, subject: 'RE: Re:  aw: Invoice wrong [#42]' }), 'Re: Invoice wrong [#42]');
  t.is(replySubject({ id: 42, subject: null }), 'Re: [#42]');
  t.is(replySubject({ id: 7, subject: 'a\r\nBcc: evil@example.com' }), 'Re: a Bcc: evil@example.com [#7]', 'no header injection');
});

test('SMTP errors: 5xx is permanent; 4xx, network and timeouts are transient', (t) => {
  t.true(asSendError(Object.assign(new Error('550 no such user'), { responseCode: 550, code: 'EENVELOPE' })) instanceof PermanentSendError);
  t.true(asSendError(Object.assign(new Error('535 auth'), { responseCode: 535, code: 'EAUTH' })) instanceof PermanentSendError);
  t.true(asSendError(Object.assign(new Error('421 later'), { responseCode: 421, code: 'EMESSAGE' })) instanceof TransientSendError);
  t.true(asSendError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNECTION' })) instanceof TransientSendError);
  t.true(asSendError(Object.assign(new Error('Timeout'), { code: 'ETIMEDOUT' })) instanceof TransientSendError);
  const given = new PermanentSendError('x');
  t.is(asSendError(given), given);
});

test('reply text: control characters and NUL removed, empty and too long refused', (t) => {
  t.is(cleanReplyText('  Hi\u0000 there\r\nBye\u0007 \t'), 'Hi there\nBye');
  for (const bad of ['', '  \n\t', '\u0000\u0000', null, undefined, 42, { text: 'x' }, 'x'.repeat(MAX_REPLY_CHARS + 1)]) {
    t.throws(() => cleanReplyText(bad), { instanceOf: InvalidReplyError }, String(bad).slice(0, 20));
  }
  t.is(cleanReplyText('x'.repeat(MAX_REPLY_CHARS)).length, MAX_REPLY_CHARS);
});

test('Message-IDs are unique, bracketed, in our domain', (t) => {
  const a = newMessageId('support.example.com');
  t.regex(a, /^<reply\.[0-9a-f-]{36}@support\.example\.com>$/);
  t.not(a, newMessageId('support.example.com'));
  t.is(messageIdDomain({ mailboxes: [] }), 'support-triage.local');
});

test('modal state: ours comes back as given; forged or broken state is refused or narrowed', (t) => {
  const view = buildReplyModal({ id: 5, subject: 'Hi *there*', to: 'ann@x.example' }, { text: 'Draft', origin: 'saved_reply', savedReplyId: 3 }, { ticketId: 5, channel: 'C1', ts: '1.2', origin: 'saved_reply', savedReplyId: 3 });
  t.deepEqual(readModalState(view.private_metadata), { ticketId: 5, channel: 'C1', ts: '1.2', origin: 'saved_reply', savedReplyId: 3 });
  t.is((view.blocks[1] as any).element.initial_value, 'Draft');
  for (const bad of [undefined, 'x', '[]', '{"ticketId":0}', '{"ticketId":1.5}', '{"ticketId":"7"}', 'x'.repeat(4000)]) t.is(readModalState(bad), undefined, String(bad).slice(0, 20));
  t.deepEqual(readModalState('{"ticketId":9,"origin":"evil","channel":"<!here>","ts":"1.2","savedReplyId":4}'), { ticketId: 9, origin: 'none' });
});

test('SMTP settings: SMTP_* for the one mailbox, "smtp" in a list entry; login defaults to the IMAP one; typos refused', (t) => {
  const single = loadConfig({ IMAP_HOST: 'imap.example.com', IMAP_USER: 'support@example.com', IMAP_PASSWORD: 'pw', SMTP_HOST: 'smtp.example.com' });
  t.deepEqual(single.mailboxes[0]!.smtp, { host: 'smtp.example.com', port: 587, secure: false, user: 'support@example.com', password: 'pw' });
  const other = loadConfig({ IMAP_HOST: 'imap.example.com', IMAP_USER: 'support@example.com', IMAP_PASSWORD: 'pw', SMTP_HOST: 'smtp.example.com', SMTP_PORT: '465', SMTP_SECURE: 'true', SMTP_USER: 'relay' });
  t.deepEqual(other.mailboxes[0]!.smtp, { host: 'smtp.example.com', port: 465, secure: true, user: 'relay', password: undefined }, 'the IMAP password is not handed to another login');
  t.is(loadConfig({ IMAP_HOST: 'imap.example.com', IMAP_USER: 'u', IMAP_PASSWORD: 'pw' }).mailboxes[0]!.smtp, undefined);

  const list = [
    { id: 'support', host: 'imap.example.com', user: 'support@example.com', passwordEnv: 'P1', smtp: { host: 'smtp.example.com' } },
    { id: 'billing', host: 'imap.example.com', user: 'billing@example.com', password: 'x', smtp: { host: 'smtp.example.com', port: 465, secure: true, user: 'b', passwordEnv: 'P2' } },
  ];
  const c = loadConfig({ IMAP_MAILBOXES: JSON.stringify(list), P1: 'one', P2: 'two' });
  t.deepEqual(c.mailboxes.map((m) => m.smtp), [
    { host: 'smtp.example.com', port: 587, secure: false, user: 'support@example.com', password: 'one' },
    { host: 'smtp.example.com', port: 465, secure: true, user: 'b', password: 'two' },
  ]);
  const error = t.throws(() => loadConfig({ IMAP_MAILBOXES: JSON.stringify([{ ...list[0], smtp: { host: 'h', prot: 25 } }]), P1: 'one' }), { instanceOf: ConfigError });
  t.true(error!.problems.some((p) => p.includes('smtp.prot: unknown field')), error!.problems.join('\n'));
  const mixed = t.throws(() => loadConfig({ IMAP_MAILBOXES: JSON.stringify(list), P1: 'one', P2: 'two', SMTP_HOST: 'x' }), { instanceOf: ConfigError });
  t.true(mixed!.problems.some((p) => p.startsWith('SMTP_HOST')), 'SMTP_* beside a list is refused');
});

test('reply to all: {name} becomes each customer\'s first name, or "there"', (t) => {
  t.is(personalise('Hi {name}, fixed. {name}', 'Ana María López'), 'Hi Ana, fixed. Ana');
  t.is(personalise('Hi {name},', null), 'Hi there,');
  t.is(personalise('Hi {name},', '   '), 'Hi there,');
  t.is(personalise('No placeholder', 'Ana'), 'No placeholder');
});
