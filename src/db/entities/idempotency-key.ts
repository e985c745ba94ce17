import { defineEntity, p } from '@mikro-orm/core';

/** REST `Idempotency-Key`: the key, a hash of the request body and the ticket it created. */
export const IdempotencyKey = defineEntity({
  name: 'IdempotencyKey',
  tableName: 'idempotency_keys',
  properties: {
    key: p.string().length(255).primary(),
    requestHash: p.string().length(64),
    ticketId: p.integer(),
    createdAt: p.datetime().defaultRaw('now()'),
  },
});
