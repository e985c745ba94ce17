/**
 * A server without IDLE: the reader falls back to the IMAP_POLL_CRON schedule and still picks mail up.
 */
import { waitFor } from '../kit/wait.ts';
import { fixture, openInbox, tickets, useDovecot } from './harness.ts';

const suite = useDovecot({ noIdle: true });
const serial = suite.serial;

serial('without IDLE, new mail is read on the poll schedule', async (t) => {
  // A heartbeat far away: only the schedule can pick the mail up.
  const { svc, box, reader } = await openInbox(t, suite.dovecot, { env: { IMAP_POLL_CRON: '*/2 * * * * *' }, reader: { tuning: { heartbeatMs: 10 * 60_000 } } });
  const probe = await suite.dovecot.client(box.user, box.password);
  t.false(probe.capabilities.has('IDLE'), 'the server offers no IDLE');
  await probe.logout();
  reader.start();
  await waitFor(() => reader.health().status === 'connected', { what: 'connected' });
  await suite.dovecot.append(box.user, box.password, 'INBOX', [fixture('plain.eml')]);
  await waitFor(async () => (await tickets(svc)).length === 1, { what: 'mail read by polling', timeoutMs: 20_000 });
});
