/**
 * A server without IDLE: the reader falls back to the IMAP_POLL_CRON schedule and still picks mail up.
 */
import { waitFor } from '../helpers/service.ts';
import { fixture, newMailbox, readerFor, startService, tickets, useDovecot } from './harness.ts';

const suite = useDovecot({ noIdle: true });
const serial = suite.serial;

serial('without IDLE, new mail is read on the poll schedule', async (t) => {
  const svc = await startService();
  const box = await newMailbox(suite.dovecot, { IMAP_POLL_CRON: '*/2 * * * * *' });
  // A heartbeat far away: only the schedule can pick the mail up.
  const reader = readerFor(svc, box.env, { tuning: { heartbeatMs: 10 * 60_000 } });
  t.teardown(async () => {
    await reader.stop();
    await svc.stop();
  });
  const probe = await suite.dovecot.client(box.user, box.password);
  t.false(probe.capabilities.has('IDLE'), 'the server offers no IDLE');
  await probe.logout();
  reader.start();
  await waitFor(() => reader.health().status === 'connected', { what: 'connected' });
  await suite.dovecot.append(box.user, box.password, 'INBOX', [fixture('plain.eml')]);
  await waitFor(async () => (await tickets(svc)).length === 1, { what: 'mail read by polling', timeoutMs: 20_000 });
});
