import { defineEntity, p } from '@mikro-orm/core';

/** Where the inbox door stopped: per account + mailbox, the UIDVALIDITY and the last stored UID. */
export const MailboxCursor = defineEntity({
  name: 'MailboxCursor',
  tableName: 'mailbox_cursors',
  properties: {
    mailbox: p.string().length(512).primary(),
    uidValidity: p.bigint('string'),
    lastUid: p.bigint('number').default(0),
    updatedAt: p.datetime().defaultRaw('now()'),
  },
});
