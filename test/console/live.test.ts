/**
 * Live updates over real HTTP (src/console/live.ts): /console/live is a session's stream of server-sent events,
 * one per committed ticket change (ticket id and kind, no ticket text), sent from the change's transaction by
 * NOTIFY: a rollback sends nothing; two instances on one PostgreSQL hear each other's changes, also after the
 * listening connection was cut; streams are bounded per session; the service stops fast with a stream open.
 */
import anyTest, { type TestFn } from 'ava';
import pg from 'pg';
import { notifyConsole } from '../../src/db/repositories/console-signals.ts';
import { type ConsoleClient, consoleClient, type LiveStream, openLiveStream, sessionOf, signedIn, ticketSignal } from '../kit/console.ts';
import { api, serveForTest, startTestService, type TestService } from '../kit/service.ts';
import { waitFor } from '../kit/wait.ts';

const test = anyTest.serial as TestFn<{ svc: TestService; agent: ConsoleClient }>;

test.before(async (t) => {
  const svc = await startTestService();
  t.context = { svc, agent: await signedIn(svc.baseUrl, svc.service, 'agent') };
});
test.after.always(async (t) => t.context.svc?.stop());

const HOSTILE_SUBJECT = '<script>alert(1)</script> Secret subject \u202Eevil';

async function newTicket(svc: TestService, subject = 'Cannot export my data'): Promise<number> {
  const res = await api(svc.baseUrl, '/api/v1/requests', { method: 'POST', json: { subject, body: 'The export button does nothing. My card is 4111 1111 1111 1111.', requester_email: 'eve@example.com', requester_name: 'Eve Example' } });
  return res.json.id as number;
}

test('without a session the stream is refused (401), as a page would be redirected; a signed-in one gets an event stream', async (t) => {
  const { svc, agent } = t.context;
  const anonymous = await openLiveStream(svc.baseUrl, undefined);
  t.is(anonymous.status, 401);
  t.notRegex(anonymous.contentType ?? '', /event-stream/);
  const forged = await openLiveStream(svc.baseUrl, 'console_session=not-a-session');
  t.is(forged.status, 401);
  const page = await fetch(`${svc.baseUrl}/console/live`, { redirect: 'manual' });
  t.is(page.status, 302, 'a browser tab opening the address is sent to sign-in');
  const bad = await openLiveStream(svc.baseUrl, agent.cookie, '/console/live?ticket=abc');
  t.is(bad.status, 422);

  const live = await openLiveStream(svc.baseUrl, agent.cookie);
  t.teardown(() => live.close());
  t.is(live.status, 200);
  t.regex(live.contentType ?? '', /^text\/event-stream/);
  await waitFor(() => live.comments.includes('connected'), { what: 'the first comment' });
});

test('a new ticket, a REST change and a reply each reach an open stream, with the ticket id and kind only', async (t) => {
  const { svc, agent } = t.context;
  const live = await openLiveStream(svc.baseUrl, agent.cookie);
  t.teardown(() => live.close());
  const id = await newTicket(svc, HOSTILE_SUBJECT);
  await live.next((e) => ticketSignal(e)?.ticket === id && ticketSignal(e)?.kind === 'created', 'the new ticket');
  await live.next((e) => ticketSignal(e)?.ticket === id && ticketSignal(e)?.kind === 'classified', 'its classification');
  t.is((await api(svc.baseUrl, `/api/v1/requests/${id}`, { method: 'PATCH', json: { assignee: 'U0ELSEWHR' } })).status, 200);
  await live.next((e) => ticketSignal(e)?.ticket === id && ticketSignal(e)?.kind === 'changed', 'the assignment');
  t.is((await agent.post(`/console/tickets/${id}/reply`, { text: 'We are on it.' })).status, 302);
  await live.next((e) => ticketSignal(e)?.ticket === id && ticketSignal(e)?.kind === 'reply', 'the reply');
  for (const e of live.events) {
    t.deepEqual(Object.keys(JSON.parse(e.data)).sort(), e.event === 'ticket' ? ['kind', 'ticket'] : [], e.data);
    t.false(/Secret|script|4111|eve@|Eve|U0ELSEWHR|on it/.test(e.data), `no ticket text in ${e.data}`);
  }
});

test('a ticket page\'s stream hears its ticket only, and is that viewer\'s presence while it is open', async (t) => {
  const { svc, agent } = t.context;
  const mine = await newTicket(svc);
  const other = await newTicket(svc);
  const bea = await sessionOf(svc.service, { userId: 'U0BEA0001', name: 'Bea <b>Viewer</b>', role: 'agent' });
  const live = await openLiveStream(svc.baseUrl, bea, `/console/live?ticket=${mine}`);
  t.teardown(() => live.close());
  await live.next((e) => ticketSignal(e)?.ticket === mine && ticketSignal(e)?.kind === 'presence', 'its own arrival');
  const page = await agent.get(`/console/tickets/${mine}`);
  t.regex(page.text, /Open now: <strong>Bea &lt;b&gt;Viewer&lt;\/b&gt;<\/strong>/, 'another viewer, by name, escaped');
  t.regex((await (await consoleClient(svc.baseUrl, bea)).get(`/console/tickets/${mine}`)).text, /Nobody else has this ticket open/, 'the viewer herself is not "someone else"');
  await api(svc.baseUrl, `/api/v1/requests/${other}`, { method: 'PATCH', json: { status: 'resolved' } });
  await api(svc.baseUrl, `/api/v1/requests/${mine}`, { method: 'PATCH', json: { status: 'resolved' } });
  await live.next((e) => ticketSignal(e)?.ticket === mine && ticketSignal(e)?.kind === 'changed', 'its change');
  t.false(live.events.some((e) => ticketSignal(e)?.ticket === other), 'another ticket\'s change is not sent');
  live.close();
  await waitFor(async () => /Nobody else has this ticket open/.test((await agent.get(`/console/tickets/${mine}`)).text), { what: 'the viewer gone' });
});

test('a change rolled back sends nothing; the committed one after it arrives', async (t) => {
  const { svc, agent } = t.context;
  const live = await openLiveStream(svc.baseUrl, agent.cookie);
  t.teardown(() => live.close());
  await waitFor(() => live.comments.includes('connected'), { what: 'the stream' });
  await t.throwsAsync(svc.service.db.transaction(async (tx) => {
    await notifyConsole(tx, { ticket: 999_001, kind: 'changed' });
    throw new Error('rolled back');
  }), { message: 'rolled back' });
  await svc.service.db.transaction((tx) => notifyConsole(tx, { ticket: 999_002, kind: 'changed' }));
  await live.next((e) => ticketSignal(e)?.ticket === 999_002, 'the committed signal');
  t.false(live.events.some((e) => ticketSignal(e)?.ticket === 999_001));
});

test('a session holds at most 8 streams; the next is refused (that tab polls) and one closing frees a place', async (t) => {
  const { svc } = t.context;
  const viewer = await signedIn(svc.baseUrl, svc.service, 'viewer');
  const open: LiveStream[] = [];
  for (let i = 0; i < 8; i++) {
    const s = await openLiveStream(svc.baseUrl, viewer.cookie);
    t.is(s.status, 200);
    open.push(s);
  }
  t.teardown(() => open.forEach((s) => s.close()));
  t.is((await openLiveStream(svc.baseUrl, viewer.cookie)).status, 429);
  const other = await signedIn(svc.baseUrl, svc.service, 'viewer');
  const elsewhere = await openLiveStream(svc.baseUrl, other.cookie);
  t.is(elsewhere.status, 200, 'another session is not held back');
  elsewhere.close();
  open.pop()!.close();
  await waitFor(async () => {
    const again = await openLiveStream(svc.baseUrl, viewer.cookie);
    if (again.status === 200) open.push(again);
    return again.status === 200;
  }, { what: 'the freed place' });
});

test('the instance-wide bound (CONSOLE_LIVE_STREAMS) refuses one more stream', async (t) => {
  const one = await serveForTest(t, { CONSOLE_LIVE_STREAMS: '1' });
  const a = await signedIn(one.baseUrl, one.service, 'viewer');
  const first = await openLiveStream(one.baseUrl, a.cookie);
  t.teardown(() => first.close());
  t.is(first.status, 200);
  const b = await signedIn(one.baseUrl, one.service, 'viewer');
  t.is((await openLiveStream(one.baseUrl, b.cookie)).status, 429);
});

test('the service stops fast with a stream open, and the stream ends', async (t) => {
  const svc = await serveForTest(t);
  const agent = await signedIn(svc.baseUrl, svc.service, 'agent');
  const id = await newTicket(svc);
  const live = await openLiveStream(svc.baseUrl, agent.cookie, `/console/live?ticket=${id}`);
  await live.next((e) => ticketSignal(e)?.kind === 'presence', 'the stream');
  const started = Date.now();
  await svc.stop();
  const took = Date.now() - started;
  await live.ended;
  t.true(took < 10_000, `stopped in ${took} ms (a stream left open would hold it for the 65 s keep-alive or forever)`);
});

test('two instances on one PostgreSQL: a change on B reaches a stream on A, also after A\'s listening connection was cut', async (t) => {
  const a = await serveForTest(t, {}, { database: 'postgres' });
  const b = await serveForTest(t, {}, { databaseUrl: a.databaseUrl });
  const agent = await signedIn(a.baseUrl, a.service, 'agent');
  const live = await openLiveStream(a.baseUrl, agent.cookie);
  t.teardown(() => live.close());
  await waitFor(() => live.comments.includes('connected'), { what: 'the stream' });
  const id = await newTicket(b);
  await live.next((e) => ticketSignal(e)?.ticket === id && ticketSignal(e)?.kind === 'created', 'B\'s new ticket on A');

  // Cut every listening connection (A's and B's): each opens its own again and tells its consoles to reload.
  const admin = new pg.Client({ connectionString: a.databaseUrl });
  await admin.connect();
  try {
    const cut = await admin.query(`select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'support-triage-console-live' and datname = current_database()`);
    t.true(cut.rowCount! >= 2, 'both instances listen');
  } finally {
    await admin.end();
  }
  await live.next((e) => e.event === 'resync', 'the reload after the break');
  await waitFor(async () => {
    await api(b.baseUrl, `/api/v1/requests/${id}`, { method: 'PATCH', json: { assignee: `U0AFTER${live.events.length}` } });
    return live.events.some((e) => ticketSignal(e)?.ticket === id && ticketSignal(e)?.kind === 'changed');
  }, { what: 'a change after the break', intervalMs: 500 });
  t.pass();
});
