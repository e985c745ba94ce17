/**
 * Checks the bot token (auth.test) in the background, so Slack being down, rate-limiting or refusing the
 * token never holds up or ends start-up. Until it answers, /health says Slack is failing with the error;
 * the check is retried with capped exponential backoff, and the bot's ids are kept once known. Deliveries
 * do not wait for it: they have their own retries and report their own outcomes.
 */
import type { webApi } from '@slack/bolt';
import type { Logger } from 'pino';
import { describeError } from './errors.ts';

export interface SlackIdentity {
  botId?: string;
  botUserId?: string;
  /** Our workspace. */
  teamId?: string;
}

export interface ConnectionCheck {
  identity(): SlackIdentity;
  start(): void;
  stop(): void;
}

export function checkConnection(opts: {
  client: webApi.WebClient;
  logger: Logger;
  report: (error?: unknown) => void;
  minDelayMs?: number;
  maxDelayMs?: number;
}): ConnectionCheck {
  const min = opts.minDelayMs ?? 1000;
  const max = opts.maxDelayMs ?? 60_000;
  let identity: SlackIdentity = {};
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let failures = 0;

  async function attempt(): Promise<void> {
    timer = undefined;
    if (stopped) return;
    try {
      const res = await opts.client.auth.test();
      identity = {
        ...(typeof res.bot_id === 'string' ? { botId: res.bot_id } : {}),
        ...(typeof res.user_id === 'string' ? { botUserId: res.user_id } : {}),
        ...(typeof res.team_id === 'string' ? { teamId: res.team_id } : {}),
      };
      opts.report();
      if (failures > 0) opts.logger.info({ afterFailures: failures }, 'slack answers again: token accepted');
    } catch (error) {
      failures += 1;
      opts.report(error);
      const delay = Math.min(max, min * 2 ** (failures - 1));
      const log = { err: describeError(error), retryInMs: delay, failures };
      if (failures === 1) opts.logger.error(log, 'slack auth.test failed (Slack down, or check SLACK_BOT_TOKEN); retrying in the background');
      else opts.logger.warn(log, 'slack auth.test failed again');
      if (!stopped) timer = setTimeout(() => void attempt(), delay);
    }
  }

  return {
    identity: () => identity,
    start: () => void attempt(),
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
