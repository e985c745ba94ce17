/**
 * Keeping a blocked sender's message as spam: its delivery's audit row (verdict `suppressed`, with what the
 * console's Spam view shows) and its block's count are written in ONE transaction, so a crash leaves neither. A
 * delivery kept already (a webhook retried, a REST external_id sent again) is recorded as a duplicate and not
 * counted again; a mailbox read again (recordOnce) records nothing more. Concurrent messages are group-committed,
 * as ingest's new tickets are: a flood from one blocked sender shares statements, a commit and the lock on its
 * block's row instead of queueing on that row one transaction at a time.
 */
import type { Database } from '../db/database.ts';
import { type InboundEventRow, insertInboundEvents } from '../db/repositories/inbound-events.ts';
import { countSuppressed, keptAsSpamAlready } from '../db/repositories/sender-blocks.ts';
import type { Sql } from '../db/sql.ts';
import type { InboundMessage } from '../domain/inbound-message.ts';
import type { ActiveBlock } from '../domain/sender-block.ts';
import { createGroupCommit } from '../lib/group-commit.ts';
import { auditRow } from './audit.ts';
import type { Delivery } from './delivery.ts';

export interface SpamItem {
  delivery: Delivery;
  block: ActiveBlock;
  /** The message, normalized. */
  msg: InboundMessage;
}

/** `again`: the delivery was kept before; nothing more is counted. */
export type SpamKept = 'kept' | 'again';

export function createSpamKeeper(db: Database): (item: SpamItem) => Promise<SpamKept> {
  const alone = (item: SpamItem) => db.transaction((tx) => keepSpam(tx, [item])).then((r) => r[0]!);
  return createGroupCommit<SpamItem, SpamKept>({
    maxGroupSize: 200,
    // PGlite is one connection; on PostgreSQL two groups may be written at once.
    maxInFlight: db.kind === 'pglite' ? 1 : 2,
    async write(items) {
      try {
        return await db.transaction((tx) => keepSpam(tx, items));
      } catch (error) {
        if (items.length === 1) return [error instanceof Error ? error : new Error(String(error))];
        // One bad item must not fail its neighbours: each on its own.
        const settled = await Promise.allSettled(items.map(alone));
        return settled.map((s) => (s.status === 'fulfilled' ? s.value : s.reason instanceof Error ? s.reason : new Error(String(s.reason))));
      }
    },
  });
}

/** Keeps the items inside `tx`: audit rows, duplicates' rows and the blocks' counts. */
export async function keepSpam(tx: Sql, items: SpamItem[]): Promise<SpamKept[]> {
  const rows = items.map(({ delivery: d, block, msg }) => {
    const spam = {
      block_id: block.id, from: msg.requesterEmail ?? null, name: msg.requesterName ?? null, subject: msg.subject ?? null, excerpt: msg.body.slice(0, 500),
    };
    return auditRow({ ...d, metadata: { ...d.metadata, spam } }, 'suppressed', null, `sender blocked (block ${block.id})`);
  });
  // Keyed as stored (auditRow cleans and cuts the id), so a retry finds its first copy.
  const keyOf = (r: InboundEventRow) => (r.deliveryId ? `${r.source}\n${r.deliveryId}` : null);
  const seen = await keptAsSpamAlready(tx, rows.filter((r) => r.deliveryId).map((r) => ({ source: r.source, deliveryId: r.deliveryId! })));
  const writes: InboundEventRow[] = [];
  const counted: number[] = [];
  const outcomes = items.map((item, i): SpamKept => {
    const key = keyOf(rows[i]!);
    if (key && seen.has(key)) {
      if (!item.delivery.recordOnce) writes.push(auditRow(item.delivery, 'duplicate', null, `kept as spam already (sender blocked, block ${item.block.id})`));
      return 'again';
    }
    if (key) seen.add(key); // a second copy in this group
    writes.push(rows[i]!);
    counted.push(item.block.id);
    return 'kept';
  });
  await insertInboundEvents(tx, writes);
  await countSuppressed(tx, counted);
  return outcomes;
}
