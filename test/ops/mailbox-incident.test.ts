/**
 * A mailbox whose login fails (Dovecot, wrong password) becomes one ops incident, not two (the "mail not read"
 * incident does not repeat what the login one says), and /health shows the refused login under the door.
 */
import { startFakeSlack } from '../kit/fake-slack.ts';
import { api } from '../kit/service.ts';
import { waitFor } from '../kit/wait.ts';
import { newMailbox, useDovecot } from '../imap/harness.ts';
import { incidentMessages, incidentRows, sleep, startOpsService } from './harness.ts';

const imap = useDovecot();
const { serial } = imap;

serial('mailbox login failing: one incident message, the refused login in /health doors', async (t) => {
  const box = await newMailbox(imap.dovecot);
  const fake = await startFakeSlack();
  const svc = await startOpsService(fake, { ...box.env, IMAP_PASSWORD: 'not-the-password', OPS_MAILBOX_NOT_READ_SECONDS: '1' });
  t.teardown(async () => {
    await svc.stop();
    await fake.close();
  });
  const [message] = await waitFor(() => { const m = incidentMessages(fake); return m.length ? m : undefined; }, { timeoutMs: 20_000, what: 'the incident message' });
  t.regex(message!.text, new RegExp(`Mailbox ${box.user}/INBOX: login or token refresh failing`));
  await sleep(4_000);
  t.is(incidentMessages(fake).length, 1, 'one message; "not read" is not posted on top of it');
  t.deepEqual((await incidentRows(svc)).map((r) => r.key), [`mailbox-login:${box.user}/INBOX`]);

  const health = await api(svc.baseUrl, '/health');
  const door = health.json.doors[`imap:${box.user}/INBOX`];
  t.is(door.last_rejection_reason, 'login');
  t.truthy(door.last_rejected_at);
  t.is(door.last_accepted_at, null);
  t.is(health.json.checks.imap.status, 'failing');
});

serial('a mailbox that reads its mail opens nothing; its accepted mail shows in /health doors', async (t) => {
  const box = await newMailbox(imap.dovecot);
  const fake = await startFakeSlack();
  const svc = await startOpsService(fake, { ...box.env, OPS_MAILBOX_NOT_READ_SECONDS: '3' });
  t.teardown(async () => {
    await svc.stop();
    await fake.close();
  });
  await imap.dovecot.append(box.user, box.password, 'INBOX', [[
    'From: Ann <ann@example.com>', `To: ${box.user}@triage.test`, 'Subject: Printer on fire', 'Message-ID: <ops-1@example.com>', '', 'It is on fire.', '',
  ].join('\r\n')]);
  await waitFor(async () => (await api(svc.baseUrl, '/health')).json.doors[`imap:${box.user}/INBOX`].last_accepted_at, { timeoutMs: 20_000, what: 'the mail read' });
  await sleep(5_000);
  t.is(incidentMessages(fake).length, 0);
  t.deepEqual(await incidentRows(svc), []);
});
