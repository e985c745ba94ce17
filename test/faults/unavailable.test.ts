/**
 * Which errors mean "the database is unavailable" (503, retry later) and which are bugs (500): real errors
 * from a real driver, not hand-made objects.
 */
import test from 'ava';
import pg from 'pg';
import { isDatabaseUnavailable } from '../../src/db/unavailable.ts';
import { POSTGRES_URL } from '../kit/database.ts';
import { freePort } from '../kit/net.ts';

const failure = async (work: () => Promise<unknown>): Promise<unknown> => {
  try {
    await work();
  } catch (error) {
    return error;
  }
  throw new Error('expected a failure');
};

test('a server that refuses connections, and a pool that cannot connect, are "unavailable"', async (t) => {
  const port = await freePort();
  const client = new pg.Client({ connectionString: `postgres://postgres@127.0.0.1:${port}/x` });
  t.true(isDatabaseUnavailable(await failure(() => client.connect())));
  const pool = new pg.Pool({ connectionString: `postgres://postgres@127.0.0.1:${port}/x`, connectionTimeoutMillis: 500 });
  t.true(isDatabaseUnavailable(await failure(() => pool.query('select 1'))));
  await pool.end();
});

test('a connection terminated by the server (57P01 admin shutdown) is "unavailable"; a later query on it too', async (t) => {
  const victim = new pg.Client({ connectionString: POSTGRES_URL });
  const admin = new pg.Client({ connectionString: POSTGRES_URL });
  await victim.connect();
  await admin.connect();
  victim.on('error', () => undefined);
  t.teardown(async () => {
    await admin.end();
    await victim.end().catch(() => undefined);
  });
  const [{ pid }] = (await victim.query<{ pid: number }>('select pg_backend_pid() as pid')).rows as [{ pid: number }];
  const pending = failure(() => victim.query('select pg_sleep(5)'));
  await new Promise((r) => setTimeout(r, 300));
  await admin.query('select pg_terminate_backend($1)', [pid]);
  const terminated = await pending;
  t.true(isDatabaseUnavailable(terminated), String(terminated));
  t.true(isDatabaseUnavailable(await failure(() => victim.query('select 1'))));
});

test('a failed statement is not "unavailable" (it stays a 500): syntax, missing table, division by zero, wrong parameter count', async (t) => {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  t.teardown(() => client.end());
  t.false(isDatabaseUnavailable(await failure(() => client.query('selec 1'))));
  // 08P01 (protocol violation) is of the connection class, but it is our statement's fault, not an outage.
  const wrongCount = await failure(() => client.query('select $1::int', [1, 2]));
  t.is((wrongCount as { code?: string }).code, '08P01');
  t.false(isDatabaseUnavailable(wrongCount));
  t.is((await client.query('select 1 as one')).rows[0].one, 1, 'the connection is still usable');
  t.false(isDatabaseUnavailable(await failure(() => client.query('select * from no_such_table_here'))));
  t.false(isDatabaseUnavailable(await failure(() => client.query('select 1/0'))));
  t.false(isDatabaseUnavailable(new Error('something else broke')));
  t.false(isDatabaseUnavailable(undefined));
  // Wrapped: a cause chain or an AggregateError is looked through.
  const closedPort = await freePort();
  const refused = await failure(() => new pg.Client({ connectionString: `postgres://postgres@127.0.0.1:${closedPort}/x` }).connect());
  t.true(isDatabaseUnavailable(new Error('ingest failed', { cause: refused })));
  t.true(isDatabaseUnavailable(new AggregateError([new Error('x'), refused])));
});
