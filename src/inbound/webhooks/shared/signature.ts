import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { HttpError } from '../../../lib/http-error.ts';

/** HMAC over the concatenation of `parts` (strings as UTF-8, buffers as given). */
export function hmac(algorithm: 'sha1' | 'sha256', secret: string, parts: Array<string | Buffer>, encoding: 'hex' | 'base64'): string {
  const mac = createHmac(algorithm, secret);
  for (const part of parts) mac.update(part);
  return mac.digest(encoding);
}

/**
 * Constant-time comparison of two signature strings. timingSafeEqual needs equal lengths, so a length
 * mismatch compares `expected` with itself (same work) and then reports false.
 */
export function signaturesMatch(expected: string, given: string | undefined): boolean {
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(given ?? '', 'utf8');
  if (a.length !== b.length) {
    timingSafeEqual(a, a);
    return false;
  }
  return timingSafeEqual(a, b);
}

/** A single header value; repeated headers (arrays) count as absent, a provider sends each once. */
export function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return typeof value === 'string' && value.length > 0 ? value.trim() : undefined;
}

/** 401 that says what is wrong without revealing the expected value. */
export function unauthorized(detail: string): HttpError {
  return new HttpError(401, detail);
}

/** Throws 401 unless `given` matches `expected`; `name` is the header that carried it. */
export function requireSignature(name: string, expected: string, given: string | undefined): void {
  if (given === undefined) throw unauthorized(`Missing ${name} header`);
  if (!signaturesMatch(expected, given)) throw unauthorized(`Invalid ${name}`);
}

/** Short stable digest for dedupe keys built from content (no delivery id available). */
export function contentHash(text: string | Buffer): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}
