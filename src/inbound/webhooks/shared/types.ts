import type { IncomingHttpHeaders } from 'node:http';
import type { WebhookProvider } from '../../../domain/categories.ts';
import type { InboundMessage } from '../../../domain/inbound-message.ts';

export type { WebhookProvider };

/** What a provider module sees of a request: the raw bytes, the headers, the (injectable) clock. */
export interface WebhookRequest {
  headers: IncomingHttpHeaders;
  raw: Buffer;
  now: Date;
}

/**
 * The message ingest gets, minus what the router (source, a creation's externalId) and ingest (an update's
 * externalId and thread, from its threadKey) fill in.
 */
export type MessageFields = Omit<InboundMessage, 'source' | 'externalId' | 'thread'>;

/**
 * What a delivery means, decided by the provider module from the verified payload alone (pure):
 * - `ticket`: the provider created a ticket; the ticket id is the dedupe key.
 * - `update`: new text on a provider ticket (comment, reply, inbound message). A follow-up when we already
 *   hold that ticket, else a new ticket (the webhook was connected after the ticket was opened).
 * - `ignored`: an event with nothing to triage (agent note, status change, ping); answered 200.
 * `deliveryId` identifies the delivery: the provider's event id, else ticket id + event type (+ a version).
 */
export type WebhookDelivery =
  | { kind: 'ticket'; deliveryId: string; eventType: string; ticketId: string; message: MessageFields }
  | { kind: 'update'; deliveryId: string; eventType: string; ticketId: string; message: MessageFields }
  | { kind: 'ignored'; deliveryId: string | null; eventType: string; reason: string };

/** A reply the provider needs instead of ingesting (Front's URL validation challenge). */
export interface HandshakeReply {
  handshake: { status: number; body: unknown; headers?: Record<string, string> };
}

export interface ProviderModule {
  name: WebhookProvider;
  /** Throws HttpError 401 unless the request proves itself with `secret`. Runs before any parsing. */
  verify(req: WebhookRequest, secret: string): void;
  /** Verified bytes -> meaning. Throws HttpError 400 (not JSON) or 422 (wrong shape, naming the field). */
  interpret(req: WebhookRequest): WebhookDelivery | HandshakeReply;
  /** Methods other than POST that the provider uses and that are answered 200 (Intercom's HEAD check). */
  extraMethods?: readonly string[];
}
