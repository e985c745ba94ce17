/** Slack's message text (mrkdwn with its escapes and <…> references) as the plain text a ticket keeps. */

export function plainText(mrkdwn: string): string {
  return mrkdwn
    .replace(/<([^<>|]+)\|([^<>]+)>/g, (_m, target: string, label: string) => (target.startsWith('@') || target.startsWith('#') || target.startsWith('!') ? label : `${label} (${target})`))
    .replace(/<([@#!][^<>]+)>/g, '$1')
    .replace(/<([^<>]+)>/g, '$1')
    .replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&amp;', '&');
}

/** A message's text plus the names of its files (a file share may have no text at all). */
export function messageBody(text: unknown, files: unknown): string {
  const names = Array.isArray(files)
    ? files.map((f) => (typeof f === 'object' && f !== null ? (f as { name?: unknown; title?: unknown }).name ?? (f as { title?: unknown }).title : undefined)).filter((n): n is string => typeof n === 'string' && n !== '')
    : [];
  const body = typeof text === 'string' ? plainText(text).trim() : '';
  const attached = names.length ? `${body ? '\n\n' : ''}[files: ${names.join(', ')}]` : '';
  return `${body}${attached}`;
}

/** The first line, cut to a subject's length. */
export function subjectOf(body: string): string | null {
  const line = body.split('\n').find((l) => l.trim() !== '')?.trim();
  if (!line) return null;
  return line.length > 80 ? `${line.slice(0, 77)}…` : line;
}
