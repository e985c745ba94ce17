import { defineEntity, p } from '@mikro-orm/core';

/**
 * Who has a ticket open in the console right now, one row per live-update stream (src/console/live.ts), so every
 * instance sees the viewers of every other. A stream's instance refreshes `seen_at` while it is open and deletes
 * the row when it closes; rows of an instance that died stop counting once `seen_at` is old.
 */
export const ConsolePresence = defineEntity({
  name: 'ConsolePresence',
  tableName: 'console_presence',
  indexes: [{ name: 'console_presence_ticket_id_idx', properties: ['ticketId'] }],
  properties: {
    /** A random id per stream. */
    streamId: p.string().length(64).primary(),
    ticketId: p.integer(),
    /** The viewer's Slack user id (or `link`) and name, as the session holds them. */
    userId: p.string().length(64),
    userName: p.string().length(255).nullable(),
    seenAt: p.datetime().defaultRaw('now()'),
  },
});
