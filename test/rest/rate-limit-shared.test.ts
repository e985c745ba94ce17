/**
 * The rate limits shared between instances through PostgreSQL (no query per request, one sync per instance
 * every 250 ms): two instances hammered at once give the key its limit, at most one more per instance; with PostgreSQL down each
 * instance keeps its share of every window (neither closed nor open), and sharing resumes when it is back.
 * Each "instance" is createRateLimits with its own pool and id, as two service processes have.
 */
import test from 'ava';
import pg from 'pg';
import pino from 'pino';
import { loadConfig } from '../../src/config.ts';
import { openDatabase } from '../../src/db/database.ts';
import { createRateLimits, type RateLimits } from '../../src/inbound/rest/rate-limit.ts';
import { HttpError } from '../../src/lib/http-error.ts';
import { createTestDatabase } from '../kit/database.ts';
import { startPgCluster } from '../kit/pg-cluster.ts';
import { sleep, waitFor } from '../kit/wait.ts';

const logger = pino({ level: 'silent' });

async function migrated(url: string): Promise<void> {
  const db = await openDatabase(loadConfig({ DATABASE_URL: url }).database, logger, { poolSize: 2 });
  try {
    await db.migrate();
  } finally {
    await db.close();
  }
}

/** 'ok', or the 429's Retry-After in seconds. */
async function attempt(limits: RateLimits, address: string): Promise<'ok' | number> {
  try {
    await limits.request({ address });
    return 'ok';
  } catch (error) {
    if (error instanceof HttpError && error.status === 429) return Number(error.headers['Retry-After']);
    throw error;
  }
}

test('two instances hammered at once: the key gets its limit, and at most one more per instance (the claims\' rounding)', async (t) => {
  const database = await createTestDatabase();
  t.teardown(() => database.drop());
  await migrated(database.url);
  // A day's window: the test never straddles two windows (they are aligned on midnight UTC).
  const cfg = { requests: 100, authFailures: 0, windowSeconds: 86_400 };
  const instances = [await createRateLimits(cfg, database.url, logger), await createRateLimits(cfg, database.url, logger)];
  t.teardown(() => Promise.all(instances.map((i) => i.close())));
  t.true(instances.every((i) => i.store === 'postgresql'));
  await sleep(1_000); // a few syncs: each knows the other is live

  // Each instance serves a stream of requests of one client, as fast as it can; a 429 for a used-up claim
  // (Retry-After 1: the next sync) is retried, one for the limit (the window's end) stops that stream.
  const hammer = async (limits: RateLimits) => {
    let accepted = 0;
    for (;;) {
      const verdict = await attempt(limits, '198.51.100.9');
      if (verdict === 'ok') accepted += 1;
      else if (verdict > 1) return accepted;
      else await sleep(5);
      await new Promise((r) => setImmediate(r));
    }
  };
  const [one, two] = await Promise.all(instances.map(hammer));
  const total = one! + two!;
  t.log(`accepted: ${one} + ${two} = ${total}`);
  t.true(total >= 100, `the limit is reached over both (${total})`);
  t.true(total <= 102, `at most the limit + one per instance (${total})`);
  t.true(one! > 0 && two! > 0, 'both served the client');
});

test('PostgreSQL down: each instance keeps its share of every window (not closed, not open); the counts are shared again once it is back', async (t) => {
  const cluster = await startPgCluster();
  t.teardown(() => cluster.destroy());
  await migrated(cluster.url);
  const windowSeconds = 2;
  const cfg = { requests: 10, authFailures: 4, windowSeconds };
  const one = await createRateLimits(cfg, cluster.url, logger, { syncMs: 100 });
  const two = await createRateLimits(cfg, cluster.url, logger, { syncMs: 100 });
  t.teardown(() => Promise.all([one.close(), two.close()]));
  const admin = new pg.Client({ connectionString: cluster.url });
  await admin.connect();
  await waitFor(async () => (await admin.query("select count(*)::int as n from rate_limit_instances where seen_at > now() - interval '1 second'")).rows[0].n === 2, {
    what: 'both instances live',
  });
  await sleep(300); // both have synced since: each knows there are two
  await admin.end();

  cluster.stop();
  await sleep(300); // a failed sync or two
  const windowMs = windowSeconds * 1000;
  const windowStarts = async () => {
    // The start of the next window, with time to spare before its end.
    const next = Math.floor(Date.now() / windowMs) + 1;
    await waitFor(() => Math.floor(Date.now() / windowMs) === next && Date.now() % windowMs < 200, { intervalMs: 5 });
  };
  for (const round of [1, 2]) {
    await windowStarts();
    const answers = await Promise.all(Array.from({ length: 12 }, () => attempt(one, '203.0.113.1')));
    t.is(answers.filter((a) => a === 'ok').length, 5, `window ${round} of the outage: half of 10 on this instance`);
    let blocked = 0;
    for (let i = 0; i < 4; i++) await one.failedAuthentication('192.0.2.1').catch(() => (blocked += 1));
    t.is(blocked, 2, `window ${round}: 2 of 4 failed authentications counted, then 429`);
    await t.throwsAsync(one.assertNotBlocked('192.0.2.1'), { instanceOf: HttpError }, 'blocked for the rest of the window');
  }

  cluster.start();
  const admin2 = new pg.Client({ connectionString: cluster.url });
  await admin2.connect();
  t.teardown(() => admin2.end());
  await windowStarts();
  t.is(await attempt(two, '203.0.113.77'), 'ok');
  await waitFor(async () => (await admin2.query("select count(*)::int as n from rate_limit_counts where limiter = 'api'")).rows[0].n >= 1, {
    what: 'counts written again',
  });
  const keys = (await admin2.query<{ key: string }>('select key from rate_limit_counts')).rows.map((r) => r.key);
  t.true(keys.every((k) => /^[\w-]{22}$/.test(k)), 'keys are hashes, not addresses');
});

test('hostile client addresses (very long, unicode) are limited like any, and stored as fixed-size hashes', async (t) => {
  const database = await createTestDatabase();
  t.teardown(() => database.drop());
  await migrated(database.url);
  const limits = await createRateLimits({ requests: 3, authFailures: 0, windowSeconds: 86_400 }, database.url, logger);
  t.teardown(() => limits.close());
  const hostile = `${'ĉ'.repeat(50_000)}\u0000🦀${"'; drop table tickets; --"}`;
  const answers = [];
  for (let i = 0; i < 5; i++) answers.push(await attempt(limits, hostile));
  t.deepEqual(answers.map((a) => a === 'ok'), [true, true, true, false, false]);
  const admin = new pg.Client({ connectionString: database.url });
  await admin.connect();
  t.teardown(() => admin.end());
  const rows = await waitFor(async () => {
    const { rows } = await admin.query<{ key: string; count: number }>('select key, count from rate_limit_counts');
    return rows.length ? rows : undefined;
  }, { what: 'the count shared' });
  t.deepEqual(rows.map((r) => [r.key.length, r.count]), [[22, 3]]);
});

test('an instance that stops frees its spare claim: the other then gets the rest of the limit', async (t) => {
  const database = await createTestDatabase();
  t.teardown(() => database.drop());
  await migrated(database.url);
  const cfg = { requests: 10, authFailures: 0, windowSeconds: 86_400 };
  const stopping = await createRateLimits(cfg, database.url, logger, { syncMs: 100 });
  const staying = await createRateLimits(cfg, database.url, logger, { syncMs: 100 });
  t.teardown(() => Promise.all([stopping.close(), staying.close()]));
  await sleep(500); // each knows the other is live
  t.is(await attempt(stopping, '198.51.100.20'), 'ok');
  await sleep(500); // its count and claim are written
  await stopping.close();
  let accepted = 0;
  for (let tries = 0; tries < 400; tries++) {
    const verdict = await attempt(staying, '198.51.100.20');
    if (verdict === 'ok') accepted += 1;
    else if (verdict > 1) break;
    else await sleep(25);
  }
  t.is(accepted, 9, 'the limit less the one the stopped instance accepted');
});
