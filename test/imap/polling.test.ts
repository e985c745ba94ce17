/**
 * A server without IDLE: the reader falls back to the IMAP_POLL_CRON schedule and still picks mail up.
 */
import test from 'ava';
import { dovecotAvailable, startDovecot, type Dovecot } from '../helpers/dovecot.ts';
import { waitFor } from '../helpers/service.ts';
import { fixture, newMailbox, readerFor, startService, tickets } from './harness.ts';

const missing = dovecotAvailable();
const serial = missing ? test.serial.skip : test.serial;
let dovecot: Dovecot;
test.before(async () => {
  if (!missing) dovecot = await startDovecot({ noIdle: true });
});
test.after.always(async () => dovecot?.destroy());

serial('without IDLE, new mail is read on the poll schedule', async (t) => {
  const svc = await startService();
  const box = await newMailbox(dovecot, { IMAP_POLL_CRON: '*/2 * * * * *' });
  // A heartbeat far away: only the schedule can pick the mail up.
  const reader = readerFor(svc, box.env, { tuning: { heartbeatMs: 10 * 60_000 } });
  t.teardown(async () => {
    await reader.stop();
    await svc.stop();
  });
  const probe = await dovecot.client(box.user, box.password);
  t.false(probe.capabilities.has('IDLE'), 'the server offers no IDLE');
  await probe.logout();
  reader.start();
  await waitFor(() => reader.health().status === 'connected', { what: 'connected' });
  await dovecot.append(box.user, box.password, 'INBOX', [fixture('plain.eml')]);
  await waitFor(async () => (await tickets(svc)).length === 1, { what: 'mail read by polling', timeoutMs: 20_000 });
});
