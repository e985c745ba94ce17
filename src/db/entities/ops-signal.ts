import { defineEntity, p } from '@mikro-orm/core';

/**
 * What each instance currently sees of a fault (src/ops/): a breaker is per process, a mailbox is read by one
 * instance only, so "broken since when" and "working again" are decided from all instances' fresh rows, not
 * from one process's view. Rows of instances that stopped reporting go stale and are ignored.
 */
export const OpsSignal = defineEntity({
  name: 'OpsSignal',
  tableName: 'ops_signals',
  properties: {
    key: p.string().length(255).primary(),
    /** A random id per process start. */
    instance: p.string().length(64).primary(),
    /** Since when this instance sees the fault; null = it sees it working. */
    badSince: p.datetime().nullable(),
    title: p.text(),
    detail: p.text().nullable(),
    seenAt: p.datetime().defaultRaw('now()'),
  },
});
