/**
 * Grouping tickets into incidents, on the database (PGlite, or PostgreSQL in a PostgreSQL run): the Nth similar
 * ticket of a category within the window opens an incident with the ones before it; later ones join; other
 * categories, other problems, short texts and old tickets do not count; an open incident is joined after the
 * window has passed; a closed incident's tickets never open another; a ticket grouped again (its verdicts never
 * stored) keeps its verdict; a ticket taken out takes its kept signature along; two instances grouping the same flood
 * at the same moment open one incident (PostgreSQL, always).
 */
import test from 'ava';
import pino from 'pino';
import { loadConfig } from '../../src/config.ts';
import { openDatabase, type Database } from '../../src/db/database.ts';
import { closeIncidentRow, takeOutTicket } from '../../src/db/repositories/incidents.ts';
import { groupIntoIncidents, type GroupedTicket } from '../../src/ingest/incident-grouping.ts';
import { createRecentSignatures, type RecentSignatures } from '../../src/ingest/recent-signatures.ts';
import { minhash, similarity } from '../../src/domain/minhash.ts';
import { createTestDatabase, migratedDatabase } from '../kit/database.ts';

const SETTINGS = { minTickets: 3, windowMs: 10 * 60_000, similarity: 0.25 };
const NAMES = ['Ana', 'Ben', 'Chloe', 'Dev', 'Eli', 'Fay'];

const outage = (i: number) =>
  `Hello, since this morning our payments page answers with a gateway timeout whenever a customer tries to pay by card, so we cannot take any orders. Account ${7100 + i}. Regards, ${NAMES[i % NAMES.length]}`;
const OTHER = 'Could you tell me how to add a second administrator to our workspace and whether that changes the price of our plan?';

let seq = 0;
async function ticket(db: Database, body: string, category = 'technical', subject: string | null = 'Payments down'): Promise<GroupedTicket> {
  const [row] = await db.sql.query<{ id: number }>(`insert into tickets (source, external_id, subject, body, category, status) values ('api', $1, $2, $3, $4, 'open') returning id`, [`g-${++seq}`, subject, body, category]);
  return { id: row!.id, category: category as GroupedTicket['category'], subject, body };
}
/** Each instance (database handle) keeps its own recent signatures, as each service does. */
const memories = new WeakMap<Database, RecentSignatures>();
const group = (db: Database, tickets: GroupedTicket[], now?: Date) => {
  if (!memories.has(db)) memories.set(db, createRecentSignatures());
  return db.transaction((tx) => groupIntoIncidents(tx, SETTINGS, tickets, memories.get(db)!, now));
};
const incidentIds = async (db: Database) => (await db.sql.query<{ id: number; incident_id: number | null }>('select id, incident_id from tickets order by id')).map((r) => r.incident_id);

test('the signature: the same text alike, one customer\'s words like another\'s, another problem not', (t) => {
  t.deepEqual(minhash(outage(1)), minhash(outage(1)));
  t.is(similarity(minhash(outage(1)), minhash(outage(1))), 1);
  t.true(similarity(minhash(outage(1)), minhash(outage(2))) >= SETTINGS.similarity);
  t.true(similarity(minhash(outage(1)), minhash(OTHER)) < 0.05);
  t.is(similarity([1, 2], [1, 2, 3]), 0, 'signatures of another size never match');
});

test('the third similar ticket opens an incident with the two before it; the next joins; others stay out', async (t) => {
  const db = await migratedDatabase(t);
  const first = await group(db, [await ticket(db, outage(0)), await ticket(db, OTHER)]);
  t.is(first.size, 0);
  t.is((await group(db, [await ticket(db, outage(1))])).size, 0, 'two alike: not yet');
  // The same problem in another category, and a text too short to compare, count for nothing.
  await group(db, [await ticket(db, outage(2), 'billing'), await ticket(db, 'payments down again', 'technical', null)]);
  const third = await ticket(db, outage(3));
  const opened = await group(db, [third]);
  const id = opened.get(third.id)?.incidentId;
  t.deepEqual(opened.get(third.id), { incidentId: id!, opened: true, announce: true });
  const fourth = await ticket(db, outage(4));
  t.deepEqual((await group(db, [fourth])).get(fourth.id), { incidentId: id!, opened: false, announce: true });
  t.deepEqual(await incidentIds(db), [id, null, id, null, null, id, id]);
  const [incident] = await db.sql.query<{ title: string; category: string }>('select title, category from incidents');
  t.deepEqual(incident, { title: 'Payments down', category: 'technical' });
});

test('one batch: its tickets are grouped in id order; an open incident is joined after the window; a closed one is not', async (t) => {
  const db = await migratedDatabase(t);
  const batch = [await ticket(db, outage(0)), await ticket(db, outage(1)), await ticket(db, outage(2)), await ticket(db, outage(3))];
  const verdicts = await group(db, batch);
  t.deepEqual(batch.map((b) => verdicts.get(b.id)?.opened), [undefined, undefined, true, false]);
  t.deepEqual(batch.map((b) => verdicts.get(b.id)?.announce), [undefined, undefined, true, false], 'one card refresh asked for per batch');
  const id = verdicts.get(batch[2]!.id)!.incidentId;
  // An hour later: the window's signatures are gone, the incident's own are kept.
  const later = new Date(Date.now() + 3_600_000);
  const late = await ticket(db, outage(4));
  t.is((await group(db, [late], later)).get(late.id)?.incidentId, id);
  t.is((await db.sql.query('select 1 from ticket_fingerprints where ticket_id = $1', [batch[0]!.id])).length, 0, 'old signatures pruned');

  await db.transaction((tx) => closeIncidentRow(tx, id, 'test'));
  const after = [await ticket(db, outage(5)), await ticket(db, outage(0))];
  t.is((await group(db, after, later)).size, 0, 'a closed incident takes no one; its tickets open no new one');
  t.deepEqual((await incidentIds(db)).slice(-2), [null, null]);
});

test('grouped again after a crash before its verdicts were stored: each ticket gets the verdict it had, in this or another process', async (t) => {
  const db = await migratedDatabase(t);
  const batch = [await ticket(db, outage(0)), await ticket(db, outage(1)), await ticket(db, outage(2)), await ticket(db, outage(3))];
  const first = await group(db, batch);
  t.deepEqual(batch.map((b) => first.get(b.id)?.opened), [undefined, undefined, true, false]);
  // The classify job runs again: in the same process, then in a new one (its recent signatures empty).
  t.deepEqual(await group(db, batch), first, 'the first two keep their own cards; the others stay on the incident\'s card');
  const fresh = createRecentSignatures();
  t.deepEqual(await db.transaction((tx) => groupIntoIncidents(tx, SETTINGS, batch, fresh)), first);
  t.is((await db.sql.query('select 1 from incidents')).length, 1);
  t.deepEqual(await incidentIds(db), batch.map(() => first.get(batch[2]!.id)!.incidentId), 'every ticket in it once');
});

test('two instances grouping the same flood at the same moment open one incident (PostgreSQL)', async (t) => {
  const pg = await createTestDatabase();
  t.teardown(() => pg.drop());
  const open = async () => {
    const db = await openDatabase(loadConfig({ DATABASE_URL: pg.url }).database, pino({ level: 'silent' }), { poolSize: 2 });
    t.teardown(() => db.close());
    return db;
  };
  const [a, b] = [await open(), await open()];
  await a.migrate();
  await group(a, [await ticket(a, outage(0)), await ticket(a, outage(1))]);
  for (let round = 0; round < 5; round++) {
    const [x, y] = [await ticket(a, outage(2 + round)), await ticket(b, outage(3 + round))];
    // Both transactions have read before either commits, unless the lock keeps the second waiting.
    await Promise.all([group(a, [x]), group(b, [y])]);
  }
  const incidents = await a.sql.query<{ n: number }>('select count(*)::int as n from incidents');
  t.is(incidents[0]!.n, 1);
  t.true((await incidentIds(a)).every((i) => i !== null), 'every ticket of the flood in it');
});

test('a ticket taken out takes its signature along: once the window has passed, a ticket like it alone does not join', async (t) => {
  const db = await migratedDatabase(t);
  const flood = [await ticket(db, outage(0)), await ticket(db, outage(1)), await ticket(db, outage(2))];
  const id = (await group(db, flood)).get(flood[2]!.id)!.incidentId;
  const odd = await ticket(db, `${OTHER} We also see a gateway timeout on the payments page now and then.`);
  // Joined by hand (as a person might have grouped it), then taken out again.
  await db.transaction(async (tx) => {
    const [kept] = await tx.query<{ minhashes: unknown[] }>('select minhashes from incidents where id = $1', [id]);
    await tx.query('update tickets set incident_id = $1 where id = $2', [id, odd.id]);
    await tx.query(`update incidents set minhashes = $2::jsonb where id = $1`, [id, JSON.stringify([...kept!.minhashes, { ticket: odd.id, minhash: minhash(`Payments down\n${odd.body}`) }])]);
  });
  t.true(await db.transaction((tx) => takeOutTicket(tx, id, odd.id)));
  const later = new Date(Date.now() + 3_600_000);
  const again = await ticket(db, odd.body);
  t.is((await group(db, [again], later)).size, 0, 'nothing kept of the ticket taken out');
  const [left] = await db.sql.query<{ tickets: number[] }>(`select array(select (k->>'ticket')::int from jsonb_array_elements(minhashes) k order by 1) as tickets from incidents where id = $1`, [id]);
  t.deepEqual(left!.tickets, flood.map((f) => f.id));
});
