import { pino, type Logger } from 'pino';
import { streamDestination } from './log-destination.ts';

/** Paths whose values never reach a log line, wherever they appear. */
const REDACT = [
  'password', '*.password', 'accessToken', '*.accessToken', 'apiKey', '*.apiKey', 'token', '*.token',
  'secret', '*.secret', 'botToken', '*.botToken', 'appToken', '*.appToken', 'signingSecret', '*.signingSecret',
  'req.headers.authorization', 'req.headers["x-api-key"]', 'headers.authorization', 'headers["x-api-key"]',
  'config.api.keys', 'config.webhooks.*',
];

/** Logs to stdout unless told otherwise; a closed stdout never blocks the process (see log-destination.ts). */
export function createLogger(level: string, destination: pino.DestinationStream = streamDestination()): Logger {
  return pino(
    {
      level,
      base: { service: 'support-triage' },
      redact: { paths: REDACT, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}

export type { Logger };
