import { defineEntity, p } from '@mikro-orm/core';

/**
 * A signed-in operator console (src/console/): the row is the session, the browser holds only a random token
 * whose SHA-256 is the key. `csrf_token` is the value every state-changing request must echo.
 */
export const ConsoleSession = defineEntity({
  name: 'ConsoleSession',
  tableName: 'console_sessions',
  properties: {
    tokenHash: p.string().length(64).primary(),
    /** The Slack user id, or `link` for a one-time sign-in link's session. */
    userId: p.string().length(64),
    userName: p.string().length(255).nullable(),
    role: p.string().length(16),
    csrfToken: p.string().length(64),
    createdAt: p.datetime().defaultRaw('now()'),
    expiresAt: p.datetime(),
  },
  indexes: [
    { name: 'console_sessions_user_id_idx', properties: ['userId'] },
    { name: 'console_sessions_expires_at_idx', properties: ['expiresAt'] },
  ],
});

/** A one-time sign-in link (npm run console:link, or printed at first start): hashed, single use, short-lived. */
export const ConsoleSignInLink = defineEntity({
  name: 'ConsoleSignInLink',
  tableName: 'console_sign_in_links',
  properties: {
    tokenHash: p.string().length(64).primary(),
    role: p.string().length(16),
    createdAt: p.datetime().defaultRaw('now()'),
    expiresAt: p.datetime(),
    usedAt: p.datetime().nullable(),
  },
});
