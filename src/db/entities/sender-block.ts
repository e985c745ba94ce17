import { defineEntity, p } from '@mikro-orm/core';
import { BLOCK_KINDS } from '../../domain/sender-block.ts';

/**
 * A blocked sender (src/domain/sender-block.ts): an address or a domain whose messages are kept as spam (their
 * deliveries' audit rows, verdict `suppressed`) and make no ticket. Ending a block keeps the row (who, when);
 * at most one active block per subject.
 */
export const SenderBlock = defineEntity({
  name: 'SenderBlock',
  tableName: 'sender_blocks',
  properties: {
    id: p.integer().primary().autoincrement(),
    kind: p.enum(BLOCK_KINDS),
    value: p.string().length(320),
    blockedBy: p.string().length(255),
    /** The ticket it was blocked from (the Spam action), if any. */
    ticketId: p.integer().nullable(),
    createdAt: p.datetime().defaultRaw('now()'),
    unblockedBy: p.string().length(255).nullable(),
    unblockedAt: p.datetime().nullable(),
    /** Messages kept as spam under this block, and the last one's time. */
    suppressed: p.integer().default(0),
    lastSuppressedAt: p.datetime().nullable(),
  },
  indexes: [
    { name: 'sender_blocks_active_unique', expression: `create unique index "sender_blocks_active_unique" on "sender_blocks" ("kind", "value") where "unblocked_at" is null` },
  ],
});
