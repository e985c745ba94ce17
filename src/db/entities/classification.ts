import { defineEntity, p } from '@mikro-orm/core';
import { CATEGORIES, CLASSIFIERS, PRIORITIES } from '../../domain/categories.ts';
import { Ticket } from './ticket.ts';

/** Every classification ever made for a ticket, automatic or human. Rows are never updated. */
export const Classification = defineEntity({
  name: 'Classification',
  tableName: 'classifications',
  properties: {
    id: p.integer().primary().autoincrement(),
    ticket: () => p.manyToOne(Ticket).deleteRule('cascade'),
    category: p.enum(CATEGORIES),
    confidence: p.double(),
    summary: p.text().nullable(),
    language: p.string().length(16).nullable(),
    priority: p.enum(PRIORITIES).nullable(),
    modelName: p.string().length(255),
    classifier: p.enum(CLASSIFIERS),
    processingTimeMs: p.integer().default(0),
    note: p.text().nullable(),
    createdBy: p.string().length(255).nullable(),
    createdAt: p.datetime().defaultRaw('now()'),
  },
  indexes: [{ name: 'classifications_ticket_id_created_at_idx', properties: ['ticket', 'createdAt'] }],
});
