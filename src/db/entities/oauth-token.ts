import { defineEntity, p } from '@mikro-orm/core';

/**
 * A mailbox's OAuth2 refresh token, encrypted (AES-256-GCM, src/inbound/imap/oauth/token-store.ts). One row
 * per mailbox identity; `version` makes every write a compare-and-set, `key_id` names the key that wrote it.
 */
export const OAuthToken = defineEntity({
  name: 'OAuthToken',
  tableName: 'oauth_tokens',
  properties: {
    account: p.string().length(512).primary(),
    provider: p.string().length(32),
    clientId: p.string().length(255),
    keyId: p.string().length(32),
    /** `v1.<iv>.<tag>.<ciphertext>`, base64url parts; never the plaintext. */
    refreshToken: p.text(),
    /** SHA-256 of the IMAP_OAUTH_REFRESH_TOKEN this row supersedes (a different one in the env wins). */
    seedHash: p.string().length(64).nullable(),
    version: p.integer().default(1),
    createdAt: p.datetime().defaultRaw('now()'),
    updatedAt: p.datetime().defaultRaw('now()'),
  },
});
