import { defineEntity, p } from '@mikro-orm/core';

/**
 * One erasure of a person (src/privacy/erase.ts), kept without the person's data: who asked, when, the
 * mode, what kind of subject (e-mail, customer, domain: never the value) and the counts per place. `state`
 * running -> done; a running row whose process died is finished by the next run (the steps are idempotent),
 * for which `subject_ref` keeps a keyed hash of the subject, not the subject.
 */
export const Erasure = defineEntity({
  name: 'Erasure',
  tableName: 'erasures',
  properties: {
    id: p.integer().primary().autoincrement(),
    requestedBy: p.string().length(255),
    mode: p.string().length(16),
    subjectKind: p.string().length(16),
    subjectRef: p.string().length(64),
    state: p.string().length(16).default('running'),
    counts: p.json<Record<string, number>>().nullable(),
    createdAt: p.datetime().defaultRaw('now()'),
    finishedAt: p.datetime().nullable(),
  },
});

/**
 * What an erasure still has to do: the tickets (and follow-ups on other people's tickets) it found, by id
 * only. Written with the erasure row in one transaction, worked in small batches, each marked done in the
 * batch's transaction: a crash leaves the rest to the next run.
 */
export const ErasureItem = defineEntity({
  name: 'ErasureItem',
  tableName: 'erasure_items',
  properties: {
    erasureId: p.integer().primary(),
    /** ticket | message */
    kind: p.string().length(16).primary(),
    refId: p.integer().primary(),
    done: p.boolean().default(false),
  },
});

/** A legal hold: a ticket (by id) or a customer (by lower-cased e-mail) that erasure and retention leave alone. */
export const LegalHold = defineEntity({
  name: 'LegalHold',
  tableName: 'legal_holds',
  properties: {
    id: p.integer().primary().autoincrement(),
    /** ticket | customer */
    kind: p.string().length(16),
    ticketId: p.integer().nullable(),
    email: p.string().length(320).nullable(),
    reason: p.text().nullable(),
    createdBy: p.string().length(255),
    createdAt: p.datetime().defaultRaw('now()'),
  },
  uniques: [
    { name: 'legal_holds_ticket_unique', properties: ['ticketId'] },
    { name: 'legal_holds_email_unique', properties: ['email'] },
  ],
});

/** Each kind's last retention run (one runner a day across instances): when, and where a batch run stopped. */
export const RetentionRun = defineEntity({
  name: 'RetentionRun',
  tableName: 'retention_runs',
  properties: {
    kind: p.string().length(32).primary(),
    day: p.string().length(10),
    state: p.string().length(16),
    removed: p.integer().default(0),
    updatedAt: p.datetime().defaultRaw('now()'),
  },
});
