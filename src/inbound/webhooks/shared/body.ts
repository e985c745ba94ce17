import type { z } from 'zod';
import { HttpError, validationError, type FieldError } from '../../../lib/http-error.ts';

/** Strict JSON, 400 when the bytes are not JSON (or not UTF-8 text). */
export function parseJson(raw: Buffer): unknown {
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch (err) {
    throw new HttpError(400, `Body is not valid JSON: ${(err as Error).message}`);
  }
}

/**
 * Placeholder templates (Zendesk triggers, Freshdesk rules) are JSON only as long as the helpdesk escapes
 * what it substitutes; a customer's quote or line break in a description breaks it. Our README templates are
 * flat objects with one `"key": "value"` per line, so when strict parsing fails the body can still be read
 * line-wise: a known key starts a line, its value runs until the next known key (multi-line descriptions
 * included), surrounding quotes and the trailing comma are removed. Returns undefined when the text does not
 * have that shape either.
 */
export function parsePlaceholderTemplate(raw: Buffer, knownKeys: readonly string[]): Record<string, string> | undefined {
  const text = raw.toString('utf8').trim();
  if (!text.startsWith('{') || !text.endsWith('}')) return undefined;
  const inner = text.slice(1, -1);
  const keyAlternation = knownKeys.map((k) => k.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|');
  const keyLine = new RegExp(`^[ \\t]*"(${keyAlternation})"[ \\t]*:[ \\t]*`, 'gm');
  const starts = [...inner.matchAll(keyLine)];
  if (starts.length === 0) return undefined;
  // Anything before the first key other than whitespace means this is not our template.
  if (inner.slice(0, starts[0]!.index).trim() !== '') return undefined;
  const out: Record<string, string> = {};
  starts.forEach((m, i) => {
    const from = m.index + m[0].length;
    const to = i + 1 < starts.length ? starts[i + 1]!.index : inner.length;
    let value = inner.slice(from, to).trimEnd();
    if (value.endsWith(',')) value = value.slice(0, -1).trimEnd();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    out[m[1]!] = value;
  });
  return out;
}

/** Validates with zod; 422 whose errors name each missing or malformed field by its JSON path. */
export function validate<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const result = schema.safeParse(value, { reportInput: true });
  if (result.success) return result.data;
  const errors: FieldError[] = result.error.issues.map((issue) => {
    const field = issue.path.length ? issue.path.map(String).join('.') : '(body)';
    const missing = issue.code === 'invalid_type' && (issue as { input?: unknown }).input === undefined;
    return missing
      ? { field, message: 'Field required', type: 'missing' }
      : { field, message: issue.message, type: issue.code };
  });
  throw validationError(errors, 'Payload does not have the expected shape');
}
