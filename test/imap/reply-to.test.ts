/**
 * Reply-To is where answers go, not who the requester is: the requester is From (a broken From is
 * requester.test.ts); threading and loop protection look at From. Pure parts here; the same through Dovecot
 * and the service in inbox.test.ts.
 */
import test from 'ava';
import { classifyNoise } from '../../src/inbound/imap/noise.ts';
import { parseEmail } from '../../src/inbound/imap/parse-mail.ts';
import { toInboundMessage } from '../../src/inbound/imap/to-inbound.ts';
import { normalizeMessage } from '../../src/ingest/normalize.ts';
import { mail, SUPPORT } from './harness.ts';

const opts = { attachmentMaxBytes: 1024 };
const ctx = { mailbox: 'INBOX', uid: 7, uidValidity: '1', supportAddresses: [SUPPORT] };
const inbound = async (raw: Buffer) => toInboundMessage(await parseEmail(raw, opts), ctx);

test('the requester is From; Reply-To is kept as the reply address and may join the thread', async (t) => {
  const msg = await inbound(mail({ from: 'Ann <ann@customer.example>', subject: 'x', body: 'hello there', headers: { 'Reply-To': 'Ann Team <Team@Customer.example>' } }));
  t.is(msg.requesterEmail, 'ann@customer.example');
  t.is(msg.requesterName, 'Ann');
  t.is(msg.replyTo, 'team@customer.example');
  t.deepEqual(msg.participants, ['team@customer.example']);
  t.is((await inbound(mail({ from: 'ann@customer.example', subject: 'x', body: 'y' }))).replyTo, null, 'no Reply-To: null');
});

test('other spellings: several Reply-To addresses, a group, the sender itself, upper case', async (t) => {
  const several = await inbound(mail({ from: 'ann@customer.example', subject: 'x', body: 'y', headers: { 'reply-to': `${SUPPORT}, "B" <b@customer.example>, c@customer.example` } }));
  t.is(several.replyTo, 'b@customer.example', 'the first address that is not the support address');
  const group = await inbound(mail({ from: 'ann@customer.example', subject: 'x', body: 'y', headers: { 'REPLY-TO': 'Billing: bill@customer.example;' } }));
  t.is(group.replyTo, 'bill@customer.example');
  const self = await inbound(mail({ from: 'ann@customer.example', subject: 'x', body: 'y', headers: { 'Reply-To': 'ANN@customer.example' } }));
  t.is(self.replyTo, 'ann@customer.example');
  t.is(self.requesterEmail, 'ann@customer.example');
  t.deepEqual(self.participants, []);
  // Normalization keeps it in one case, like every address.
  t.is(normalizeMessage({ source: 'email', body: 'hello', replyTo: ' Team@Customer.Example ' }).replyTo, 'team@customer.example');
});

test('a mail with Reply-To but no From has no requester rather than the Reply-To address', async (t) => {
  const raw = Buffer.from(`To: ${SUPPORT}\r\nReply-To: ann@customer.example\r\nSubject: no from\r\nMessage-ID: <nf@customer.example>\r\n\r\nMy order is late.\r\n`);
  const msg = await inbound(raw);
  t.is(msg.requesterEmail, null);
  t.is(msg.replyTo, 'ann@customer.example');
  t.is(msg.body, 'My order is late.');
});

test('loop protection: From the support address is ignored, Reply-To the support address is not', async (t) => {
  const verdict = async (raw: Buffer) => classifyNoise(await parseEmail(raw, opts), { supportAddresses: [SUPPORT] })?.kind;
  t.is(await verdict(mail({ from: `Support <${SUPPORT}>`, subject: 'Re: x', body: 'y', headers: { 'Reply-To': 'ann@customer.example' } })), 'loop');
  const customer = mail({ from: 'ann@customer.example', subject: 'Help', body: 'My invoice is wrong.', headers: { 'Reply-To': `Support <${SUPPORT.toUpperCase()}>` } });
  t.is(await verdict(customer), undefined);
  const msg = await inbound(customer);
  t.is(msg.requesterEmail, 'ann@customer.example');
  t.is(msg.replyTo, null, 'replying to ourselves would loop: no reply address');
  t.deepEqual(msg.participants, []);
});
