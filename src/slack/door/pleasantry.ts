/**
 * Messages that only thank or acknowledge ("thanks!", "ok", "👍"): they never open a ticket. Short on
 * purpose: a message with a question or any detail past a few words is not a pleasantry, whatever it starts with.
 */
const WORDS = new Set([
  'thanks', 'thank', 'you', 'thx', 'ty', 'tysm', 'tyvm', 'cheers', 'ok', 'okay', 'k', 'kk', 'great', 'perfect', 'awesome', 'cool', 'nice',
  'got', 'it', 'understood', 'noted', 'sounds', 'good', 'lgtm', 'sure', 'yes', 'yep', 'yup', 'np', 'no', 'problem', 'worries', 'much', 'so',
  'a', 'lot', 'lots', 'many', 'all', 'again', 'guys', 'team', 'folks', 'everyone', 'for', 'the', 'help', 'quick', 'reply', 'response', 'danke',
  'merci', 'gracias', 'obrigado', 'obrigada', 'super', 'top', 'alright', 'right', 'fine', 'will', 'do', 'done', 'works', 'now', 'that', 'worked',
  'appreciated', 'appreciate', 'really', 'very', 'hi', 'hello', 'hey', 'bye', 'fixed',
]);

/** At least one of these must be there: "help" or "hi" alone is the start of a question, not an acknowledgement. */
const CORE = new Set([
  'thanks', 'thank', 'thx', 'ty', 'tysm', 'tyvm', 'cheers', 'ok', 'okay', 'k', 'kk', 'great', 'perfect', 'awesome', 'cool', 'nice', 'got',
  'understood', 'noted', 'lgtm', 'sure', 'yes', 'yep', 'yup', 'np', 'danke', 'merci', 'gracias', 'obrigado', 'obrigada', 'super', 'alright',
  'fine', 'done', 'works', 'worked', 'appreciated', 'appreciate', 'fixed', 'bye',
]);

/** Slack's emoji codes (`:+1:`), mentions, links and characters that are not letters or digits. */
const NOISE = /:[a-z0-9_+'-]+:|<[^>]*>|[^\p{L}\p{N}\s]/gu;

export function isPleasantry(text: string): boolean {
  const words = text.toLowerCase().replace(NOISE, ' ').split(/\s+/).filter(Boolean);
  if (words.length === 0) return true; // emoji, punctuation, a lone mention
  if (words.length > 6 || text.includes('?')) return false;
  return words.every((w) => WORDS.has(w)) && words.some((w) => CORE.has(w));
}
