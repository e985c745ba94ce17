import { defineEntity, p } from '@mikro-orm/core';

/**
 * A waiting list: tickets whose own cards wait behind a long backlog in their channel (Slack takes about one
 * message a second per channel), listed in one message so the team sees them within seconds
 * (src/slack/jobs/waiting-list.ts). Stored before it is posted (post-once key waiting-list:<id>), so a crash
 * in between posts it afterwards and no ticket is listed twice. Only ticket numbers: no personal data.
 */
export const SlackWaitingList = defineEntity({
  name: 'SlackWaitingList',
  tableName: 'slack_waiting_lists',
  properties: {
    id: p.integer().primary().autoincrement(),
    channel: p.string().length(64),
    ticketIds: p.json<number[]>(),
    createdAt: p.datetime().defaultRaw('now()'),
  },
  indexes: [{ name: 'slack_waiting_lists_channel_created_at_idx', properties: ['channel', 'createdAt'] }],
});
