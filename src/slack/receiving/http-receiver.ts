/**
 * POST /slack/events as a Bolt receiver that lives inside the service's Koa app. It does what Bolt's
 * HTTPReceiver does (Bolt's own functions: v0 signature on the raw body, stale timestamps, ssl_check,
 * url_verification, the 3 s ack) but inside our own error handling: Bolt's receiver runs each request in a
 * detached promise and reads `body.ssl_check` of whatever the body parsed to, so a signed `null` was an
 * unhandled rejection that ended the process. Here every request is either answered 4xx through the error
 * boundary (bad signature 401, too large 413, unparsable or not one of Slack's shapes 400) or handed to
 * Bolt already checked, and a failure while Bolt processes it is logged, never thrown out of the request.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HTTPModuleFunctions as http, HTTPResponseAck, type App, type BufferedIncomingMessage, type Receiver } from '@slack/bolt';
import type { Logger as BoltLogger } from '@slack/bolt';
import type { Middleware } from 'koa';
import type { Logger } from 'pino';
import { HttpError } from '../../lib/http-error.ts';
import { checkSlackBody } from './request-shape.ts';

export const SLACK_EVENTS_PATH = '/slack/events';
/** Slack's payloads are a few kB (a card with 50 blocks stays far below); the REST API's limit too. */
export const SLACK_BODY_LIMIT = 1024 * 1024;

/**
 * Takes an Events API body (event_callback, app_rate_limited) instead of Bolt and resolves once it is stored:
 * Slack is answered 200 only then (a failure answers 500, and Slack retries).
 */
export type EventSink = (body: Record<string, unknown>, meta: { retryNum?: number }) => Promise<unknown>;

/** Events Bolt's own listeners answer (interactions/home-tab.ts); every other event is the door's. */
const BOLT_EVENTS = new Set(['app_home_opened']);

/** An Events API body for the door: an event_callback (not one of Bolt's) or app_rate_limited. */
export const isEventBody = (body: Record<string, unknown>) => {
  if (body.type === 'app_rate_limited') return true;
  if (body.type !== 'event_callback') return false;
  const event = body.event;
  return !(typeof event === 'object' && event !== null && BOLT_EVENTS.has(String((event as { type?: unknown }).type)));
};

export class KoaSlackReceiver implements Receiver {
  #app: App | undefined;
  readonly #signingSecret: string;
  readonly #boltLog: BoltLogger;
  readonly #log: Logger;
  readonly #onEvent: EventSink | undefined;
  readonly #onEventsRateLimited: ((minute: number | undefined) => void) | undefined;

  constructor(opts: { signingSecret: string; boltLogger: BoltLogger; logger: Logger; onEvent?: EventSink; onEventsRateLimited?: (minute: number | undefined) => void }) {
    this.#onEvent = opts.onEvent;
    this.#onEventsRateLimited = opts.onEventsRateLimited;
    this.#signingSecret = opts.signingSecret;
    this.#boltLog = opts.boltLogger;
    this.#log = opts.logger;
  }

  init(app: App): void {
    this.#app = app;
  }

  // The Koa app owns the listener: nothing to start or stop here.
  start(): Promise<void> {
    return Promise.resolve();
  }

  stop(): Promise<void> {
    return Promise.resolve();
  }

  readonly middleware: Middleware = async (ctx, next) => {
    if (ctx.path !== SLACK_EVENTS_PATH || ctx.method !== 'POST') return next();
    const req = await this.#verified(ctx.req);
    let body: unknown;
    try {
      body = http.parseHTTPRequestBody(req);
    } catch (error) {
      throw new HttpError(400, `Malformed Slack request body: ${error instanceof Error ? error.message : String(error)}`);
    }
    const shape = checkSlackBody(body);
    if (!shape.ok) {
      this.#log.warn({ reason: shape.reason }, 'signed Slack request with a body that is not one of Slack\'s shapes');
      throw new HttpError(400, `Not a Slack request: ${shape.reason}`);
    }
    if (shape.body.ssl_check === '1') {
      ctx.status = 200;
      ctx.body = '';
      return;
    }
    if (shape.body.type === 'url_verification') {
      ctx.body = { challenge: shape.body.challenge };
      return;
    }
    // Slack drops our events for a minute: /health and the throttling signal hear of it; the door records it.
    if (shape.body.type === 'app_rate_limited') {
      this.#log.warn({ minute: shape.body.minute_rate_limited }, 'slack says: app_rate_limited (events are being dropped)');
      this.#onEventsRateLimited?.(typeof shape.body.minute_rate_limited === 'number' ? shape.body.minute_rate_limited : undefined);
    }
    if (this.#onEvent && isEventBody(shape.body)) {
      const retryNum = http.extractRetryNumFromHTTPRequest(req as unknown as IncomingMessage);
      await this.#onEvent(shape.body, retryNum === undefined ? {} : { retryNum });
      ctx.status = 200;
      ctx.body = '';
      return;
    }
    if (shape.body.type === 'app_rate_limited') {
      ctx.status = 200;
      ctx.body = '';
      return;
    }
    await this.#dispatch(ctx.res, req, shape.body);
  };

  /** Buffers the body (up to the limit) and checks Slack's signature; ssl_check needs none (Bolt's rule). */
  async #verified(req: IncomingMessage): Promise<BufferedIncomingMessage> {
    try {
      return await http.parseAndVerifyHTTPRequest({ enabled: true, signingSecret: this.#signingSecret, bodyLimit: SLACK_BODY_LIMIT }, req);
    } catch (error) {
      // Too large: the rest of the body is not read, so the connection cannot be reused by the client.
      if (http.isRawBodyError(error) && (error as { statusCode?: number }).statusCode === 413) {
        throw new HttpError(413, `Request body is larger than the ${SLACK_BODY_LIMIT / 1024 / 1024} MiB limit`, {}, { Connection: 'close' });
      }
      // raw-body's other errors (aborted, bad encoding) carry their 4xx; the error boundary answers them.
      if (http.isRawBodyError(error)) throw error;
      this.#log.warn({ reason: error instanceof Error ? error.message : String(error) }, 'Slack request rejected: signature');
      throw new HttpError(401, 'Invalid or missing Slack signature');
    }
  }

  /** Hands a checked request to Bolt, which answers on the raw response (ack within 3 s, or 404). */
  async #dispatch(res: ServerResponse, req: BufferedIncomingMessage, body: Record<string, unknown>): Promise<void> {
    const app = this.#app;
    if (!app) throw new HttpError(503, 'Slack is not ready yet');
    const koaDone = new Promise<void>((resolve) => {
      res.once('finish', resolve);
      res.once('close', resolve);
    });
    // (koa-body's typings declare IncomingMessage.rawBody a string; Bolt's is the Buffer it reads.)
    const request = req as unknown as IncomingMessage;
    const ack = new HTTPResponseAck({ logger: this.#boltLog, processBeforeResponse: false, httpRequest: request, httpRequestBody: body, httpResponse: res });
    const event = {
      body,
      ack: ack.bind(),
      retryNum: http.extractRetryNumFromHTTPRequest(request),
      retryReason: http.extractRetryReasonFromHTTPRequest(request),
      customProperties: {},
    };
    // Listeners go on after the ack (the stats command, a card edit): they must not hold the request.
    app.processEvent(event).catch((error: unknown) => {
      this.#log.error({ err: error }, 'slack request failed while Bolt processed it');
      if (!res.headersSent) {
        res.writeHead(500);
        res.end();
      }
    });
    await koaDone;
  }
}
