/**
 * The ops monitor on a real database, with observers that say what the test wants: several instances'
 * reports decide together (any one sees the fault: open; all see it fixed: resolve), an instance that stopped
 * reporting does not hold an incident open, a key of an unknown kind is left alone, and the observers turn
 * each part's health into the right reports. Messages escape what they quote.
 */
import test from 'ava';
import { loadConfig } from '../../src/config.ts';
import type { SignalReport } from '../../src/db/repositories/ops-incidents.ts';
import { createOpsMonitor, type IncidentNotifier, type OpsMonitor } from '../../src/ops/monitor.ts';
import { breakerObserver, deadLetterObserver, mailboxObserver } from '../../src/ops/observers.ts';
import { duration, openedMessage, resolvedMessage } from '../../src/slack/jobs/incidents.ts';
import { startTestService, type TestService } from '../kit/service.ts';
import { sleep } from './harness.ts';

let svc: TestService;
test.before(async () => {
  // The service's own monitor stays out of the way (its first round is an hour away).
  svc = await startTestService({ OPS_CHECK_INTERVAL_SECONDS: '3600' });
});
test.after.always(async () => svc?.stop());

function recorder(): IncidentNotifier & { events: string[] } {
  const events: string[] = [];
  return {
    events,
    async opened(_tx, id) { events.push(`opened:${id}`); },
    async resolved(_tx, id) { events.push(`resolved:${id}`); },
  };
}

const ops = (over: Partial<ReturnType<typeof loadConfig>['ops']> = {}) => ({
  ...loadConfig({ NODE_ENV: 'test' }).ops, checkIntervalMs: 100, classifierBreakerOpenMs: 500, ...over,
});

function monitor(reports: () => SignalReport[], notifier: IncidentNotifier, over: Partial<ReturnType<typeof loadConfig>['ops']> = {}): OpsMonitor {
  return createOpsMonitor({ db: svc.service.db, config: ops(over), observers: [reports], notifier, logger: svc.service.logger });
}

async function rows(key: string) {
  return svc.service.db.sql.query<{ id: number; resolved_at: unknown }>('select id, resolved_at from ops_incidents where key = $1 order by id', [key]);
}

test.serial('two instances: one seeing the fault keeps it open, all seeing it fixed resolve it, once', async (t) => {
  const key = 'classifier-breaker';
  const seen = { a: true, b: false };
  const report = (bad: boolean): SignalReport[] => [{ key, title: 'breaker', bad, ...(bad ? { detail: 'circuit open' } : {}) }];
  const na = recorder();
  const nb = recorder();
  const a = monitor(() => report(seen.a), na);
  const b = monitor(() => report(seen.b), nb);
  await a.evaluate();
  await b.evaluate();
  t.deepEqual(await rows(key), [], 'not before its threshold (500 ms)');
  await sleep(700);
  await Promise.all([a.evaluate(), b.evaluate()]);
  await Promise.all([a.evaluate(), b.evaluate()]);
  t.is((await rows(key)).length, 1);
  t.is([...na.events, ...nb.events].filter((e) => e.startsWith('opened')).length, 1, 'opened by exactly one of them');
  // b sees it working, a still not: stays open.
  await b.evaluate();
  t.is((await rows(key)).filter((r) => r.resolved_at === null).length, 1);
  seen.a = false;
  await Promise.all([a.evaluate(), b.evaluate()]);
  await Promise.all([a.evaluate(), b.evaluate()]);
  t.is([...na.events, ...nb.events].filter((e) => e.startsWith('resolved')).length, 1, 'resolved by exactly one of them');
  t.is((await rows(key)).filter((r) => r.resolved_at === null).length, 0);
});

test.serial('an instance that stopped reporting neither opens nor holds an incident', async (t) => {
  const key = 'dead-letters';
  let reporting = true;
  const n = recorder();
  const gone = monitor(() => (reporting ? [{ key, title: 'dead letters', bad: true, detail: '1 waiting' }] : []), n);
  await gone.evaluate();
  t.is((await rows(key)).filter((r) => r.resolved_at === null).length, 1, 'dead letters open at once (a count threshold)');
  reporting = false;
  const survivor = monitor(() => [{ key, title: 'dead letters', bad: false }], n);
  await survivor.evaluate();
  t.is((await rows(key)).filter((r) => r.resolved_at === null).length, 1, 'the other report is still fresh');
  await sleep(5_500); // 3 rounds + 5 s: the stopped instance's report is stale
  await survivor.evaluate();
  t.is((await rows(key)).filter((r) => r.resolved_at === null).length, 0);
});

test.serial('a key of a kind this version does not know is left alone', async (t) => {
  const n = recorder();
  const m = monitor(() => [{ key: 'future-kind:x', title: 'from a newer version', bad: true }], n);
  await m.evaluate();
  await sleep(200);
  await m.evaluate();
  t.deepEqual(await rows('future-kind:x'), []);
  t.deepEqual(n.events, []);
});

test('observers: mailbox, breaker, dead letters', async (t) => {
  const now = Date.parse('2026-12-01T10:00:00Z');
  const state = (over: object) => () => ({ status: 'connected', backlog: 0, last_fetch_at: new Date(now - 1000).toISOString(), last_error: null, ...over });
  t.deepEqual(await mailboxObserver('u/INBOX', state({ status: 'standby' }), () => now)(), [], 'a standby reader reports nothing');
  const byKey = async (o: () => unknown) => Object.fromEntries(((await o()) as SignalReport[]).map((r) => [r.key, r.bad]));
  t.deepEqual(await byKey(mailboxObserver('u/INBOX', state({}), () => now)), { 'mailbox-login:u/INBOX': false, 'mailbox-unread:u/INBOX': false });
  t.deepEqual(
    await byKey(mailboxObserver('u/INBOX', state({ status: 'failing', last_error: { message: 'AUTHENTICATIONFAILED', kind: 'auth', at: '' } }), () => now)),
    { 'mailbox-login:u/INBOX': true, 'mailbox-unread:u/INBOX': false },
    'a failing login is one incident, not two',
  );
  t.deepEqual(
    await byKey(mailboxObserver('u/INBOX', state({ status: 'failing', last_error: { message: 'ECONNREFUSED', kind: 'transient', at: '' } }), () => now)),
    { 'mailbox-login:u/INBOX': false, 'mailbox-unread:u/INBOX': true },
  );
  t.deepEqual(
    await byKey(mailboxObserver('u/INBOX', state({ backlog: 5, last_fetch_at: new Date(now - 120_000).toISOString() }), () => now)),
    { 'mailbox-login:u/INBOX': false, 'mailbox-unread:u/INBOX': true },
    'mail waiting and no progress for two minutes',
  );
  t.deepEqual(await byKey(mailboxObserver('u/INBOX', state({ backlog: 5 }), () => now)), { 'mailbox-login:u/INBOX': false, 'mailbox-unread:u/INBOX': false }, 'reading right now');

  t.deepEqual(await breakerObserver(() => ({}))(), [], 'local-only: no breaker');
  t.deepEqual(await byKey(breakerObserver(() => ({ circuit: 'half-open' }))), { 'classifier-breaker': true }, 'half-open is not working yet');
  t.deepEqual(await byKey(breakerObserver(() => ({ circuit: 'closed' }))), { 'classifier-breaker': false });

  t.deepEqual(await byKey(deadLetterObserver(async () => ({ 'slack-alert': 0 }), 0)), { 'dead-letters': false });
  t.deepEqual(await byKey(deadLetterObserver(async () => ({ 'slack-alert': 2, classify: 1 }), 2)), { 'dead-letters': true });
  t.deepEqual(await byKey(deadLetterObserver(async () => ({ 'slack-alert': 2 }), 2)), { 'dead-letters': false }, 'at the threshold is not above it');
});

test('messages escape what they quote and say how long it lasted', (t) => {
  const since = new Date('2026-12-01T10:00:00Z');
  const incident = {
    id: 1, key: 'webhook:generic', title: 'Webhook door <!channel> generic', detail: 'reason: <@U123> & <http://evil|click>',
    since, openedAt: since, resolvedAt: new Date(since.getTime() + 12 * 60_000), resolutionPostedAt: null,
  };
  for (const m of [openedMessage(incident), resolvedMessage(incident)]) {
    const all = JSON.stringify(m);
    t.false(all.includes('<!channel>'));
    t.false(all.includes('<@U123>'));
    t.false(all.includes('<http://evil'));
  }
  t.regex(resolvedMessage(incident).text, /^Resolved after 12 min/);
  t.is(duration(since, new Date(since.getTime() + 45_000)), '45 s');
  t.is(duration(since, new Date(since.getTime() + 185 * 60_000)), '3 h 05 min');
  t.is(duration(since, new Date(since.getTime() + 50 * 3600_000)), '2 d 2 h');
});
