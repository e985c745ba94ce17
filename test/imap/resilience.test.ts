/**
 * The inbox never loses and never doubles: the server going away mid-fetch, a frozen connection, the
 * service dying between commit and acknowledge, a UIDVALIDITY change, bad credentials, a 20 MB mail.
 */
import { api, type TestService } from '../kit/service.ts';
import { waitFor } from '../kit/wait.ts';
import { events, fixture, folder, mail, openInbox, tickets, useDovecot } from './harness.ts';

const suite = useDovecot();
const serial = suite.serial;

const numbered = (n: number, prefix: string) =>
  Array.from({ length: n }, (_, i) => mail({ from: `c${i}@customer.example`, subject: `${prefix} ${i}`, body: `Request number ${i}, please help.`, messageId: `<${prefix}-${i}@customer.example>` }));

async function countDistinct(svc: TestService): Promise<{ total: number; distinct: number }> {
  const [row] = await svc.service.db.sql.query<{ total: number; distinct: number }>(
    `select count(*)::int as total, count(distinct external_id)::int as distinct from tickets where source = 'email'`,
  );
  return row!;
}

serial('the server going away mid-fetch and coming back: every mail stored exactly once, all acknowledged', async (t) => {
  // Registered first, so it runs last (after the reader and the service stopped).
  t.teardown(() => suite.dovecot.start()); // whatever happened, the next test gets its server back
  // The server dies after the third batch is committed, before it is flagged: mid-mailbox, mid-fetch.
  let batches = 0;
  let outage: Promise<void> | undefined;
  const { svc, box, reader } = await openInbox(t, suite.dovecot, {
    reader: {
      tuning: { batchSize: 10 },
      beforeAcknowledge: async () => {
        if (++batches === 3) await (outage = suite.dovecot.stop());
      },
    },
  });
  await suite.dovecot.append(box.user, box.password, 'INBOX', numbered(150, 'outage'));
  reader.start();
  await waitFor(() => batches >= 3, { what: 'the outage', timeoutMs: 20_000 });
  await outage;
  const down = await waitFor(async () => {
    const h = (await api(svc.baseUrl, '/health')).json.checks.imap;
    return h.status === 'failing' ? h : null;
  }, { what: 'health shows failing' });
  t.truthy(down.last_error.message);
  t.is(down.last_error.kind, 'transient');
  t.is((await countDistinct(svc)).total, 30, 'three batches stored before the outage');
  await suite.dovecot.start();
  await suite.dovecot.append(box.user, box.password, 'INBOX', numbered(5, 'after'));
  await waitFor(async () => (await countDistinct(svc)).total >= 155, { what: 'all 155 stored', timeoutMs: 60_000 });
  t.deepEqual(await countDistinct(svc), { total: 155, distinct: 155 });
  await waitFor(async () => (await folder(suite.dovecot, box)).every((m) => m.seen), { what: 'all \\Seen' });
  t.is((await api(svc.baseUrl, '/health')).json.checks.imap.status, 'connected');
  // The third batch was stored but not flagged when the server died: re-read and skipped, not doubled.
  t.is((await events(svc)).filter((e) => e.verdict === 'duplicate').length, 10);
});

serial('killed between store and flag: the restarted reader stores nothing twice, records the duplicates and flags them', async (t) => {
  let crashes = 0;
  const { svc, box, reader: first, addReader } = await openInbox(t, suite.dovecot, {
    reader: {
      beforeAcknowledge: () => {
        crashes++;
        throw new Error('simulated crash between commit and flag');
      },
    },
  });
  await suite.dovecot.append(box.user, box.password, 'INBOX', numbered(20, 'crash'));
  first.start();
  await waitFor(() => crashes > 0 && true, { what: 'crash point reached', timeoutMs: 20_000 });
  await first.stop();
  t.is((await countDistinct(svc)).total, 20, 'committed before the crash');
  t.true((await folder(suite.dovecot, box)).every((m) => !m.seen), 'nothing acknowledged');

  const second = addReader();
  second.start();
  await waitFor(async () => (await folder(suite.dovecot, box)).every((m) => m.seen), { what: 'all \\Seen after restart', timeoutMs: 20_000 });
  t.deepEqual(await countDistinct(svc), { total: 20, distinct: 20 });
  const dups = (await events(svc)).filter((e) => e.verdict === 'duplicate');
  t.true(dups.length >= 20, 'every re-read mail recorded as a skipped duplicate');
});

serial('a frozen server (silent IDLE) is detected and the reader recovers when it answers again', async (t) => {
  const { svc, box, reader } = await openInbox(t, suite.dovecot, { reader: { tuning: { heartbeatMs: 300, commandTimeoutMs: 1_000 } } });
  t.teardown(() => suite.dovecot.thaw()); // registered last, so it runs first: the reader stops on a live server
  reader.start();
  await waitFor(() => reader.health().status === 'connected', { what: 'connected' });
  suite.dovecot.freeze();
  const h = await waitFor(() => (reader.health().status === 'failing' ? reader.health() : null), { what: 'dead connection noticed', timeoutMs: 15_000 });
  t.regex(h.last_error!.message, /no answer within|timed? ?out|closed/i);
  suite.dovecot.thaw();
  await suite.dovecot.append(box.user, box.password, 'INBOX', [fixture('plain.eml')]);
  await waitFor(async () => (await tickets(svc)).length === 1, { what: 'mail after recovery', timeoutMs: 30_000 });
  t.is(reader.health().status, 'connected');
});

serial('UIDVALIDITY change: the mailbox is rescanned, new mail is stored, old mail is not doubled', async (t) => {
  const { svc, box, reader } = await openInbox(t, suite.dovecot, { env: { IMAP_MAILBOX: 'Support' } });
  await suite.dovecot.append(box.user, box.password, 'Support', numbered(5, 'old'));
  reader.start();
  await waitFor(async () => (await countDistinct(svc)).total === 5, { what: 'first five' });
  const [cursor1] = await svc.service.db.sql.query<{ uid_validity: string }>('select uid_validity::text from mailbox_cursors');
  // Recreate the folder (new UIDVALIDITY) with the old mail restored and a new one. Dovecot may refuse an
  // APPEND racing the recreation ("deleted under us"): retry it like any client would.
  const c = await suite.dovecot.client(box.user, box.password);
  await c.mailboxDelete('Support');
  await c.mailboxCreate('Support');
  for (const m of [...numbered(5, 'old'), ...numbered(1, 'new')]) {
    for (let attempt = 0; ; attempt++) {
      try {
        await c.append('Support', m);
        break;
      } catch (error) {
        if (attempt >= 20) throw error;
        // TRYCREATE: the folder is not there (yet) for this session; create it again (it may exist by now).
        if ((error as { serverResponseCode?: string }).serverResponseCode === 'TRYCREATE') await c.mailboxCreate('Support').catch(() => undefined);
        await new Promise((r) => setTimeout(r, 100 + attempt * 50));
      }
    }
  }
  await c.logout();
  await waitFor(async () => (await countDistinct(svc)).total === 6, { what: 'new mail after rescan', timeoutMs: 30_000 });
  await waitFor(async () => (await folder(suite.dovecot, box, 'Support')).every((m) => m.seen), { what: 'all \\Seen' });
  t.deepEqual(await countDistinct(svc), { total: 6, distinct: 6 });
  const [cursor2] = await svc.service.db.sql.query<{ uid_validity: string; last_uid: number }>('select uid_validity::text, last_uid from mailbox_cursors');
  t.not(cursor2!.uid_validity, cursor1!.uid_validity);
  t.is((await events(svc)).filter((e) => e.verdict === 'duplicate').length, 5);
});

serial('bad credentials: health says failing with an auth error, and the reader recovers once the login works', async (t) => {
  const { svc, box, reader } = await openInbox(t, suite.dovecot, { readerEnv: (b) => ({ ...b.env, IMAP_USER: `late-${b.user}` }) });
  reader.start();
  const h = await waitFor(async () => {
    const x = (await api(svc.baseUrl, '/health')).json;
    return x.checks.imap.status === 'failing' ? x : null;
  }, { what: 'auth failure in health' });
  t.is(h.checks.imap.last_error.kind, 'auth');
  t.is(h.status, 'degraded');
  await suite.dovecot.addUser(`late-${box.user}`, box.password);
  await suite.dovecot.append(`late-${box.user}`, box.password, 'INBOX', [fixture('plain.eml')]);
  await waitFor(async () => (await tickets(svc)).length === 1, { what: 'mail after the fix', timeoutMs: 20_000 });
  t.is(reader.health().last_error, null);
});

serial('a 20 MB attachment is recorded without its content and does not block the mail behind it; processed/failed folders', async (t) => {
  const { svc, box, reader } = await openInbox(t, suite.dovecot, { env: { IMAP_PROCESSED_MAILBOX: 'Done', IMAP_FAILED_MAILBOX: 'Failed', IMAP_ATTACHMENT_MAX_BYTES: String(1024 * 1024) } });
  const big = Buffer.alloc(20 * 1024 * 1024, 7).toString('base64').replace(/.{76}/g, '$&\r\n');
  const large = Buffer.from(
    [
      'From: Big <big@customer.example>', 'To: support@triage.test', 'Subject: Full disk image attached', 'Message-ID: <big-0001@customer.example>',
      'MIME-Version: 1.0', 'Content-Type: multipart/mixed; boundary="b"', '', '--b', 'Content-Type: text/plain; charset=utf-8', '',
      'The disk image of the failing server is attached.', '--b', 'Content-Type: application/octet-stream; name="disk.img"',
      'Content-Disposition: attachment; filename="disk.img"', 'Content-Transfer-Encoding: base64', '', big, '--b--', '',
    ].join('\r\n'),
  );
  // Bytes that are not a mail at all: no header, no sender, nothing readable.
  const junk = Buffer.from(Array.from({ length: 3000 }, (_, i) => (i % 97 === 96 ? 10 : 0x80 + ((i * 37) % 120))));
  await suite.dovecot.append(box.user, box.password, 'INBOX', [large, junk, fixture('plain.eml')]);
  reader.start();
  await waitFor(async () => (await folder(suite.dovecot, box, 'Done')).length === 2 && (await folder(suite.dovecot, box, 'Failed')).length === 1, {
    what: 'moved to Done and Failed', timeoutMs: 60_000,
  });
  t.is((await folder(suite.dovecot, box)).length, 0);
  t.true((await folder(suite.dovecot, box, 'Done')).every((m) => m.seen));
  const rows = await tickets(svc);
  t.deepEqual(rows.map((r) => r.external_id).sort(), ['<big-0001@customer.example>', '<plain-0001@customer.example>']);
  const [att] = await svc.service.db.sql.query<{ filename: string; size: number; has_content: boolean }>(
    'select filename, size, content is not null as has_content from attachments',
  );
  t.is(att!.filename, 'disk.img');
  t.is(att!.size, 20 * 1024 * 1024);
  t.false(att!.has_content);
  const failed = (await events(svc)).filter((e) => e.verdict === 'failed');
  t.is(failed.length, 1);
  t.regex(failed[0]!.reason, /unparseable/);
});
