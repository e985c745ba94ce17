/**
 * The durable, encrypted home of a mailbox's refresh token (table oauth_tokens). AES-256-GCM with a random
 * 96-bit IV; the mailbox identity is the additional authenticated data, so a row copied onto another mailbox
 * does not decrypt. Each row names the key that wrote it (a fingerprint, not the key), so a changed
 * TOKEN_ENCRYPTION_KEY is reported as exactly that. Every write is a compare-and-set on `version`.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { findOAuthToken, upsertOAuthToken } from '../../../db/repositories/oauth-tokens.ts';
import type { Sql } from '../../../db/sql.ts';

/** The stored token cannot be used with the configured key: a human has to act. */
export class TokenKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TokenKeyError';
  }
}

export interface StoredToken {
  refreshToken: string;
  clientId: string;
  seedHash: string | null;
  version: number;
  updatedAt: Date;
}

/** A short public fingerprint of a key: tells keys apart without revealing them. */
export function keyIdOf(key: Buffer): string {
  return createHash('sha256').update('support-triage token key\0').update(key).digest('hex').slice(0, 16);
}

export function hashOf(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function encryptToken(key: Buffer, account: string, plaintext: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(account));
  const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return ['v1', iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), ct.toString('base64url')].join('.');
}

export function decryptToken(key: Buffer, account: string, sealed: string): string {
  const [version, iv, tag, ct] = sealed.split('.');
  if (version !== 'v1' || !iv || !tag || ct === undefined) throw new TokenKeyError(`the stored token for ${account} is not in a format this version knows`);
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
  decipher.setAAD(Buffer.from(account));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  try {
    return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]).toString('utf8');
  } catch {
    throw new TokenKeyError(`the stored refresh token for ${account} does not decrypt with TOKEN_ENCRYPTION_KEY (altered row, or a different key with the same id)`);
  }
}

export async function readStoredToken(sql: Sql, account: string, key: Buffer): Promise<StoredToken | null> {
  const row = await findOAuthToken(sql, account);
  if (!row) return null;
  const keyId = keyIdOf(key);
  if (row.keyId !== keyId) {
    throw new TokenKeyError(
      `TOKEN_ENCRYPTION_KEY changed: the stored refresh token for ${account} was encrypted with key ${row.keyId}, the configured key is ${keyId}. ` +
        'Configure the previous key again, or run `npm run imap:authorize` to store a new token under this key.',
    );
  }
  return {
    refreshToken: decryptToken(key, account, row.refreshToken),
    clientId: row.clientId,
    seedHash: row.seedHash,
    version: row.version,
    updatedAt: row.updatedAt,
  };
}

export interface TokenWrite {
  account: string;
  provider: string;
  clientId: string;
  refreshToken: string;
  seedHash: string | null;
}

/**
 * Stores the token if the row is still at `expectedVersion` (null: only if there is no row; 'any': always,
 * for a fresh authorisation). Returns the new version, or null when someone else wrote first.
 */
export async function writeStoredToken(sql: Sql, key: Buffer, w: TokenWrite, expectedVersion: number | null | 'any'): Promise<number | null> {
  const sealed = encryptToken(key, w.account, w.refreshToken);
  return upsertOAuthToken(sql, { ...w, keyId: keyIdOf(key), refreshToken: sealed }, expectedVersion);
}
