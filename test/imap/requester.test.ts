/**
 * Requester from a broken From: `"name" <>`, a garbage From line before a good one, From naming nobody.
 * The first usable From address wins, then Sender, then (only for a From that is there but broken) Reply-To;
 * the ticket records which header it was and a parse problem. The project's own fixtures (test/fixtures/mail).
 */
import test from 'ava';
import { parseEmail } from '../../src/inbound/imap/parse-mail.ts';
import { toInboundMessage } from '../../src/inbound/imap/to-inbound.ts';
import { fixture, mail, SUPPORT } from './harness.ts';

const opts = { attachmentMaxBytes: 1024 };
const ctx = { mailbox: 'INBOX', uid: 7, uidValidity: '1', supportAddresses: [SUPPORT] };
const inbound = async (raw: Buffer) => toInboundMessage(await parseEmail(raw, opts), ctx);
const meta = (m: Awaited<ReturnType<typeof inbound>>) => m.metadata as { requester_header: string | null; parse_problems?: string[] };

test('a good From is the requester, recorded as from, with no parse problem', async (t) => {
  const m = await inbound(fixture('plain.eml'));
  t.is(m.requesterEmail, 'alice@customer.example');
  t.is(meta(m).requester_header, 'from');
  t.is(meta(m).parse_problems, undefined);
});

test('From "name" <> with a Sender: the Sender, and the ticket says so', async (t) => {
  const m = await inbound(fixture('from-empty-angle.eml'));
  t.is(m.requesterEmail, 'dana@customer.example');
  t.is(m.requesterName, 'Dana Customer');
  t.is(m.replyTo, 'billing-desk@customer.example', 'Reply-To stays where answers go');
  t.is(meta(m).requester_header, 'sender');
  t.deepEqual(meta(m).parse_problems, ['the From header has no usable address; requester taken from Sender']);
});

test('two From headers, the first garbage: the second one, its encoded name decoded', async (t) => {
  const m = await inbound(fixture('from-twice.eml'));
  t.is(m.requesterEmail, 'joerg@customer.example');
  t.is(m.requesterName, 'Jörg Kunde');
  t.is(meta(m).requester_header, 'from');
  t.deepEqual(meta(m).parse_problems, ['the From header has no usable address; requester taken from a later From header']);
});

test('From "name" <> and no Sender: Reply-To, skipping the support address', async (t) => {
  const m = await inbound(fixture('from-reply-to-only.eml'));
  t.is(m.requesterEmail, 'sam@customer.example');
  t.is(m.requesterName, 'Sam Customer');
  t.is(meta(m).requester_header, 'reply-to');
  t.deepEqual(meta(m).parse_problems, ['the From header has no usable address; requester taken from Reply-To']);
  t.deepEqual(m.participants, [], 'the requester is not also a participant');
});

test('hostile spellings: a group naming nobody, "anna@", only the support address in Reply-To: no requester, and said so', async (t) => {
  const nobody = await inbound(fixture('from-nobody.eml'));
  t.is(nobody.requesterEmail, null);
  t.is(meta(nobody).requester_header, null);
  t.deepEqual(meta(nobody).parse_problems, ['the From header has no usable address']);
  const half = await inbound(mail({ from: 'anna@', subject: 'x', body: 'half an address' }));
  t.is(half.requesterEmail, null, '"anna@" is not an address');
  const loop = await inbound(mail({ from: '"Ann" <>', subject: 'x', body: 'reply to us', headers: { 'Reply-To': `Support <${SUPPORT}>` } }));
  t.is(loop.requesterEmail, null, 'the support address never becomes the requester');
  t.is(loop.replyTo, null);
});

test('a From list whose first entry is empty: the first usable entry', async (t) => {
  const m = await inbound(mail({ from: '"Nobody" <>, Bea <bea@customer.example>', subject: 'x', body: 'hello there' }));
  t.is(m.requesterEmail, 'bea@customer.example');
  t.is(meta(m).requester_header, 'from');
});
