/**
 * A card edit's claim (slack_card_refreshes.claim): one job edits a ticket's card at a time, a crashed job's
 * claim ends with its lease, and lines requested while an edit was on its way stay for the next edit.
 */
import test from 'ava';
import {
  claimRefresh, refreshSent, releaseClaim, renewClaim, requestRefresh,
} from '../../src/db/repositories/slack-card-refreshes.ts';
import { migratedDatabase } from '../kit/database.ts';

test('a second job finds the edit busy; after the first sends, the lines that came meanwhile are left, unclaimed', async (t) => {
  const db = await migratedDatabase(t);
  t.is(await claimRefresh(db.sql, 7, 'job-a', 60), null, 'nothing pending: nothing to claim');
  await requestRefresh(db.sql, 7, ['one', 'two']);
  const claimed = await claimRefresh(db.sql, 7, 'job-a', 60);
  t.deepEqual(claimed, { lines: ['one', 'two'], version: 1 });
  t.is(await claimRefresh(db.sql, 7, 'job-b', 60), 'busy');
  await requestRefresh(db.sql, 7, ['three']);
  t.is(await claimRefresh(db.sql, 7, 'job-b', 60), 'busy', 'a request does not end the claim');
  t.false(await renewClaim(db.sql, 7, 'job-b', 60), 'only the holder renews');
  t.true(await renewClaim(db.sql, 7, 'job-a', 60));
  t.is(await refreshSent(db.sql, 7, 'job-a', 1, 2), 'more');
  t.deepEqual(await claimRefresh(db.sql, 7, 'job-b', 60), { lines: ['three'], version: 2 });
  t.is(await refreshSent(db.sql, 7, 'job-b', 2, 1), 'done');
  t.is(await claimRefresh(db.sql, 7, 'job-c', 60), null);
});

test("a crashed job's claim ends with its lease; a holder that lost its claim changes nothing when it finishes", async (t) => {
  const db = await migratedDatabase(t);
  await requestRefresh(db.sql, 9, ['assigned']);
  t.not(await claimRefresh(db.sql, 9, 'crashed', 60), 'busy');
  t.is(await claimRefresh(db.sql, 9, 'next', 60), 'busy');
  await db.sql.query(`update slack_card_refreshes set claimed_until = now() - interval '1 second' where ticket_id = 9`);
  t.deepEqual(await claimRefresh(db.sql, 9, 'next', 60), { lines: ['assigned'], version: 1 });
  t.false(await renewClaim(db.sql, 9, 'crashed', 60), 'the old holder cannot renew');
  t.is(await refreshSent(db.sql, 9, 'crashed', 1, 1), 'lost', 'nor mark the lines sent');
  await releaseClaim(db.sql, 9, 'crashed');
  t.is(await claimRefresh(db.sql, 9, 'third', 60), 'busy', "nor release the new holder's claim");
  await releaseClaim(db.sql, 9, 'next');
  t.deepEqual(await claimRefresh(db.sql, 9, 'third', 60), { lines: ['assigned'], version: 1 }, 'a released claim is free at once');
});
