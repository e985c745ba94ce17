/**
 * The operator console's sessions and one-time sign-in links (console_sessions, console_sign_in_links). Callers
 * pass token hashes; the tokens themselves live only in the browser's cookie or the printed link.
 */
import { hashToken, newToken } from '../../lib/secret-token.ts';
import type { Sql } from '../sql.ts';

export interface ConsoleSessionRow {
  userId: string;
  userName: string | null;
  role: string;
  csrfToken: string;
  expiresAt: Date;
}

export async function insertConsoleSession(db: Sql, tokenHash: string, s: ConsoleSessionRow): Promise<void> {
  await db.kysely
    .insertInto('console_sessions')
    .values({ token_hash: tokenHash, user_id: s.userId, user_name: s.userName, role: s.role, csrf_token: s.csrfToken, expires_at: s.expiresAt })
    .execute();
}

/** The session, if it exists and has not expired at `now`. */
export async function findConsoleSession(db: Sql, tokenHash: string, now: Date): Promise<ConsoleSessionRow | null> {
  const row = await db.kysely
    .selectFrom('console_sessions')
    .select(['user_id', 'user_name', 'role', 'csrf_token', 'expires_at'])
    .where('token_hash', '=', tokenHash)
    .where('expires_at', '>', now)
    .executeTakeFirst();
  return row ? { userId: row.user_id, userName: row.user_name, role: row.role, csrfToken: row.csrf_token, expiresAt: new Date(row.expires_at) } : null;
}

export async function deleteConsoleSession(db: Sql, tokenHash: string): Promise<void> {
  await db.kysely.deleteFrom('console_sessions').where('token_hash', '=', tokenHash).execute();
}

/** Signs the user out of every browser; returns how many sessions ended. */
export async function deleteConsoleSessionsOf(db: Sql, userId: string): Promise<number> {
  const result = await db.kysely.deleteFrom('console_sessions').where('user_id', '=', userId).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Expired sessions and used or expired links are only clutter: removed on each sign-in. */
export async function deleteExpiredConsoleRows(db: Sql, now: Date): Promise<void> {
  await db.kysely.deleteFrom('console_sessions').where('expires_at', '<=', now).execute();
  await db.kysely.deleteFrom('console_sign_in_links').where((w) => w.or([w('expires_at', '<=', now), w('used_at', 'is not', null)])).execute();
}

export async function insertSignInLink(db: Sql, tokenHash: string, role: string, expiresAt: Date): Promise<void> {
  await db.kysely.insertInto('console_sign_in_links').values({ token_hash: tokenHash, role, expires_at: expiresAt }).execute();
}

/** Uses the link: its role the first time, while it has not expired; null ever after (the update is the claim). */
export async function consumeSignInLink(db: Sql, tokenHash: string, now: Date): Promise<string | null> {
  const row = await db.kysely
    .updateTable('console_sign_in_links')
    .set({ used_at: now })
    .where('token_hash', '=', tokenHash)
    .where('used_at', 'is', null)
    .where('expires_at', '>', now)
    .returning('role')
    .executeTakeFirst();
  return row?.role ?? null;
}


/** A one-time sign-in link's token for `role`, valid for `minutes`; only its hash is stored. */
export async function issueSignInLink(db: Sql, role: string, minutes: number): Promise<{ token: string; expiresAt: Date }> {
  const token = newToken();
  const expiresAt = new Date(Date.now() + minutes * 60_000);
  await insertSignInLink(db, hashToken(token), role, expiresAt);
  return { token, expiresAt };
}
