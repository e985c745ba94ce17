/**
 * The Bolt app: HTTP mode mounted on the service's own Koa app at POST /slack/events (Bolt's HTTPReceiver
 * verifies Slack's v0 signature on the raw body and rejects stale timestamps), or Socket Mode when an app
 * token is configured. The Koa app must not parse /slack/* bodies before this middleware.
 */
import { App, HTTPReceiver, LogLevel, SocketModeReceiver, webApi, type Logger as BoltLogger } from '@slack/bolt';
import type { Middleware } from 'koa';
import type { Logger } from 'pino';
import type { Config } from '../../config.ts';

export const SLACK_EVENTS_PATH = '/slack/events';

type SlackConfig = NonNullable<Config['slack']>;

export function boltLogger(logger: Logger): BoltLogger {
  const log = logger.child({ component: 'slack-bolt' });
  const fmt = (msg: unknown[]) => msg.map((m) => (typeof m === 'string' ? m : JSON.stringify(m))).join(' ');
  return {
    debug: (...m: unknown[]) => log.debug(fmt(m)),
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
}

export function createBoltApp(config: SlackConfig, logger: Logger, clientOptions: webApi.WebClientOptions): BoltHandle {
  const log = boltLogger(logger);
  if (config.appToken) {
    const receiver = new SocketModeReceiver({ appToken: config.appToken, logger: log });
    if (clientOptions.slackApiUrl) {
      // Bolt 5 does not hand clientOptions to the Socket Mode client, so apps.connections.open would still go
      // to slack.com: give it a client for SLACK_API_URL, authenticated with the app token as Bolt's is.
      (receiver.client as unknown as { webClient: webApi.WebClient }).webClient = new webApi.WebClient('', {
        slackApiUrl: clientOptions.slackApiUrl,
        logger: log,
        headers: { Authorization: `Bearer ${config.appToken}` },
        retryConfig: { retries: 100, factor: 1.3 },
      });
    }
    const app = new App({ token: config.botToken, receiver, logger: log, clientOptions });
    return { app, mode: 'socket', middleware: undefined };
  }
  const receiver = new HTTPReceiver({
    signingSecret: config.signingSecret ?? '',
    endpoints: [SLACK_EVENTS_PATH],
    logger: log,
    // Ack first, then work: Slack wants an answer within 3 s.
    processBeforeResponse: false,
  });
  const app = new App({ token: config.botToken, receiver, logger: log, clientOptions });

  const middleware: Middleware = async (ctx, next) => {
    const path = ctx.path.length > 1 ? ctx.path.replace(/\/+$/, '') : ctx.path;
    if (path !== SLACK_EVENTS_PATH || ctx.method !== 'POST') return next();
    // Bolt answers on the raw Node response; Koa must not touch it.
    ctx.respond = false;
    ctx.req.url = SLACK_EVENTS_PATH;
    await new Promise<void>((resolve) => {
      ctx.res.once('finish', resolve);
      ctx.res.once('close', resolve);
      receiver.requestListener(ctx.req, ctx.res);
    });
  };
  return { app, mode: 'http', middleware };
}
