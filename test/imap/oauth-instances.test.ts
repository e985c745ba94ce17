/**
 * Two service instances on one PostgreSQL database, one OAuth2 mailbox whose refresh token rotates on every
 * use: only the mailbox reader refreshes, no rotation is lost, and the standby takes over with the stored
 * (rotated) token although its environment still names the spent original.
 */
import { randomBytes } from 'node:crypto';
import { waitFor } from '../kit/wait.ts';
import { joinInbox, mail, openInbox, tickets } from './harness.ts';
import { oauthEnv, useOAuthDovecot } from './oauth-harness.ts';

const suite = useOAuthDovecot();
const serial = suite.serial;

serial('two instances: one refreshes, none spends a rotated-away token, the standby takes over with the stored one', async (t) => {
  const fake = suite.fake;
  // One environment (one refresh token) for both readers: joinInbox reuses the first inbox's.
  const first = await openInbox(t, suite.dovecot, { service: { database: 'postgres' }, readerEnv: (box) => oauthEnv(fake, box) });
  const second = await joinInbox(t, first);
  const { svc: a, box, reader: readerA } = first;
  const { svc: b, reader: readerB } = second;
  const rejected = fake.stats.rejected.length;
  readerA.start();
  readerB.start();
  const send = async (n: number) => {
    await suite.dovecot.append(box.user, box.password, 'INBOX', [mail({ from: 'x@customer.example', subject: `Pair ${n}`, body: 'Please help.', messageId: `<pair-${n}-${randomBytes(3).toString('hex')}@customer.example>` })]);
    await waitFor(async () => (await tickets(a)).length === n, { what: `mail ${n}`, timeoutMs: 30_000 });
  };
  for (let n = 1; n <= 4; n++) {
    await send(n);
    await new Promise((r) => setTimeout(r, 2_000)); // about two token lifetimes in all
  }
  const [active, standby] = readerA.health().status === 'standby' ? [readerB, readerA] : [readerA, readerB];
  t.is(standby.health().status, 'standby');
  t.true((active.health().oauth as { renewals: number }).renewals >= 2);
  t.is((standby.health().oauth as { renewals: number }).renewals, 0, 'the standby never refreshed');
  await active.stop();
  await send(5);
  t.is(standby.health().status, 'connected');
  t.true((standby.health().oauth as { renewals: number }).renewals >= 1, 'the standby refreshed with the stored token');
  t.is(fake.stats.rejected.length, rejected, 'no refresh with a token rotated away');
  t.is(new Set((await tickets(b)).map((r) => r.external_id)).size, 5);
});
