import test from 'ava';
import pg from 'pg';
import { loadConfig } from '../../src/config.ts';
import { RATE_LIMIT_TABLE } from '../../src/inbound/rest/rate-limit.ts';
import { api, startTestService, type TestService } from '../kit/service.ts';
import { waitFor } from '../kit/wait.ts';

// Long enough that a burst of four requests on a loaded machine stays inside one window.
const WINDOW_S = 8;
const LIMITS = { RATE_LIMIT_PER_MINUTE: '3', RATE_LIMIT_AUTH_FAILURES_PER_MINUTE: '3', RATE_LIMIT_WINDOW_SECONDS: String(WINDOW_S) };

// One service behind "one proxy": each test is its own client address (the entry the proxy appended).
let proxied: TestService;
test.before(async () => {
  proxied = await startTestService({ ...LIMITS, API_KEYS: 'key-a,key-b,key-c,key-d', TRUST_PROXY: '1' });
});
test.after.always(async () => proxied?.stop());

const from = (address: string, headers: Record<string, string> = {}) => ({ 'x-forwarded-for': address, ...headers });
const list = (base: string, headers: Record<string, string>) => api(base, '/api/v1/requests', { headers });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Windows are aligned on the clock (multiples of their length since the epoch): a test that needs `seconds`
 * inside one window waits for the next one when the current one has less left.
 */
async function roomInWindow(windowSeconds: number, seconds: number): Promise<void> {
  const left = windowSeconds * 1000 - (Date.now() % (windowSeconds * 1000));
  if (left < seconds * 1000) await sleep(left + 50);
}

function assertTooMany(t: import('ava').ExecutionContext, res: Awaited<ReturnType<typeof api>>, what: string): number {
  t.is(res.status, 429, what);
  t.deepEqual(Object.keys(res.json ?? {}).sort(), ['detail', 'status', 'title'], what);
  t.is(res.json.status, 429);
  t.is(res.json.title, 'Too Many Requests');
  const retryAfter = Number(res.headers.get('retry-after'));
  t.true(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= WINDOW_S, `${what}: Retry-After ${res.headers.get('retry-after')}`);
  t.is(res.headers.get('x-content-type-options'), 'nosniff', 'a 429 is hardened like any answer');
  return retryAfter;
}

test('per API key: past the limit 429 with Retry-After, the same key spelled otherwise too; other keys and open routes go on; the next window lets it in', async (t) => {
  const client = from('10.0.1.1');
  await roomInWindow(WINDOW_S, 4);
  for (let i = 0; i < 3; i++) t.is((await list(proxied.baseUrl, { ...client, authorization: 'Bearer key-a' })).status, 200, `request ${i + 1}`);
  const retryAfter = assertTooMany(t, await list(proxied.baseUrl, { ...client, authorization: 'Bearer key-a' }), 'fourth');
  // The key is the bucket, however it is sent and from wherever.
  assertTooMany(t, await list(proxied.baseUrl, { ...from('10.0.1.2'), 'x-api-key': 'key-a' }), 'X-API-Key, other address');
  t.is((await list(proxied.baseUrl, { ...client, 'x-api-key': 'key-b' })).status, 200, 'another key from the same address');
  t.is((await api(proxied.baseUrl, '/health', { headers: client })).status, 200, 'open routes are not limited');
  await sleep(retryAfter * 1000 + 300);
  t.is((await list(proxied.baseUrl, { ...client, authorization: 'Bearer key-a' })).status, 200, 'after Retry-After');
});

test('failed authentications block the address, a correct key included, until the window ends; other addresses are not blocked', async (t) => {
  const attacker = from('10.0.2.1');
  await roomInWindow(WINDOW_S, 4);
  // Every way of failing counts: no key, a wrong Bearer, a wrong X-API-Key.
  for (const headers of [{}, { authorization: 'Bearer guess-1' }, { 'x-api-key': 'guess-2' }] as Record<string, string>[]) {
    t.is((await list(proxied.baseUrl, { ...attacker, ...headers })).status, 401);
  }
  assertTooMany(t, await list(proxied.baseUrl, { ...attacker, authorization: 'Bearer guess-3' }), 'fourth failure');
  // Decided: while blocked, the right key is refused too (no oracle for a guessed key).
  const retryAfter = assertTooMany(t, await list(proxied.baseUrl, { ...attacker, authorization: 'Bearer key-c' }), 'correct key while blocked');
  t.is((await list(proxied.baseUrl, { ...from('10.0.2.2'), authorization: 'Bearer key-c' })).status, 200, 'another address');
  t.is((await api(proxied.baseUrl, '/health', { headers: attacker })).status, 200, 'open routes stay open');
  await sleep(retryAfter * 1000 + 300);
  t.is((await list(proxied.baseUrl, { ...attacker, authorization: 'Bearer key-c' })).status, 200, 'after the window');
});

test('TRUST_PROXY=1: only the entry our proxy appended counts, a client-written X-Forwarded-For prefix does not dodge the block', async (t) => {
  await roomInWindow(WINDOW_S, 4);
  for (let i = 0; i < 3; i++) {
    const res = await list(proxied.baseUrl, from(`192.0.2.${i}, 10.0.3.1`, { authorization: `Bearer wrong-${i}` }));
    t.is(res.status, 401);
  }
  assertTooMany(t, await list(proxied.baseUrl, from('198.51.100.7, 10.0.3.1', { authorization: 'Bearer key-d' })), 'spoofed prefix');
});

test('without TRUST_PROXY, X-Forwarded-For is ignored: an open API is limited per socket address whatever the header says', async (t) => {
  const open = await startTestService({ ...LIMITS, RATE_LIMIT_WINDOW_SECONDS: '60' });
  try {
    await roomInWindow(60, 10);
    for (let i = 0; i < 3; i++) t.is((await list(open.baseUrl, from(`203.0.113.${i}`))).status, 200);
    const res = await list(open.baseUrl, from('203.0.113.99'));
    t.is(res.status, 429);
    t.true(Number(res.headers.get('retry-after')) >= 1);
    t.is((await api(open.baseUrl, '/', { headers: from('203.0.113.100') })).status, 200);
  } finally {
    await open.stop();
  }
});

test('two instances on one PostgreSQL share the limits; no key is stored; a dropped limiter connection changes nothing', async (t) => {
  const env = { ...LIMITS, API_KEYS: 'shared-key,other-key,fresh-key', RATE_LIMIT_PER_MINUTE: '4', RATE_LIMIT_AUTH_FAILURES_PER_MINUTE: '2', RATE_LIMIT_WINDOW_SECONDS: '60' };
  const one = await startTestService(env, { database: 'postgres' });
  let two: TestService | undefined;
  const admin = new pg.Client({ connectionString: one.databaseUrl });
  try {
    two = await startTestService(env, { databaseUrl: one.databaseUrl });
    await admin.connect();
    // Both instances' limiter connections die (failover, restart): no crash, the next requests reconnect.
    t.is((await api(one.baseUrl, '/api/v1/requests', { headers: { authorization: 'Bearer other-key' } })).status, 200);
    t.is((await api(two.baseUrl, '/api/v1/requests', { headers: { authorization: 'Bearer other-key' } })).status, 200);
    const limiterBackends = "select pid from pg_stat_activity where application_name = 'support-triage-rate-limit'";
    const terminated = await admin.query<{ pid: number }>(`select pid, pg_terminate_backend(pid) from (${limiterBackends}) b`);
    t.true((terminated.rowCount ?? 0) >= 2, 'each instance had its own limiter connection');
    // Each instance syncs every 250 ms, so new limiter connections may already be there: wait for the old ones to end.
    const pids = terminated.rows.map((r) => r.pid);
    await waitFor(async () => (await admin.query('select pid from pg_stat_activity where pid = any($1)', [pids])).rowCount === 0, { what: 'limiter connections gone' });
    await sleep(300);

    // Instances share their counts every sync (no query per request): each step waits until both have synced.
    const key = { authorization: 'Bearer shared-key' };
    await roomInWindow(60, 25);
    for (const svc of [one, two, one, two]) {
      t.is((await list(svc.baseUrl, key)).status, 200);
      await bothSynced(admin);
    }
    for (const svc of [one, two]) t.is((await list(svc.baseUrl, key)).status, 429, 'the fifth request over both instances');
    // Another key is not held back by shared-key's limit. Asked with a key unused in this window: other-key's
    // earlier requests left claims that move with each sync, and a claim used up is a 429 before the limit (README).
    t.is((await list(two.baseUrl, { authorization: 'Bearer fresh-key' })).status, 200);

    // Failed authentications on one instance block the address on the other.
    t.is((await list(one.baseUrl, { authorization: 'Bearer guess-1' })).status, 401);
    await bothSynced(admin);
    t.is((await list(two.baseUrl, { authorization: 'Bearer guess-2' })).status, 401);
    await bothSynced(admin);
    t.is((await list(one.baseUrl, { authorization: 'Bearer other-key' })).status, 429);
    t.is((await list(two.baseUrl, { authorization: 'Bearer other-key' })).status, 429);

    const rows = await admin.query<{ key: string }>(`select key from ${RATE_LIMIT_TABLE}`);
    t.true(rows.rows.length >= 2);
    t.false(rows.rows.some((r) => r.key.includes('shared-key') || r.key.includes('other-key')), JSON.stringify(rows.rows));
  } finally {
    await admin.end().catch(() => undefined);
    await two?.stop();
    await one.stop();
  }
});

/**
 * Until every live instance has begun three syncs since now (by the database's clock): the first writes what
 * each has counted, the later ones read the others' counts.
 */
async function bothSynced(admin: pg.Client): Promise<void> {
  for (let round = 0; round < 3; round++) {
    const since = (await admin.query<{ t: Date }>('select clock_timestamp() as t')).rows[0]!.t;
    await waitFor(async () => {
      const { rows } = await admin.query<{ behind: number }>(
        `select count(*)::int as behind from rate_limit_instances where seen_at > now() - interval '3 seconds' and seen_at <= $1`,
        [since],
      );
      return rows[0]!.behind === 0;
    }, { what: 'every instance synced' });
  }
  await sleep(50);
}

test('limits are configuration: 600 requests / 20 failures per 60 s by default, 0 = off; TRUST_PROXY is off by default', (t) => {
  const http = loadConfig({}).http;
  t.deepEqual(http.rateLimit, { requests: 600, authFailures: 20, windowSeconds: 60 });
  t.is(http.trustProxy, 0);
  t.is(loadConfig({ TRUST_PROXY: 'true' }).http.trustProxy, 1);
  t.is(loadConfig({ TRUST_PROXY: '2' }).http.trustProxy, 2);
  t.is(loadConfig({ RATE_LIMIT_PER_MINUTE: '0' }).http.rateLimit.requests, 0);
  for (const [name, value] of [['TRUST_PROXY', 'maybe'], ['RATE_LIMIT_PER_MINUTE', '-1'], ['RATE_LIMIT_WINDOW_SECONDS', '0']] as const) {
    t.throws(() => loadConfig({ [name]: value }), { message: new RegExp(name) }, `${name}=${value}`);
  }
});
