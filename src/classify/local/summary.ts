/**
 * Extractive one-sentence summary: the first sentence of the body that says something (greetings,
 * pleasantries and sign-offs skipped), else the subject, cut to at most 150 characters at a word.
 */
export const MAX_SUMMARY = 150;

// Openers that carry no content, in the languages of the data (en, de, es, fr, pt).
const FILLER = new RegExp(
  [
    '^(dear|hello|hi|hey|greetings|good (morning|afternoon|evening)|to whom it may concern)\\b',
    '^(sehr geehrte|liebe[rs]?|hallo|guten (tag|morgen|abend)|moin)\\b',
    '^(estimad[oa]s?|hola|buen[oa]s)\\b',
    '^(bonjour|madame|monsieur|cher|chère|salut)\\b',
    '^(prezad[oa]s?|olá|ola|bom dia|boa (tarde|noite)|caro)\\b',
    '^i hope (this|you)', '^ich hoffe', '^espero que', "^j'espère", '^espero que',
    '^(thank you|thanks|vielen dank|danke|gracias|merci|obrigad[oa])\\b',
    '^(best|kind|warm) regards', '^(mit freundlichen grüßen|viele grüße|beste grüße)', '^(saludos|atentamente|cordialement|atenciosamente)',
    '^<name>', '^\\[name\\]',
  ].join('|'),
  'i',
);

export function clip(text: string, max = MAX_SUMMARY): string {
  const t = text.replace(/\s+/g, ' ').trim();
  if (t.length <= max) return t;
  const cut = t.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  return (space > max * 0.6 ? cut.slice(0, space) : cut).replace(/[\s,;:.-]+$/, '') + '…';
}

function sentences(body: string): string[] {
  return body
    .replace(/<br\s*\/?>|<\/p>/gi, '\n') // helpdesk bodies often carry a little HTML
    .replace(/<[^>]{1,100}>/g, ' ')
    .replace(/&nbsp;/g, ' ')
    .split(/(?<=[.!?])\s+|\n+/)
    .map((s) => s.replace(/\s+/g, ' ').trim())
    .filter((s) => s.length > 0);
}

export function summarize(subject: string | null | undefined, body: string): string {
  for (const s of sentences(body)) {
    if (s.length < 15 || FILLER.test(s)) continue;
    return clip(s);
  }
  const subj = subject?.trim();
  if (subj) return clip(subj);
  return clip(body);
}
