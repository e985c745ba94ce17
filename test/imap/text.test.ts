/**
 * Mail carrying text PostgreSQL cannot store (NUL through quoted-printable and encoded words, in the subject,
 * the body, the display name and the Message-ID) through a real Dovecot and the real service: a ticket with
 * the text cleaned, not an error that retries the mail forever.
 */
import { api } from '../kit/service.ts';
import { waitFor } from '../kit/wait.ts';
import { events, openInbox, SUPPORT, tickets, useDovecot } from './harness.ts';

const suite = useDovecot();

const nulMail = (id: string, extra: string[] = []) =>
  Buffer.from(
    [
      'From: =?utf-8?Q?Ana_Li=00ma?= <ana@customer.example>',
      `To: ${SUPPORT}`,
      'Subject: =?utf-8?Q?Login=00_broken?=',
      `Message-ID: <${id}@customer.example>`,
      'Date: Tue, 24 Nov 2026 10:00:00 +0000',
      ...extra,
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: quoted-printable',
      '',
      'Since resetting=00 my password I cannot log in at all.',
      '',
    ].join('\r\n'),
  );

suite.serial('NUL in subject, body and display name: the ticket is stored with the text cleaned', async (t) => {
  const { svc, box, reader } = await openInbox(t, suite.dovecot);
  // A ticket, and an auto-reply (noise: recorded in the audit, its subject in the row's metadata).
  await suite.dovecot.append(box.user, box.password, 'INBOX', [nulMail('nul-0001'), nulMail('nul-auto-0001', ['Auto-Submitted: auto-replied'])]);
  reader.start();
  const [ticket] = await waitFor(async () => {
    const rows = await tickets(svc);
    return rows.length === 1 ? rows : null;
  }, { what: 'the ticket', timeoutMs: 30_000 });
  t.is(ticket!.subject, 'Login broken');
  t.is(ticket!.requester_name, 'Ana Lima');
  t.is(ticket!.body, 'Since resetting my password I cannot log in at all.');
  t.is(ticket!.external_id, '<nul-0001@customer.example>');
  const ignored = await waitFor(async () => (await events(svc)).find((e) => e.verdict === 'ignored'), { what: 'the auto-reply recorded', timeoutMs: 30_000 });
  t.is(ignored.delivery_id, '<nul-auto-0001@customer.example>');
  t.regex(JSON.stringify((await svc.service.db.sql.query<{ metadata: unknown }>("select metadata from inbound_events where source = 'email' and verdict = 'ignored'"))[0]!.metadata), /Login broken/);
  // The reader kept going: health says connected, not failing on a mail it retries forever.
  const health = await api(svc.baseUrl, '/health');
  t.is(health.json.services.imap, 'healthy');
  t.is(health.json.checks.imap.last_error, null);
});
