import { compile } from 'html-to-text';
import type { HelpdeskCompany } from '../../../domain/inbound-message.ts';

// Compiled once: converting is on the hot path of every delivery.
const toText = compile({
  wordwrap: false,
  selectors: [
    { selector: 'a', options: { ignoreHref: true } },
    { selector: 'img', format: 'skip' },
  ],
});

const LOOKS_LIKE_HTML = /<\/?[a-z][^>]*>|&(?:[a-z]+|#\d+);/i;

/** Helpdesks send bodies as HTML; tickets store what a human reads. Plain text passes through untouched. */
export function htmlToPlainText(value: string | null | undefined): string {
  if (!value) return '';
  const text = LOOKS_LIKE_HTML.test(value) ? toText(value) : value;
  return text.replace(/\r\n?/g, '\n').replace(/\n{3,}/g, '\n\n').trim();
}

/** A non-empty trimmed string, or undefined (placeholders render empty or "-" when a field is unset). */
export function present(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  return trimmed && trimmed !== '-' ? trimmed : undefined;
}

/** An e-mail-looking string, or undefined. */
export function emailOrUndefined(value: unknown): string | undefined {
  const s = present(value);
  return s && /^[^\s@]+@[^\s@]+$/.test(s) ? s.toLowerCase() : undefined;
}

/** Tags arrive as arrays, as "a b c" (Zendesk placeholder) or "a, b" (Freshdesk placeholder). */
export function tagList(value: unknown): string[] {
  const raw = Array.isArray(value) ? value : typeof value === 'string' ? value.split(/[\s,]+/) : [];
  const tags = raw
    .map((t) => (typeof t === 'string' ? t : typeof t === 'object' && t !== null ? ((t as Record<string, unknown>).name ?? (t as Record<string, unknown>).tag) : undefined))
    .filter((t): t is string => typeof t === 'string')
    .map((t) => t.trim())
    .filter(Boolean);
  return [...new Set(tags)];
}

/** A Date from ISO text or Unix seconds (Intercom, Front send fractional seconds); undefined if unusable. */
export function dateFrom(value: unknown): Date | undefined {
  if (typeof value === 'number' && Number.isFinite(value) && value > 0) return new Date(value < 1e11 ? value * 1000 : value);
  if (typeof value !== 'string' || !value.trim()) return undefined;
  const s = value.trim();
  const ms = /^\d+(\.\d+)?$/.test(s) ? Number(s) * (Number(s) < 1e11 ? 1000 : 1) : Date.parse(s);
  return Number.isNaN(ms) ? undefined : new Date(ms);
}

/** The requester's company from a payload's fields: none without a name; keyed by the helpdesk's id when it gives one, else by the name. */
export function companyFrom(fields: { name: unknown; tier?: unknown; id?: unknown }): HelpdeskCompany | null {
  const name = present(fields.name);
  if (!name) return null;
  return { key: present(fields.id) ?? name, name, tier: present(fields.tier) ?? null };
}
