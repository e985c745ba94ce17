/**
 * The inbox door against a real Dovecot, through the real service: what a support team sees in tickets,
 * follow-ups and the audit trail for each kind of mail, and what is left on the server.
 */
import test from 'ava';
import { api, type TestService } from '../kit/service.ts';
import { waitFor } from '../kit/wait.ts';
import type { Teardown } from '../kit/database.ts';
import { events, fixture, folder, mail, openInbox, SUPPORT, tickets, useDovecot } from './harness.ts';

const suite = useDovecot();
const serial = suite.serial;

const withInbox = (t: Teardown, env: Record<string, string> = {}) => openInbox(t, suite.dovecot, { env });

serial('plain, HTML-only, attachments and legacy charsets become readable tickets; mail is flagged \\Seen only after', async (t) => {
  const { svc, box, reader } = await withInbox(t);
  const names = ['plain.eml', 'html-only.eml', 'multipart-attachments.eml', 'iso-2022-jp.eml', 'shift-jis.eml', 'windows-1252.eml'];
  await suite.dovecot.append(box.user, box.password, 'INBOX', names.map(fixture));
  reader.start();
  const rows = await waitFor(async () => {
    const r = await tickets(svc);
    return r.length === names.length ? r : null;
  }, { what: 'six tickets', timeoutMs: 20_000 });

  const by = (id: string) => rows.find((r) => r.external_id === id)!;
  const plain = by('<plain-0001@customer.example>');
  t.is(plain.subject, 'Cannot log in after password reset');
  t.is(plain.requester_email, 'alice@customer.example');
  t.is(plain.requester_name, 'Alice Example');
  t.regex(plain.body, /invalid credentials/);

  const html = by('<html-only-0001@customer.example>');
  t.regex(html.body, /INV-2026-118 was charged twice/);
  t.notRegex(html.body, /<p>|<b>|color:red/);

  const attach = by('<attach-0001@customer.example>');
  t.deepEqual(attach.participants, ['dave@customer.example']);
  const files = await svc.service.db.sql.query<{ filename: string; content_type: string; size: number; has_content: boolean }>(
    'select filename, content_type, size, content is not null as has_content from attachments where ticket_id = $1 order by filename',
    [attach.id],
  );
  t.deepEqual(files.map((f) => [f.filename, f.content_type, f.has_content]), [['export-log.pdf', 'application/pdf', true], ['screen.png', 'image/png', true]]);
  t.true(files[0]!.size > 500);

  t.is(by('<jis-0001@customer.example>').subject, 'ログインできません');
  t.regex(by('<jis-0001@customer.example>').body, /パスワードを再設定しても同じエラー/);
  t.is(by('<jis-0001@customer.example>').requester_name, '山田');
  t.is(by('<sjis-0001@customer.example>').subject, '請求書について');
  t.regex(by('<sjis-0001@customer.example>').body, /請求書の金額が間違っています/);
  t.is(by('<cp1252-0001@customer.example>').subject, 'Facture erronée – 120 €');
  t.regex(by('<cp1252-0001@customer.example>').body, /120 € au lieu de 100 €. « Merci » – Zoë/);

  // The API shows the same ticket, and every mail is marked read on the server.
  const viaApi = await api(svc.baseUrl, `/api/v1/requests/${plain.id}`);
  t.is(viaApi.json.source, 'email');
  await waitFor(async () => (await folder(suite.dovecot, box)).every((m) => m.seen), { what: 'all \\Seen' });
  const health = await api(svc.baseUrl, '/health');
  t.is(health.json.checks.imap.status, 'connected');
  t.is(health.json.checks.imap.backlog, 0);
  t.truthy(health.json.checks.imap.last_fetch_at);
});

serial('broken MIME still makes a ticket; mail without Message-ID is stored once even when delivered twice', async (t) => {
  const { svc, box, reader } = await withInbox(t);
  await suite.dovecot.append(box.user, box.password, 'INBOX', [fixture('broken-mime.eml'), fixture('no-message-id.eml'), fixture('no-message-id.eml')]);
  reader.start();
  await waitFor(async () => (await events(svc)).some((e) => e.verdict === 'duplicate'), { what: 'duplicate recorded', timeoutMs: 20_000 });
  const rows = await tickets(svc);
  t.is(rows.length, 2);
  const broken = rows.find((r) => r.subject === 'App crashes on start')!;
  t.regex(broken.body, /crashes right after the splash screen/);
  const refund = rows.find((r) => r.subject === 'Where is my refund?')!;
  t.regex(refund.external_id!, /^<no-message-id\.[0-9a-f]{40}@support-triage\.invalid>$/);
  const dup = (await events(svc)).filter((e) => e.verdict === 'duplicate');
  t.is(dup.length, 1);
  t.is(dup[0]!.ticket_id, refund.id);
  // The duplicate is acknowledged too (after it was recorded): nothing stays unread.
  await waitFor(async () => (await folder(suite.dovecot, box)).every((m) => m.seen), { what: 'all \\Seen' });
});

serial('a reply threads onto the ticket as a follow-up; a stranger replying to the same thread gets a new ticket', async (t) => {
  const { svc, box, reader } = await withInbox(t);
  reader.start();
  await suite.dovecot.append(box.user, box.password, 'INBOX', [fixture('plain.eml')]);
  const [first] = await waitFor(async () => {
    const r = await tickets(svc);
    return r.length === 1 ? r : null;
  }, { what: 'first ticket' });
  await suite.dovecot.append(box.user, box.password, 'INBOX', [
    fixture('reply-with-quote.eml'),
    mail({ from: 'Mallory <mallory@elsewhere.example>', subject: `Re: [#${first!.id}] Cannot log in`, body: 'I have the same problem, please look at my account.', inReplyTo: '<plain-0001@customer.example>' }),
  ]);
  const followups = await waitFor(async () => {
    const m = await svc.service.db.sql.query<{ ticket_id: number; body: string; full_body: string | null; author_email: string }>(
      'select ticket_id, body, full_body, author_email from ticket_messages',
    );
    return m.length === 1 && (await tickets(svc)).length === 2 ? m : null;
  }, { what: 'follow-up and stranger ticket', timeoutMs: 20_000 });
  t.is(followups[0]!.ticket_id, first!.id);
  t.is(followups[0]!.author_email, 'alice@customer.example');
  // The ticket shows the new text; the quoted history and signature stay in the full text.
  t.is(followups[0]!.body, 'It works again after clearing the cookies, thank you!');
  t.regex(followups[0]!.full_body ?? '', /Please try clearing your cookies/);
  const stranger = (await tickets(svc)).find((r) => r.requester_email === 'mallory@elsewhere.example');
  t.truthy(stranger);
  t.not(stranger!.id, first!.id);
});

serial('out-of-office, bounces, delay notices and mail from the support address create no ticket; the bounce names its ticket', async (t) => {
  const { svc, box, reader } = await withInbox(t);
  await suite.dovecot.append(box.user, box.password, 'INBOX', [fixture('plain.eml')]);
  reader.start();
  const [ticket] = await waitFor(async () => {
    const r = await tickets(svc);
    return r.length === 1 ? r : null;
  }, { what: 'ticket' });
  await suite.dovecot.append(box.user, box.password, 'INBOX', [
    fixture('out-of-office.eml'),
    fixture('out-of-office-subject-only.eml'),
    fixture('bounce-dsn.eml'),
    fixture('bounce-plain.eml'),
    fixture('delay-notice.eml'),
    mail({ from: `Support <${SUPPORT}>`, subject: 'Re: Cannot log in after password reset', body: 'We are looking into it.' }),
  ]);
  const ignored = await waitFor(async () => {
    const e = (await events(svc)).filter((x) => x.verdict === 'ignored');
    return e.length === 6 ? e : null;
  }, { what: 'six ignored mails', timeoutMs: 20_000 });
  t.is((await tickets(svc)).length, 1);
  t.is((await svc.service.db.sql.query('select 1 from ticket_messages')).length, 0);
  const reason = (id: string) => ignored.find((e) => e.delivery_id === id)!;
  t.regex(reason('<ooo-0001@customer.example>').reason, /^auto-reply: Auto-Submitted/);
  t.regex(reason('<ooo-0002@customer.example>').reason, /^auto-reply: out-of-office subject/);
  t.regex(reason('<bounce-0001@mx.triage.test>').reason, /^bounce: delivery-status report with Action: failed/);
  t.is(reason('<bounce-0001@mx.triage.test>').ticket_id, ticket!.id);
  t.regex(reason('<bounce-0002@mail.customer.example>').reason, /^bounce: /);
  t.regex(reason('<delay-0001@mx.triage.test>').reason, /^delay: /);
  t.true(ignored.some((e) => /^loop: sent by the support address/.test(e.reason)));
  // Noise is acknowledged like any handled mail, so it is not read again.
  await waitFor(async () => (await folder(suite.dovecot, box)).every((m) => m.seen), { what: 'all \\Seen' });
});

serial('raw GBK, Shift_JIS and Big5 headers become readable tickets, names and attachment filenames, in the API too', async (t) => {
  const { svc, box, reader } = await withInbox(t);
  const names = ['gbk-raw-headers.eml', 'shift-jis-raw-headers.eml', 'big5-raw-headers.eml'];
  await suite.dovecot.append(box.user, box.password, 'INBOX', names.map(fixture));
  reader.start();
  const rows = await waitFor(async () => {
    const r = await tickets(svc);
    return r.length === names.length ? r : null;
  }, { what: 'three tickets', timeoutMs: 20_000 });
  const by = (id: string) => rows.find((r) => r.external_id === id)!;
  const gbk = by('<gbk-raw-0001@customer.example>');
  t.is(gbk.subject, '关于发票金额的问题');
  t.is(gbk.requester_name, '张伟');
  t.regex(gbk.body, /发票金额不对/);
  t.is(by('<sjis-raw-0001@customer.example>').subject, 'パスワードを再設定できません');
  t.is(by('<sjis-raw-0001@customer.example>').requester_name, '山田太郎');
  t.is(by('<big5-raw-0001@customer.example>').subject, '無法登入帳號，密碼重設後仍然錯誤');
  t.is(by('<big5-raw-0001@customer.example>').requester_name, '陳小明');

  const viaApi = await api(svc.baseUrl, `/api/v1/requests/${gbk.id}`);
  t.is(viaApi.json.subject, '关于发票金额的问题');
  t.is(viaApi.json.requester_name, '张伟');
  t.deepEqual(viaApi.json.attachments.map((a: { filename: string }) => a.filename), ['发票扫描件.pdf']);
  const sjisApi = await api(svc.baseUrl, `/api/v1/requests/${by('<sjis-raw-0001@customer.example>').id}`);
  t.deepEqual(sjisApi.json.attachments.map((a: { filename: string }) => a.filename), ['スクリーンショット.png']);
  for (const r of rows) t.false(`${r.subject}${r.requester_name}`.includes('\uFFFD'), r.external_id ?? '');
});

serial('Reply-To is shown as reply_to and never replaces the requester: the customer still threads, a stranger does not, support in Reply-To is no loop', async (t) => {
  const { svc, box, reader } = await withInbox(t);
  reader.start();
  await suite.dovecot.append(box.user, box.password, 'INBOX', [
    mail({ from: 'Ann <ann@customer.example>', subject: 'Invoice 77 is wrong', body: 'The amount on invoice 77 is wrong.', messageId: '<rt-0001@customer.example>', headers: { 'Reply-To': 'Billing Team <billing@customer.example>' } }),
  ]);
  const [first] = await waitFor(async () => {
    const r = await tickets(svc);
    return r.length === 1 ? r : null;
  }, { what: 'first ticket' });
  t.is(first!.requester_email, 'ann@customer.example');
  t.is(first!.requester_name, 'Ann');
  const shown = await api(svc.baseUrl, `/api/v1/requests/${first!.id}`);
  t.is(shown.json.requester_email, 'ann@customer.example');
  t.is(shown.json.reply_to, 'billing@customer.example');

  await suite.dovecot.append(box.user, box.password, 'INBOX', [
    // Ann answers from her own address; her mailer sets the same Reply-To again.
    mail({ from: 'Ann <ann@customer.example>', subject: 'Re: Invoice 77 is wrong', body: 'Here is the invoice number again: 77.', messageId: '<rt-0002@customer.example>', inReplyTo: '<rt-0001@customer.example>', headers: { 'Reply-To': 'billing@customer.example' } }),
    // A stranger answering the same thread, naming Ann's address as Reply-To, gets a ticket of their own.
    mail({ from: 'mallory@elsewhere.example', subject: 'Re: Invoice 77 is wrong', body: 'Please send the refund to me instead.', messageId: '<rt-0003@elsewhere.example>', inReplyTo: '<rt-0001@customer.example>', headers: { 'Reply-To': 'ann@customer.example' } }),
    // A customer whose Reply-To names the support address is still a customer.
    mail({ from: 'bob@customer.example', subject: 'Cannot export', body: 'The export button does nothing.', messageId: '<rt-0004@customer.example>', headers: { 'Reply-To': SUPPORT } }),
    // Our own mail with a customer's Reply-To is still our own mail.
    mail({ from: `Support <${SUPPORT}>`, subject: 'Re: Invoice 77 is wrong', body: 'We are on it.', messageId: '<rt-0005@triage.test>', headers: { 'Reply-To': 'ann@customer.example' } }),
  ]);
  const all = await waitFor(async () => {
    const r = await tickets(svc);
    const ignored = (await events(svc)).filter((e) => e.verdict === 'ignored');
    return r.length === 3 && ignored.length === 1 ? r : null;
  }, { what: 'follow-up, two new tickets and one ignored mail', timeoutMs: 20_000 });

  const detail = await api(svc.baseUrl, `/api/v1/requests/${first!.id}`);
  t.is(detail.json.messages.length, 1);
  t.is(detail.json.messages[0].author_email, 'ann@customer.example');
  t.is(detail.json.messages[0].reply_to, 'billing@customer.example');
  t.is(detail.json.requester_email, 'ann@customer.example', 'the follow-up did not change the requester');

  const stranger = all.find((r) => r.external_id === '<rt-0003@elsewhere.example>')!;
  t.is(stranger.requester_email, 'mallory@elsewhere.example');
  t.is((await api(svc.baseUrl, `/api/v1/requests/${stranger.id}`)).json.reply_to, 'ann@customer.example');
  const bob = all.find((r) => r.external_id === '<rt-0004@customer.example>')!;
  t.is(bob.requester_email, 'bob@customer.example');
  t.is((await api(svc.baseUrl, `/api/v1/requests/${bob.id}`)).json.reply_to, null);
  const ignored = (await events(svc)).filter((e) => e.verdict === 'ignored');
  t.is(ignored[0]!.delivery_id, '<rt-0005@triage.test>');
  t.regex(ignored[0]!.reason, /^loop: /);
});

serial('every mail gets its verdict in the audit trail: the new ticket, its follow-up, a re-delivered copy and an auto-reply, each under its Message-ID', async (t) => {
  const { svc, box, reader } = await withInbox(t);
  const first = mail({ from: 'Eve <eve@customer.example>', subject: 'VPN drops every hour', body: 'The VPN disconnects every hour.', messageId: '<audit-0001@customer.example>' });
  await suite.dovecot.append(box.user, box.password, 'INBOX', [
    first,
    mail({ from: 'Eve <eve@customer.example>', subject: 'Re: VPN drops every hour', body: 'It also happens on Wi-Fi.', messageId: '<audit-0002@customer.example>', inReplyTo: '<audit-0001@customer.example>' }),
    first,
    mail({ from: 'Eve <eve@customer.example>', subject: 'Out of office', body: 'I am away until Monday.', messageId: '<audit-0003@customer.example>', headers: { 'Auto-Submitted': 'auto-replied' } }),
  ]);
  reader.start();
  const recorded = await waitFor(async () => {
    const e = await events(svc);
    return e.length === 4 ? e : null;
  }, { what: 'four verdicts', timeoutMs: 20_000 });
  const [ticket] = await tickets(svc);
  t.deepEqual(
    recorded.map((e) => [e.delivery_id, e.verdict, e.ticket_id]).sort(),
    [
      ['<audit-0001@customer.example>', 'accepted', ticket!.id],
      ['<audit-0001@customer.example>', 'duplicate', ticket!.id],
      ['<audit-0002@customer.example>', 'followup', ticket!.id],
      ['<audit-0003@customer.example>', 'ignored', null],
    ].sort(),
  );
});
