/** The closed vocabularies of the product. Kept as const tuples so zod schemas, SQL and TS share them. */
export const CATEGORIES = ['technical', 'billing', 'general'] as const;
export type Category = (typeof CATEGORIES)[number];

export const PRIORITIES = ['low', 'medium', 'high', 'urgent'] as const;
export type Priority = (typeof PRIORITIES)[number];

/** `waiting_on_customer`: an agent replied (src/ingest/replies.ts); the customer's next message reopens it. */
export const STATUSES = ['processing', 'open', 'acknowledged', 'waiting_on_customer', 'resolved'] as const;
export type TicketStatus = (typeof STATUSES)[number];

/** The helpdesks with a webhook door (src/inbound/webhooks/<name>.ts); each is also a ticket source. */
export const WEBHOOK_PROVIDERS = ['zendesk', 'freshdesk', 'helpscout', 'intercom', 'front', 'generic'] as const;
export type WebhookProvider = (typeof WEBHOOK_PROVIDERS)[number];

export const SOURCES = ['api', 'email', ...WEBHOOK_PROVIDERS, 'slack', 'seed'] as const;
export type Source = (typeof SOURCES)[number];

/** Who produced a classification. `keyword` is the original service's rule, kept as a named baseline. */
export const CLASSIFIERS = ['llm', 'local', 'keyword', 'human'] as const;
export type ClassifierKind = (typeof CLASSIFIERS)[number];

export function isCategory(value: unknown): value is Category {
  return typeof value === 'string' && (CATEGORIES as readonly string[]).includes(value);
}

export function isPriority(value: unknown): value is Priority {
  return typeof value === 'string' && (PRIORITIES as readonly string[]).includes(value);
}

/** Maps free-form priority words from helpdesks and datasets onto ours. Unknown words give undefined. */
export function normalizePriority(value: unknown): Priority | undefined {
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  const word = String(value).trim().toLowerCase();
  switch (word) {
    case 'low': case '1': case 'minor': return 'low';
    case 'medium': case 'normal': case '2': case 'moderate': return 'medium';
    case 'high': case '3': case 'major': return 'high';
    case 'urgent': case 'critical': case '4': case 'blocker': case 'emergency': return 'urgent';
    default: return undefined;
  }
}
