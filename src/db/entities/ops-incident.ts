import { defineEntity, p } from '@mikro-orm/core';

/**
 * An ops incident: a door or part of intake broken for longer than its threshold (src/ops/). At most one open
 * row per key (partial unique index): that row, not any process's memory, is what makes its Slack message be
 * posted once, whatever the number of instances or restarts. Resolving sets resolved_at; a new fault of the
 * same key later is a new row.
 */
export const OpsIncident = defineEntity({
  name: 'OpsIncident',
  tableName: 'ops_incidents',
  properties: {
    id: p.integer().primary().autoincrement(),
    /** What is broken, e.g. "webhook:zendesk", "mailbox-login:support@example.com/INBOX". */
    key: p.string().length(255),
    title: p.text(),
    /** The last cause seen while it opened (error message, rejection reason). */
    detail: p.text().nullable(),
    /** When the fault started (not when the incident was opened). */
    since: p.datetime(),
    openedAt: p.datetime().defaultRaw('now()'),
    resolvedAt: p.datetime().nullable(),
    /** Set once the Slack message says "resolved" (the edit is not made twice). */
    resolutionPostedAt: p.datetime().nullable(),
  },
  indexes: [{ name: 'ops_incidents_open_key_idx', expression: 'create unique index "ops_incidents_open_key_idx" on "ops_incidents" ("key") where "resolved_at" is null' }],
});
