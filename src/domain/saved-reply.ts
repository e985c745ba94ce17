/** What a saved reply may hold: the console checks forms with this, REST's schema (src/inbound/rest/schemas.ts) uses its limits. */
import { type Category, isCategory } from './categories.ts';

/** Slack's modal text box holds 3000 characters: a longer saved reply could not be sent as drafted. */
export const SAVED_REPLY_MAX = 3000;
export const SAVED_REPLY_TITLE_MAX = 200;

/** BCP 47-ish: en, de, pt-BR, zh-Hant; what tickets' detected languages (ISO 639-1) match against. */
export const LANGUAGE_TAG = /^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8}){0,2}$/;

export interface SavedReplyFields {
  title: string;
  body: string;
  category: Category | null;
  language: string | null;
}

/** The fields of a form, checked: the saved reply, or the problems (field: message). */
export function checkSavedReply(raw: Record<string, unknown>): { ok: SavedReplyFields } | { problems: string[] } {
  const text = (v: unknown) => (typeof v === 'string' ? v.replace(/\r\n?/g, '\n') : '');
  const title = text(raw.title).trim();
  const body = text(raw.body).trim();
  const category = text(raw.category);
  const language = text(raw.language).trim();
  const problems: string[] = [];
  if (!title || title.length > SAVED_REPLY_TITLE_MAX) problems.push(`Title: 1 to ${SAVED_REPLY_TITLE_MAX} characters.`);
  if (!body || body.length > SAVED_REPLY_MAX) problems.push(`Text: 1 to ${SAVED_REPLY_MAX} characters.`);
  if (category && !isCategory(category)) problems.push('Category: one from the list, or any.');
  if (language && (!LANGUAGE_TAG.test(language) || language.length > 16)) problems.push('Language: a tag such as en or pt-BR, or empty for any.');
  if (problems.length) return { problems };
  return { ok: { title, body, category: isCategory(category) ? category : null, language: language || null } };
}
