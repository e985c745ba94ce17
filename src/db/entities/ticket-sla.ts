import { defineEntity, p } from '@mikro-orm/core';

/**
 * A ticket's SLA clocks (src/sla/): its state (priority, responded, resolved, pauses of the resolution clock)
 * and the due times derived from it by the policy, recomputed on every change. next_event_at is when the scan
 * next has something to do for it (null: nothing pending).
 */
export const TicketSla = defineEntity({
  name: 'TicketSla',
  tableName: 'ticket_slas',
  properties: {
    ticketId: p.integer().primary().autoincrement(false),
    priority: p.string().length(16).nullable(),
    /** The ticket's category as the clocks last saw it: its targets may differ (SLA_*_MINUTES billing.high=...). */
    category: p.string().length(16).nullable(),
    startedAt: p.datetime(),
    firstResponseWarnAt: p.datetime().nullable(),
    firstResponseDueAt: p.datetime().nullable(),
    firstRespondedAt: p.datetime().nullable(),
    resolutionWarnAt: p.datetime().nullable(),
    resolutionDueAt: p.datetime().nullable(),
    resolvedAt: p.datetime().nullable(),
    /** Waiting on the customer since (the resolution clock is paused); null: running. */
    pausedSince: p.datetime().nullable(),
    /** Ended pauses, [start, end] in epoch ms. */
    pauses: p.json<[number, number][]>(),
    /** The ticket's current snooze as the clocks saw it (both clocks pause); null: not snoozed. */
    snoozedSince: p.datetime().nullable(),
    /** Its planned end; null while snoozed: until the customer answers. */
    snoozedUntil: p.datetime().nullable(),
    /** Ended snoozes, [start, end] in epoch ms: pauses of both clocks. */
    snoozes: p.json<[number, number][]>().defaultRaw(`'[]'`),
    nextEventAt: p.datetime().nullable(),
    /** Business minutes each clock ran until it stopped, pauses left out (null while it runs): the dashboard's times. */
    firstResponseMinutes: p.double().nullable(),
    resolutionMinutes: p.double().nullable(),
    updatedAt: p.datetime().defaultRaw('now()'),
  },
  indexes: [
    { name: 'ticket_slas_next_event_at_idx', properties: ['nextEventAt'] },
    // The dashboard (src/db/repositories/dashboard.ts, slas.ts): a period's stopped clocks' minutes, and its
    // running clocks, read from these indexes alone (stopped clocks' outcomes are in sla_daily_outcomes).
    {
      name: 'ticket_slas_started_at_idx',
      expression: 'create index "ticket_slas_started_at_idx" on "ticket_slas" ("started_at") include ("first_responded_at", "first_response_minutes", "resolved_at", "resolution_minutes")',
    },
    {
      name: 'ticket_slas_first_response_running_idx',
      expression: 'create index "ticket_slas_first_response_running_idx" on "ticket_slas" ("started_at") include ("priority", "first_response_due_at") where "first_responded_at" is null',
    },
    {
      name: 'ticket_slas_resolution_running_idx',
      expression: 'create index "ticket_slas_resolution_running_idx" on "ticket_slas" ("started_at") include ("priority", "resolution_due_at", "resolution_warn_at", "paused_since") where "resolved_at" is null',
    },
  ],
});

/** Warnings and breaches emitted, one row per (ticket, kind): the claim that makes each happen once. */
export const SlaEvent = defineEntity({
  name: 'SlaEvent',
  tableName: 'sla_events',
  properties: {
    ticketId: p.integer().primary().autoincrement(false),
    kind: p.string().length(32).primary(),
    dueAt: p.datetime(),
    /** false: claimed but not posted (a warning overtaken by its breach). */
    posted: p.boolean(),
    createdAt: p.datetime().defaultRaw('now()'),
  },
});
