/**
 * Text hygiene for Slack: everything a customer wrote is escaped before it reaches mrkdwn, so a ticket
 * cannot ping a channel (`<!channel>`), mention a user (`<@U123>`) or hide a link (`<http://x|click>`).
 * Slack's documented escaping is exactly these three characters.
 */

/** Block Kit limits we build against (docs.slack.dev/reference/block-kit). */
export const BLOCK_KIT_LIMITS = {
  sectionText: 3000,
  field: 2000,
  headerText: 150,
  contextText: 2000,
  blocks: 50,
  fields: 10,
  fallbackText: 3000,
  optionText: 75,
} as const;

export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * Cuts `text` to at most `max` UTF-16 code units, ending with an ellipsis when cut. Never splits a surrogate
 * pair, and never leaves half of an escape entity (`&am`) behind when given escaped text.
 */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = text.slice(0, Math.max(0, max - 1));
  const last = cut.charCodeAt(cut.length - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut = cut.slice(0, -1);
  cut = cut.replace(/&[a-z]{0,4}$/, '');
  return `${cut}…`;
}

/** Escape, flatten runs of whitespace if asked, then truncate: the one way customer text enters mrkdwn. */
export function safeMrkdwn(text: string | null | undefined, max: number, opts: { singleLine?: boolean } = {}): string {
  let t = (text ?? '').trim();
  if (opts.singleLine) t = t.replace(/\s+/g, ' ');
  return truncate(escapeMrkdwn(t), max);
}

/** plain_text is never parsed for mentions or links; only length and blank values matter. */
export function safePlain(text: string | null | undefined, max: number, fallback: string): string {
  const t = (text ?? '').replace(/\s+/g, ' ').trim();
  return truncate(t === '' ? fallback : t, max);
}

/** Slack user ids as they appear in interaction payloads; anything else is not rendered as a mention. */
export function userMention(userId: string | undefined | null): string {
  return userId && /^[UW][A-Z0-9]{2,}$/.test(userId) ? `<@${userId}>` : 'someone';
}

export function percent(value: number | null | undefined): string {
  return value === null || value === undefined || !Number.isFinite(value) ? 'n/a' : `${Math.round(value * 100)}%`;
}

/** Who did it, for an activity line: a mention for a Slack user (`slack:<id>`), else the actor's name escaped. */
export function actorLabel(actor: string): string {
  const slackUser = /^slack:([UW][A-Z0-9]+)$/.exec(actor);
  return slackUser ? userMention(slackUser[1]) : safeMrkdwn(actor, 80, { singleLine: true });
}

/** A time every reader sees in their own zone (Slack date formatting), with a UTC fallback. */
export const slackDate = (d: Date) => `<!date^${Math.floor(d.getTime() / 1000)}^{date_short_pretty} {time}|${d.toISOString().slice(0, 16).replace('T', ' ')} UTC>`;
