/**
 * Tells failures that fix themselves (network, server restart, busy) from those that need a human
 * (wrong credentials, expired token, TLS misconfiguration, missing mailbox). The second kind is logged
 * loudly, shown in /health, and retried slowly.
 */
import { withTimeout as withDeadline } from '../../lib/timeout.ts';

export type ImapFailureKind = 'auth' | 'config' | 'transient';

const TLS_CODES = /^(ERR_SSL_|ERR_TLS_|CERT_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_(VERIFY|GET)_)/;

/** A failure getting credentials (token endpoint, token store) that already knows its kind. */
export class ImapCredentialError extends Error {
  readonly kind: ImapFailureKind;
  constructor(message: string, kind: ImapFailureKind, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ImapCredentialError';
    this.kind = kind;
  }
}

export function classifyImapError(error: unknown): ImapFailureKind {
  if (error instanceof ImapCredentialError) return error.kind;
  const e = (error ?? {}) as { authenticationFailed?: boolean; serverResponseCode?: string; code?: string; message?: string; response?: string };
  const responseCode = (e.serverResponseCode ?? '').toUpperCase();
  if (e.authenticationFailed || ['AUTHENTICATIONFAILED', 'AUTHORIZATIONFAILED', 'EXPIRED', 'PRIVACYREQUIRED'].includes(responseCode)) return 'auth';
  if (/unsupported authentication mechanism|invalid credentials|login failed/i.test(e.message ?? '')) return 'auth';
  if (e.code && TLS_CODES.test(e.code)) return 'config';
  if (responseCode === 'NONEXISTENT' || /mailbox (doesn't|does not) exist|no such mailbox|unknown mailbox/i.test(e.response ?? '')) return 'config';
  return 'transient';
}

export function describeImapError(error: unknown): string {
  if (error instanceof ImapCredentialError) return error.message;
  const e = (error ?? {}) as { message?: string; response?: string; code?: string };
  const detail = e.response ? ` (${e.response.replace(/^\S+\s+/, '').slice(0, 200)})` : e.code ? ` (${e.code})` : '';
  return `${e.message ?? String(error)}${detail}`;
}

/** Raised when the connection stops answering (dead IDLE, frozen server). */
export class ImapTimeoutError extends Error {
  constructor(what: string, ms: number) {
    super(`IMAP ${what} got no answer within ${ms} ms; the connection is considered dead`);
    this.name = 'ImapTimeoutError';
  }
}

/** An IMAP command (`what`: SELECT, NOOP, ...) that must answer within `ms`, else ImapTimeoutError. */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return withDeadline(promise, ms, () => new ImapTimeoutError(what, ms));
}
