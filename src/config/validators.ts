/**
 * The kinds of value environment variables hold. Each takes the raw string (undefined when unset) and
 * returns the typed value or its default; a blank value counts as unset.
 */
import { z } from 'zod';

const TRUE = ['true', '1', 'yes', 'on'];

export const isTrue = (raw: string | undefined): boolean => TRUE.includes((raw ?? '').trim());

export const bool = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'], { message: 'must be true or false' })
    .optional()
    .transform((v) => (v === undefined ? fallback : TRUE.includes(v)));

/** An integer within [min, max]. */
export const int = (fallback: number, min: number, max: number) => optionalInt(min, max).transform((n) => n ?? fallback);

/** An integer within [min, max], or undefined when unset (the caller derives the default). */
export const optionalInt = (min: number, max: number, message = `must be an integer from ${min} to ${max}`) =>
  optionalString.transform((v, ctx) => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isInteger(n) || n < min || n > max) {
      ctx.addIssue({ code: 'custom', message });
      return z.NEVER;
    }
    return n;
  });

/** A finite number within [min, max]. */
export const number = (fallback: number, min: number, max: number) =>
  optionalString.transform((v, ctx) => {
    if (v === undefined) return fallback;
    const n = Number(v);
    if (!Number.isFinite(n) || n < min || n > max) {
      ctx.addIssue({ code: 'custom', message: `must be a number from ${min} to ${max}` });
      return z.NEVER;
    }
    return n;
  });

/** Trimmed text, or undefined when unset or blank. */
export const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

export const string = (fallback: string) => optionalString.transform((v) => v ?? fallback);

export const oneOf = <const T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, { message: `must be ${values.slice(0, -1).join(', ')} or ${values.at(-1)}` }).optional();

/** Comma-separated, blanks dropped. */
export const list = optionalString.transform((v) => (v === undefined ? [] : v.split(',').map((k) => k.trim()).filter(Boolean)));

export const url = (protocols: string[]) =>
  optionalString.refine(
    (v) => {
      if (v === undefined) return true;
      try {
        return protocols.includes(new URL(v).protocol);
      } catch {
        return false;
      }
    },
    { message: `must be a URL (${protocols.join(' or ')})` },
  );

/** OAuth endpoints carry secrets: HTTPS, or plain HTTP only to this machine (a local token broker, tests). */
export const secretEndpoint = optionalString.refine(
  (v) => {
    if (v === undefined) return true;
    try {
      const u = new URL(v);
      return u.protocol === 'https:' || (u.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname));
    } catch {
      return false;
    }
  },
  { message: 'must be an https:// URL (http:// only for 127.0.0.1 / localhost)' },
);

export const cron = (fallback: string) =>
  string(fallback).refine((v) => v.split(/\s+/).length >= 5 && v.split(/\s+/).length <= 6, {
    message: 'must be a cron expression with 5 or 6 fields',
  });

export const timeZone = string('UTC').refine(
  (tz) => {
    try {
      new Intl.DateTimeFormat('en', { timeZone: tz });
      return true;
    } catch {
      return false;
    }
  },
  { message: 'must be an IANA time zone such as UTC or Europe/Berlin' },
);

/** 32 bytes for AES-256-GCM, written as 64 hex digits or base64. */
export const encryptionKey = optionalString.transform((v, ctx) => {
  if (v === undefined) return undefined;
  const key = /^[0-9a-f]{64}$/i.test(v) ? Buffer.from(v, 'hex') : /^[A-Za-z0-9+/_-]+={0,2}$/.test(v) ? Buffer.from(v, 'base64') : undefined;
  if (!key || key.length !== 32) {
    ctx.addIssue({ code: 'custom', message: 'must be 32 random bytes as base64 or 64 hex digits (generate one: openssl rand -base64 32)' });
    return z.NEVER;
  }
  return key;
});
