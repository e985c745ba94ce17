/**
 * The Bolt app: HTTP mode mounted on the service's own Koa app at POST /slack/events (http-receiver.ts), or
 * Socket Mode when an app token is configured (socket-receiver.ts). The Koa app must not parse /slack/* bodies
 * before this middleware.
 *
 * Bolt is given an `authorize` function instead of the token: with a token, Bolt's constructor calls
 * auth.test at once, and when Slack is down or says invalid_auth that rejection is unhandled (the process
 * exits) and cached (every later click fails). The service checks the token itself, in the background
 * (delivery/connection.ts), and every Web API client here uses the service's rate-limit gate.
 */
import { App, LogLevel, SocketModeReceiver, webApi, type Logger as BoltLogger } from '@slack/bolt';
import type { Middleware } from 'koa';
import type { Logger } from 'pino';
import type { Config } from '../../config.ts';
import { type EventSink, KoaSlackReceiver, SLACK_EVENTS_PATH } from './http-receiver.ts';
import { guardEnvelopes, superviseSocket, type SocketSupervisor } from './socket-receiver.ts';

export { SLACK_EVENTS_PATH };

type SlackConfig = NonNullable<Config['slack']>;

/** The Slack SDK's debug lines that carry a request's body or an answer (personal data). */
const SLACK_PAYLOAD_LINE = /^(?:http request (?:body|result)|[{["]|Received a message|Unable to parse an incoming|Calling ack\(\)|Sending a WebSocket message|Error details|AWS event)/;

export function boltLogger(logger: Logger): BoltLogger {
  const log = logger.child({ component: 'slack-bolt' });
  const fmt = (msg: unknown[]) => msg.map((m) => (typeof m === 'string' ? m : JSON.stringify(m))).join(' ');
  return {
    // Slack's clients log each call's body and answer at debug: cards, notes and replies, i.e. customers'
    // names, addresses and texts. Those lines are never written; the rest of debug is.
    debug: (...m: unknown[]) => {
      const line = fmt(m);
      if (!SLACK_PAYLOAD_LINE.test(line)) log.debug(line);
    },
    info: (...m: unknown[]) => log.info(fmt(m)),
    warn: (...m: unknown[]) => log.warn(fmt(m)),
    error: (...m: unknown[]) => log.error(fmt(m)),
    setLevel: () => undefined,
    getLevel: () => LogLevel.INFO,
    setName: () => undefined,
  };
}

export interface BoltHandle {
  app: App;
  mode: 'http' | 'socket';
  /** Koa middleware for POST /slack/events (HTTP mode only). */
  middleware: Middleware | undefined;
  /** Socket Mode only: connects and keeps the connection (reconnecting with backoff). */
  socket: SocketSupervisor | undefined;
}

export interface BoltOptions {
  /** Options of every Web API client Bolt makes (the gate's fetch, SLACK_API_URL, timeout). */
  clientOptions: webApi.WebClientOptions;
  /** The bot's ids once auth.test has answered (Bolt uses them to ignore its own events). */
  identity: () => { botId?: string; botUserId?: string };
  /** Socket Mode connection outcomes, for /health. */
  report: (error?: unknown) => void;
  /** The Slack door: Events API bodies go there, stored before Slack is answered (both modes). */
  onEvent?: EventSink;
  /** Socket Mode connected again after a drop: what was sent meanwhile is lost unless read back. */
  onReconnected?: () => void;
  /** Slack stopped sending us events for a while (Events API app_rate_limited). */
  onEventsRateLimited?: (minute: number | undefined) => void;
}

export function createBoltApp(config: SlackConfig, logger: Logger, opts: BoltOptions): BoltHandle {
  const log = boltLogger(logger);
  const authorize = async () => ({ botToken: config.botToken, ...opts.identity() });
  if (config.appToken) {
    const receiver = new SocketModeReceiver({ appToken: config.appToken, logger: log, autoReconnectEnabled: false });
    // Bolt 5 does not hand clientOptions to the Socket Mode client: give it one (apps.connections.open with
    // the app token) that goes through the gate and SLACK_API_URL, and fails fast: the supervisor retries.
    (receiver.client as unknown as { webClient: webApi.WebClient }).webClient = new webApi.WebClient('', {
      ...opts.clientOptions,
      logger: log,
      headers: { Authorization: `Bearer ${config.appToken}` },
      rejectRateLimitedCalls: true,
      retryConfig: { retries: 0 },
    });
    guardEnvelopes(receiver.client, logger, opts.onEvent);
    const socket = superviseSocket(receiver.client, { logger, report: opts.report, ...(opts.onReconnected ? { onReconnected: opts.onReconnected } : {}) });
    const app = new App({ authorize, receiver, logger: log, clientOptions: opts.clientOptions });
    return { app, mode: 'socket', middleware: undefined, socket };
  }
  const receiver = new KoaSlackReceiver({
    signingSecret: config.signingSecret ?? '', boltLogger: log, logger,
    ...(opts.onEvent ? { onEvent: opts.onEvent } : {}),
    ...(opts.onEventsRateLimited ? { onEventsRateLimited: opts.onEventsRateLimited } : {}),
  });
  const app = new App({ authorize, receiver, logger: log, clientOptions: opts.clientOptions });
  return { app, mode: 'http', middleware: receiver.middleware, socket: undefined };
}
