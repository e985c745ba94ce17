import { defineEntity, p } from '@mikro-orm/core';

/** One row per digest period: the unique key is what makes a digest post exactly once across instances. */
export const DigestRun = defineEntity({
  name: 'DigestRun',
  tableName: 'digest_runs',
  properties: {
    periodKey: p.string().length(64).primary(),
    channel: p.string().length(64),
    /** claimed | posted | skipped */
    state: p.string().length(16),
    ts: p.string().length(32).nullable(),
    createdAt: p.datetime().defaultRaw('now()'),
    updatedAt: p.datetime().defaultRaw('now()'),
  },
});
