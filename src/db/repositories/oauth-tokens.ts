/** Sealed IMAP OAuth refresh tokens (oauth_tokens), written with optimistic versioning. */
import { sql } from 'kysely';
import type { Sql } from '../sql.ts';

export interface OAuthTokenRow {
  refreshToken: string;
  clientId: string;
  keyId: string;
  seedHash: string | null;
  version: number;
  updatedAt: Date;
}

export async function findOAuthToken(db: Sql, account: string): Promise<OAuthTokenRow | null> {
  const row = await db.kysely
    .selectFrom('oauth_tokens')
    .select(['refresh_token', 'client_id', 'key_id', 'seed_hash', 'version', 'updated_at'])
    .where('account', '=', account)
    .executeTakeFirst();
  if (!row) return null;
  return {
    refreshToken: row.refresh_token,
    clientId: row.client_id,
    keyId: row.key_id,
    seedHash: row.seed_hash,
    version: Number(row.version),
    updatedAt: new Date(row.updated_at),
  };
}

export interface OAuthTokenWrite {
  account: string;
  provider: string;
  clientId: string;
  keyId: string;
  /** Already sealed. */
  refreshToken: string;
  seedHash: string | null;
}

/**
 * Stores the row if it is still at `expectedVersion` (null: only if there is none; 'any': always). Returns the
 * new version, or null when someone else wrote first.
 */
export async function upsertOAuthToken(db: Sql, w: OAuthTokenWrite, expectedVersion: number | null | 'any'): Promise<number | null> {
  const now = sql<Date>`now()`;
  const insert = db.kysely.insertInto('oauth_tokens').values({
    account: w.account,
    provider: w.provider,
    client_id: w.clientId,
    key_id: w.keyId,
    refresh_token: w.refreshToken,
    seed_hash: w.seedHash,
    version: 1,
    created_at: now,
    updated_at: now,
  });
  const row = await insert
    .onConflict((oc) => {
      if (expectedVersion === null) return oc.column('account').doNothing();
      const update = oc.column('account').doUpdateSet((eb) => ({
        provider: eb.ref('excluded.provider'),
        client_id: eb.ref('excluded.client_id'),
        key_id: eb.ref('excluded.key_id'),
        refresh_token: eb.ref('excluded.refresh_token'),
        seed_hash: eb.ref('excluded.seed_hash'),
        version: eb('oauth_tokens.version', '+', 1),
        updated_at: now,
      }));
      return expectedVersion === 'any' ? update : update.where('oauth_tokens.version', '=', expectedVersion);
    })
    .returning('version')
    .executeTakeFirst();
  return row ? Number(row.version) : null;
}
