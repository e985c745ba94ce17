import type { Priority, Source } from './categories.ts';

/** An attachment as the inbox door saw it. `content` is present only below the configured size cap. */
export interface InboundAttachment {
  filename: string | null;
  contentType: string;
  size: number;
  content?: Buffer;
}

/**
 * Hints that let ingest attach a message to a ticket it already knows instead of opening a new one.
 * Every field is optional; ingest tries them in a fixed order (see src/ingest/thread.ts).
 */
export interface ThreadHints {
  /** Our own ticket id, e.g. parsed from "[#123]" in an e-mail subject. */
  ticketId?: number;
  /** The provider's ticket id (helpdesk updates / comments): matched against tickets of the same source. */
  externalTicketId?: string;
  /** E-mail In-Reply-To and References message ids, matched against stored tickets and messages. */
  inReplyTo?: string;
  references?: string[];
}

/** A company as a helpdesk names it: `key` (its id there, else its name) is unique within the door. */
export interface HelpdeskCompany {
  key: string;
  name: string;
  tier?: string | null;
}

/**
 * The one shape every door (REST, IMAP, webhooks, Slack, seed) normalizes into before calling ingest.
 * `externalId` identifies THIS message at its source (Message-ID, helpdesk ticket id for a creation,
 * delivery/comment id for an update); (source, externalId) is the dedupe key.
 */
export interface InboundMessage {
  source: Source;
  externalId?: string | null;
  subject?: string | null;
  /** The text a human should read: for e-mail, the new text without quoted history and signature. */
  body: string;
  /** The full text when it differs from body (e-mail with quotes). */
  fullBody?: string | null;
  requesterEmail?: string | null;
  requesterName?: string | null;
  /** The door's own id of the sender (a helpdesk requester id, a Slack user id): with requesterEmail, who the customer is. */
  requesterId?: string | null;
  /**
   * The sender's organisation as the helpdesk names it (Zendesk organization, Freshdesk company, the generic
   * webhook's `company`): the customer joins that company, made on first sight and named as the helpdesk says.
   */
  requesterCompany?: HelpdeskCompany | null;
  /**
   * Where a reply should go when the sender asked for another address (e-mail `Reply-To:`). The requester stays
   * the sender: threading, loop protection and "whose ticket is this" never look at this field.
   */
  replyTo?: string | null;
  /** Other addresses on the conversation (To/Cc); a reply from one of them may join the thread. */
  participants?: string[];
  originalQueue?: string | null;
  originalPriority?: string | null;
  /** A priority the source already states (helpdesk field); classification may still raise it. */
  priority?: Priority | null;
  tags?: string[];
  receivedAt?: Date;
  thread?: ThreadHints;
  attachments?: InboundAttachment[];
  /** Small, JSON-serializable facts about the source (headers, provider ids). Never secrets. */
  metadata?: Record<string, unknown>;
}
