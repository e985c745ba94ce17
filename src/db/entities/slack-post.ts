import { defineEntity, p } from '@mikro-orm/core';

/**
 * Every message we posted to Slack, keyed by what it is about ("alert:42", "followup:7", "note:42:3"),
 * so a retried job finds the earlier post instead of posting again.
 */
export const SlackPost = defineEntity({
  name: 'SlackPost',
  tableName: 'slack_posts',
  properties: {
    key: p.string().length(255).primary(),
    ticketId: p.integer(),
    channel: p.string().length(64),
    ts: p.string().length(32),
    threadTs: p.string().length(32).nullable(),
    createdAt: p.datetime().defaultRaw('now()'),
  },
  indexes: [
    { name: 'slack_posts_ticket_id_idx', properties: ['ticketId'] },
    // Posts on their way (claimed or reserved), per channel: a channel's waiting alerts (src/slack/jobs/waiting-list.ts).
    { name: 'slack_posts_waiting_idx', expression: `create index "slack_posts_waiting_idx" on "slack_posts" ("channel", "ticket_id") where "ts" = ''` },
  ],
});
