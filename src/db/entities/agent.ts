import { defineEntity, p } from '@mikro-orm/core';

/**
 * A Slack user who was assigned a ticket. Name and e-mail are a cache of users.info (`looked_up_at` says
 * when it was last answered); the row exists before any lookup succeeds, so an assignment never waits on Slack.
 */
export const Agent = defineEntity({
  name: 'Agent',
  tableName: 'agents',
  properties: {
    slackUserId: p.string().length(32).primary(),
    name: p.string().length(255).nullable(),
    email: p.string().length(320).nullable(),
    lookedUpAt: p.datetime().nullable(),
    createdAt: p.datetime().defaultRaw('now()'),
    updatedAt: p.datetime().defaultRaw('now()'),
  },
});
