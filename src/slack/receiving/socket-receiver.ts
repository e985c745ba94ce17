/**
 * Socket Mode, guarded and supervised. The Socket Mode client parses each WebSocket message and reads
 * `event.type` / `event.payload.event.type` in an async handler nobody awaits, so `null` or an envelope
 * without its payload was an unhandled rejection that ended the process; envelopes are checked here first
 * (same shapes as the HTTP receiver) and a bad one is acked and dropped. The client's own reconnect loop also
 * ends in an unhandled rejection when apps.connections.open fails (Slack down), so it is switched off
 * (autoReconnectEnabled: false) and this supervisor reconnects instead: at once after a clean disconnect,
 * then with capped exponential backoff while Slack fails, reporting each outcome to /health. Events sent
 * while the connection was down are not sent again by Slack: `onReconnected` lets the door read them back.
 */
import type { SocketModeReceiver } from '@slack/bolt';
import type { Logger } from 'pino';
import { type EventSink, isEventBody } from './http-receiver.ts';
import { checkSlackBody } from './request-shape.ts';

type SocketClient = SocketModeReceiver['client'];

const ENVELOPE_TYPES = new Set(['events_api', 'interactive', 'slash_commands']);

/** Replaces the client's message handler by one that drops what is not a well-formed envelope. */
export function guardEnvelopes(client: SocketClient, logger: Logger, onEvent?: EventSink): void {
  const ack = (envelopeId: string) => (client as unknown as { send: (id: string, body: object) => Promise<void> }).send(envelopeId, {});
  const original = (client as unknown as { onWebSocketMessage: (data: unknown, isBinary: boolean) => Promise<void> }).onWebSocketMessage.bind(client);
  client.removeAllListeners('ws_message');
  client.on('ws_message', (data: unknown, isBinary: boolean) => {
    const verdict = isBinary ? { ok: true as const } : checkEnvelope(data);
    if (!verdict.ok) {
      logger.warn({ reason: verdict.reason }, 'socket mode: dropped a message that is not a Slack envelope');
      // Acked, so Slack does not deliver it again (send is the client's own ack, private in its typings).
      if (verdict.envelopeId) (client as unknown as { send: (id: string, body: object) => Promise<void> }).send(verdict.envelopeId, {}).catch(() => undefined);
      return;
    }
    // Events go to the door and are acked once stored, as over HTTP; unacked, Slack sends them again.
    const event = onEvent && !isBinary ? eventEnvelope(data) : undefined;
    if (event) {
      onEvent!(event.payload, event.retryNum === undefined ? {} : { retryNum: event.retryNum })
        .then(() => ack(event.envelopeId))
        .catch((error: unknown) => logger.error({ err: error }, 'socket mode: event not stored; Slack will send it again'));
      return;
    }
    original(data, isBinary).catch((error: unknown) => logger.error({ err: error }, 'socket mode: message handling failed'));
  });
}

function checkEnvelope(data: unknown): { ok: true } | { ok: false; reason: string; envelopeId?: string } {
  let event: unknown;
  try {
    event = JSON.parse(typeof data === 'string' ? data : Buffer.from(data as ArrayBuffer).toString('utf8'));
  } catch {
    return { ok: false, reason: 'not JSON' };
  }
  if (typeof event !== 'object' || event === null || Array.isArray(event)) return { ok: false, reason: 'not an object' };
  const e = event as Record<string, unknown>;
  if (typeof e.type !== 'string') return { ok: false, reason: 'no type' };
  if (!ENVELOPE_TYPES.has(e.type)) return { ok: true }; // hello, disconnect, and what the client ignores
  const envelopeId = typeof e.envelope_id === 'string' && e.envelope_id !== '' ? e.envelope_id : undefined;
  if (!envelopeId) return { ok: false, reason: `${e.type} without envelope_id` };
  // An events_api payload is the event_callback body of the HTTP receiver.
  const shape = checkSlackBody(e.type === 'events_api' ? { ...asObject(e.payload), type: 'event_callback' } : e.payload);
  return shape.ok ? { ok: true } : { ok: false, reason: shape.reason, envelopeId };
}

/** An events_api envelope's event_callback body (checked by checkEnvelope already), or undefined. */
function eventEnvelope(data: unknown): { envelopeId: string; payload: Record<string, unknown>; retryNum?: number } | undefined {
  const e = asObject(JSON.parse(typeof data === 'string' ? data : Buffer.from(data as ArrayBuffer).toString('utf8')));
  if (e.type !== 'events_api' || typeof e.envelope_id !== 'string') return undefined;
  const payload = asObject(e.payload);
  if (!isEventBody(payload)) return undefined;
  return { envelopeId: e.envelope_id, payload, ...(typeof e.retry_attempt === 'number' ? { retryNum: e.retry_attempt } : {}) };
}

function asObject(v: unknown): Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

export interface SocketSupervisor {
  start(): void;
  stop(): Promise<void>;
}

export function superviseSocket(
  client: SocketClient,
  opts: { logger: Logger; report: (error?: unknown) => void; onReconnected?: () => void; minDelayMs?: number; maxDelayMs?: number },
): SocketSupervisor {
  const min = opts.minDelayMs ?? 1000;
  const max = opts.maxDelayMs ?? 60_000;
  let stopped = false;
  let connecting = false;
  let failures = 0;
  let connectedBefore = false;
  let timer: NodeJS.Timeout | undefined;

  const schedule = (ms: number) => {
    if (stopped || timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      void connect();
    }, ms);
  };
  async function connect(): Promise<void> {
    if (stopped || connecting) return;
    connecting = true;
    try {
      await client.start();
      failures = 0;
      opts.report();
      opts.logger.info({ again: connectedBefore }, 'slack socket mode connected');
      if (connectedBefore) opts.onReconnected?.();
      connectedBefore = true;
    } catch (error) {
      failures += 1;
      opts.report(error);
      const delay = Math.min(max, min * 2 ** (failures - 1));
      opts.logger.error({ err: error, retryInMs: delay }, 'slack socket mode could not connect');
      schedule(delay);
    } finally {
      connecting = false;
    }
  }
  // A dropped or recycled connection (Slack sends `disconnect` every few hours): connect again.
  client.on('disconnected', () => {
    if (!stopped && !connecting) schedule(failures === 0 ? 0 : Math.min(max, min * 2 ** failures));
  });
  return {
    start: () => void connect(),
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await client.disconnect().catch(() => undefined);
    },
  };
}
