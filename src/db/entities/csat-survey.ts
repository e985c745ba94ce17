import { defineEntity, p } from '@mikro-orm/core';
import { Ticket } from './ticket.ts';

export const SURVEY_STATES = ['pending', 'sent', 'answered', 'cancelled', 'skipped', 'failed'] as const;

/**
 * A satisfaction survey (src/ingest/surveys.ts): one per resolution of a ticket, due a while after it
 * (pending), sent once by its job (sent), answered on the survey page (answered: score 1 to 5), cancelled when
 * the ticket reopens first, skipped when it no longer qualifies at sending time, failed when its door refused.
 * The token is the survey page's capability: it lets its holder give this one score, nothing else.
 */
export const CsatSurvey = defineEntity({
  name: 'CsatSurvey',
  tableName: 'csat_surveys',
  properties: {
    id: p.integer().primary().autoincrement(),
    ticket: () => p.manyToOne(Ticket).deleteRule('cascade'),
    token: p.string().length(64).unique(),
    state: p.enum(SURVEY_STATES).default('pending'),
    dueAt: p.datetime(),
    sentAt: p.datetime().nullable(),
    score: p.smallint().nullable(),
    answeredAt: p.datetime().nullable(),
    /** Why it was skipped or failed. */
    note: p.string().length(255).nullable(),
    createdAt: p.datetime().defaultRaw('now()'),
  },
  indexes: [
    { name: 'csat_surveys_ticket_state_idx', properties: ['ticket', 'state'] },
    // Stats and the dashboard: answers in a period.
    { name: 'csat_surveys_answered_at_idx', expression: 'create index "csat_surveys_answered_at_idx" on "csat_surveys" ("answered_at") include ("score", "ticket_id") where "answered_at" is not null' },
  ],
});
