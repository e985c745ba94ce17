import { defineEntity, p } from '@mikro-orm/core';
import { CATEGORIES } from '../../domain/categories.ts';

/**
 * A canned answer agents start from when no model drafts one (src/outbound/drafts.ts), managed through
 * /api/v1/saved-replies. `category` null: for any category; `language` null: for any language.
 */
export const SavedReply = defineEntity({
  name: 'SavedReply',
  tableName: 'saved_replies',
  properties: {
    id: p.integer().primary().autoincrement(),
    title: p.string().length(200),
    body: p.text(),
    category: p.enum(CATEGORIES).nullable(),
    language: p.string().length(16).nullable(),
    createdAt: p.datetime().defaultRaw('now()'),
    updatedAt: p.datetime().defaultRaw('now()'),
  },
  indexes: [{ name: 'saved_replies_category_idx', properties: ['category'] }],
});
