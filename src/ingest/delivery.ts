/**
 * What a door hands to ingest: one delivery (a webhook request, a mail, a REST call, a Slack message), and
 * the verdict ingest records for it in the audit trail (inbound_events). A door parses, verifies and
 * acknowledges; deciding what a delivery is (new ticket, follow-up, duplicate, set aside) and recording it is
 * ingest's (src/ingest/ingest.ts).
 */
import type { InboundMessage } from '../domain/inbound-message.ts';

/**
 * The audit trail's verdicts (inbound_events.verdict). `accepted` is a new ticket, `ignored` a delivery set
 * aside (noise, an event with nothing to triage), `rejected` one refused (unverified, malformed, unstorable),
 * `failed` one the door could not handle (its own fault, or the database's). `revised`: a stored message was
 * edited or deleted where it was written; `answered`: a teammate answered the customer outside the service;
 * `suppressed`: a message from a blocked sender, kept as spam in its audit row (src/ingest/sender-blocks.ts).
 */
export type Verdict = 'accepted' | 'followup' | 'duplicate' | 'revised' | 'answered' | 'suppressed' | 'ignored' | 'rejected' | 'failed';

/** What the delivery carries: a message to store, or the door's reason for storing nothing. */
export type DeliveryContent =
  | { message: InboundMessage }
  /** Nothing to triage. `mentions`: ids of stored messages it concerns (a bounce names the mail it returns). */
  | { ignored: string; mentions?: string[] }
  /** A stored message (source + external id) was edited or deleted at its door: its copy changes, history kept. */
  | { revision: { source: 'slack'; externalId: string; body: string; deleted: boolean; at: Date } }
  /**
   * A teammate answered the customer directly at the door (in the customer's Slack thread): stored as an
   * outbound message already sent, on the ticket keyed `ticketKey`. `externalId` identifies the answer.
   */
  | { answer: { source: 'slack'; ticketKey: string; externalId: string; text: string; agent: { slackUserId: string; name: string | null }; at: Date } }
  | { rejected: string }
  | { failed: string };

export interface Delivery {
  /** The door's name in the audit trail (inbound_events.source): 'api', 'email', a webhook provider, 'slack'. */
  door: string;
  /** The door's own id of this delivery (a webhook event id, a Message-ID, a REST external_id), if it has one. */
  deliveryId: string | null;
  /**
   * The conversation this delivery belongs to in the door's own terms (a helpdesk's ticket id, a Slack thread):
   * a follow-up when we hold a ticket opened under it, else a new ticket keyed by it. The message's externalId
   * and thread hints are then ingest's to set. Without it, the message's own externalId is the dedupe key.
   */
  threadKey?: string;
  /**
   * What was received, kept in the audit up to a cap: 64 KiB once verified, 4 KiB when not. Bytes are read as
   * UTF-8; a door that decoded them otherwise hands in the text.
   */
  payload?: { raw: Buffer | string; verified: boolean } | null;
  /** Size in bytes of what was received (default: the payload's length, else 0). */
  size?: number;
  /** Facts about the delivery for operators (event type, mailbox, uid); never secrets. */
  metadata?: Record<string, unknown>;
  /**
   * The door reads the same deliveries again (a mailbox after a restart): a verdict that stores nothing
   * (ignored, rejected, failed) is then recorded once per delivery id, not once per reading. Duplicates are
   * always recorded (that is the audit of the skip).
   */
  recordOnce?: boolean;
  content: DeliveryContent;
}

/** Ingest's answer to a door: the verdict, its ticket, and why (for set-aside, refused and failed deliveries). */
export interface DeliveryVerdict {
  verdict: Verdict;
  ticketId: number | null;
  messageId?: number;
  reason?: string;
  /** A duplicate because it repeated a REST Idempotency-Key: the door answers as it did the first time. */
  replayed?: true;
}

/** Payload kept for a delivery that proved its sender; enough to replay any real ticket. */
export const AUDIT_PAYLOAD_MAX_BYTES = 64 * 1024;
/** Unverified bodies are anyone's bytes: keep only enough to see why they were rejected. */
export const AUDIT_REJECTED_PAYLOAD_MAX_BYTES = 4 * 1024;
