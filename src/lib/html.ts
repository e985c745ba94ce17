/**
 * HTML built by construction: `html\`...\`` escapes every interpolated value unless it is already SafeHtml
 * (another html`` result), so text that came from outside can never become markup by forgetting a call.
 * Escaping covers text and quoted attribute values alike (& < > " ' and the backtick); templates must quote
 * their attributes. URLs go through safeUrl(), which lets only http(s), mailto and relative links through.
 */

const brand: unique symbol = Symbol('SafeHtml');

/** Markup this module produced; the only value html`` inserts without escaping. */
export interface SafeHtml {
  readonly [brand]: true;
  readonly value: string;
  toString(): string;
}

function safe(value: string): SafeHtml {
  return { [brand]: true, value, toString: () => value };
}

export function isSafeHtml(value: unknown): value is SafeHtml {
  return typeof value === 'object' && value !== null && (value as SafeHtml)[brand] === true;
}

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'`]/g, (c) => ENTITIES[c]!);
}

/** What a template may interpolate: text and numbers (escaped), SafeHtml, lists of those; null, undefined and false render nothing. */
export type HtmlValue = SafeHtml | string | number | bigint | boolean | null | undefined | readonly HtmlValue[];

function render(value: HtmlValue): string {
  if (value === null || value === undefined || value === false || value === true) return '';
  if (Array.isArray(value)) return value.map(render).join('');
  if (isSafeHtml(value)) return value.value;
  return escapeHtml(String(value));
}

export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): SafeHtml {
  let out = strings[0]!;
  for (let i = 0; i < values.length; i++) out += render(values[i]!) + strings[i + 1]!;
  return safe(out);
}

/** Joins parts (a list's rows) into one SafeHtml. */
export function join(parts: readonly HtmlValue[], separator: SafeHtml | string = ''): SafeHtml {
  return safe(parts.map(render).join(render(separator)));
}

const SAFE_SCHEMES = new Set(['http:', 'https:', 'mailto:']);

/**
 * A URL fit for href/src: relative paths (starting with / but not //, ? or #) and http(s)/mailto URLs; anything
 * else (javascript:, data:, vbscript:, protocol-relative, control characters) becomes '#'. Still escaped by
 * html`` when interpolated, so quotes cannot break out of the attribute.
 */
export function safeUrl(url: string): string {
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f\s\\]/.test(url)) return '#';
  if (/^(\/(?!\/)|\?|#)/.test(url)) return url;
  try {
    return SAFE_SCHEMES.has(new URL(url).protocol) ? url : '#';
  } catch {
    return '#';
  }
}

/**
 * Text from outside shown as text and nothing else: bidirectional overrides and zero-width characters, which
 * could reorder or hide what an agent reads (a subject that renders reversed), are shown as their code
 * point, like ⟨U+202E⟩. Escaping for HTML still happens in html``.
 */
export function visibleText(text: string): string {
  return text.replace(/[\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/g, (c) => `⟨U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}⟩`);
}
