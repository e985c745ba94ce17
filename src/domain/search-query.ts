/**
 * What a search box's text asks for: a ticket by number (#123), a requester's e-mail address, every requester
 * of a domain (@example.com), or words and substrings in subjects and bodies. Pure: the database part is
 * src/db/repositories/ticket-search.ts.
 */

/** Longer text is cut here: a search box is not a document, and trigram work grows with the pattern. */
export const SEARCH_MAX_LENGTH = 200;

export type SearchQuery =
  | { kind: 'id'; id: number }
  | { kind: 'email'; email: string }
  | { kind: 'domain'; domain: string }
  | { kind: 'text'; text: string };

/** null when nothing searchable is left (empty, spaces, control characters only). */
export function parseSearchQuery(input: string): SearchQuery | null {
  // NUL cannot reach PostgreSQL text; other control characters are no one's search either.
  const text = input.replace(/[\u0000-\u001f\u007f]/g, ' ').trim().slice(0, SEARCH_MAX_LENGTH).trim();
  if (text === '') return null;
  const id = /^#(\d{1,9})$/.exec(text);
  if (id) return { kind: 'id', id: Number(id[1]) };
  if (/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(text)) return { kind: 'email', email: text.toLowerCase() };
  const domain = /^@([^\s@]+\.[^\s@]+)$/.exec(text);
  if (domain) return { kind: 'domain', domain: domain[1]!.toLowerCase() };
  return { kind: 'text', text };
}
