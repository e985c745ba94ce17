/**
 * The registry of places is complete: every table of ours with a text or JSON column is either an erasure
 * place or named as holding no personal data (a new table must choose). And an erasure that crashes between
 * two batches is finished by the next run, once, whatever was left.
 */
import test from 'ava';
import { createKeywordClassifier } from '../../src/classify/keyword.ts';
import { ERASURE_PLACES, NO_PERSONAL_DATA } from '../../src/db/repositories/privacy-places.ts';
import { erase, parseSubject, resumeErasures } from '../../src/privacy/erase.ts';
import { createLogger } from '../../src/lib/logger.ts';
import { api, serveForTest } from '../kit/service.ts';
import { waitFor } from '../kit/wait.ts';
import { scanAllTables } from './harness.ts';

test.serial('every table with text or JSON columns is a place or declared free of personal data', async (t) => {
  const svc = await serveForTest(t, {}, { classifier: createKeywordClassifier() });
  const tables = await svc.service.db.sql.query<{ table_name: string }>(
    `select distinct table_name from information_schema.columns
      where table_schema = 'public' and data_type in ('text', 'character varying', 'jsonb', 'json', 'bytea') order by 1`,
  );
  const known = new Set([...ERASURE_PLACES.map((p) => p.name), ...NO_PERSONAL_DATA]);
  t.deepEqual(tables.map((r) => r.table_name).filter((name) => !known.has(name)), []);
  t.true(tables.length > 15);
});

test.serial('a crash between two batches: the erasure stays running, the next run finishes it, nothing is done twice', async (t) => {
  const svc = await serveForTest(t, {}, { classifier: createKeywordClassifier() });
  const ids: number[] = [];
  for (let i = 0; i < 5; i++) {
    const res = await api(svc.baseUrl, '/api/v1/requests', { method: 'POST', json: { subject: `Crash test ${i}`, body: `Hi, Quentin Crashley here, ticket ${i}.`, requester_email: 'quentin@crash.test', requester_name: 'Quentin Crashley' } });
    ids.push(res.json.id);
  }
  await waitFor(async () => (await api(svc.baseUrl, `/api/v1/requests/${ids[4]}`)).json.status !== 'processing', { what: 'classified' });
  const logger = createLogger('silent');
  let batches = 0;
  const crashing = {
    db: svc.service.db, logger, batchSize: 2,
    afterBatch: async () => {
      batches++;
      throw new Error('crash after the first batch');
    },
  };
  await t.throwsAsync(erase(crashing, parseSubject('email', 'quentin@crash.test'), 'anonymise', 'test'), { message: /crash/ });
  t.is(batches, 1);
  const [running] = await svc.service.db.sql.query<{ state: string }>(`select state from erasures order by id desc limit 1`);
  t.is(running!.state, 'running');
  const left = await scanAllTables(svc.service.db.sql, ['quentin', 'crashley']);
  t.true((left['public.tickets.requester_email'] ?? 0) === 3, `two of five erased: ${JSON.stringify(left)}`);

  t.is(await resumeErasures({ db: svc.service.db, logger }), 1);
  t.is(await resumeErasures({ db: svc.service.db, logger }), 0, 'finished: nothing to resume');
  const [done] = await svc.service.db.sql.query<{ state: string; counts: Record<string, number> }>(`select state, counts from erasures order by id desc limit 1`);
  t.is(done!.state, 'done');
  t.is(done!.counts.tickets, 5, 'each ticket counted once');
  await waitFor(async () => Object.keys(await scanAllTables(svc.service.db.sql, ['quentin', 'crashley'])).length === 0, { what: 'nothing left' });
});
