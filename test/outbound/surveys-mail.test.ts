/**
 * A survey to an e-mail ticket, by the survey job through the real e-mail sender to a real SMTP server: automatic
 * mail (Auto-Submitted: auto-generated) from CSAT_FROM, threaded on the ticket ([#id], In-Reply-To), with the
 * page's link; the job run again (a retry, another instance) sends nothing more.
 */
import test from 'ava';
import pino from 'pino';
import type { ImapMailbox } from '../../src/config/mailbox.ts';
import { createEmailSender } from '../../src/outbound/email.ts';
import { sendSurvey } from '../../src/outbound/surveys/send-job.ts';
import { planSurvey } from '../../src/ingest/surveys.ts';
import { holidayCalendar } from '../../src/domain/holidays.ts';
import { parseWeeklyHours } from '../../src/domain/business-hours.ts';
import { SUPPORT } from '../imap/harness.ts';
import { api, startTestService, type TestService } from '../kit/service.ts';
import { startFakeSmtp, type FakeSmtp } from '../kit/smtp.ts';

let svc: TestService;
let smtp: FakeSmtp;
test.before(async () => {
  svc = await startTestService({ RUN_WORKER: 'false' });
  smtp = await startFakeSmtp();
});
test.after.always(async () => {
  await smtp?.close();
  await svc?.stop();
});

test('the survey mail: automatic, from CSAT_FROM, on the ticket\'s thread, with its link; sent once', async (t) => {
  const mailbox = { id: 'support', supportAddress: SUPPORT, smtp: { host: '127.0.0.1', port: smtp.port, secure: false, user: undefined, password: undefined } } as ImapMailbox;
  const sender = createEmailSender({ mailboxes: [mailbox], db: svc.service.db.sql, timeoutMs: 5_000 });
  t.teardown(() => sender.close());
  const created = await svc.service.ingest({ source: 'email', externalId: '<ask-1@customer.example>', subject: 'Cannot export', body: 'Export fails', requesterEmail: 'ann@customer.example', requesterName: 'Ann', metadata: { mailbox_id: 'support' } });
  await api(svc.baseUrl, `/api/v1/requests/${created.ticketId}`, { method: 'PATCH', json: { status: 'resolved' } });
  const survey = await svc.service.db.transaction((tx) => planSurvey(tx, created.ticketId!, new Date()));
  const csat = { delayMinutes: 0, samplePercent: 100, from: 'csat@triage.test', badScore: 2, reopenOnBad: false, hours: '24/7', calendar: { timeZone: 'UTC', week: parseWeeklyHours('24/7'), isHoliday: holidayCalendar(undefined, []) } };
  const deps = { db: svc.service.db, queue: svc.service.queue, senders: [sender], csat, publicUrl: 'https://triage.example.com/', messageIdDomain: 'triage.test', logger: pino({ level: 'silent' }) };
  const job = { id: 'j1', data: { surveyId: survey.id }, retryCount: 0 } as never;
  await sendSurvey(deps, job);
  await sendSurvey(deps, job);
  t.is(smtp.received.length, 1, 'once');
  const mail = smtp.received[0]!;
  t.is(mail.headers['auto-submitted'], 'auto-generated');
  t.regex(mail.headers.from!, /csat@triage\.test/);
  t.regex(mail.headers.subject!, new RegExp(`\\[#${created.ticketId}\\]`));
  t.is(mail.headers['in-reply-to'], '<ask-1@customer.example>');
  t.regex(mail.headers['message-id']!, new RegExp(`^<survey-${survey.id}\\.`));
  // Quoted-printable: long lines are folded with soft breaks.
  t.true(mail.raw.replace(/=\r?\n/g, '').includes(`https://triage.example.com/survey/${survey.token}`));
  const [row] = await svc.service.db.sql.query<{ state: string }>('select state from csat_surveys where id = $1', [survey.id]);
  t.is(row!.state, 'sent');
});
