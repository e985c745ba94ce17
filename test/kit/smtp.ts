/**
 * A real SMTP server (smtp-server) on a loopback port for the reply tests: it stores every message it
 * accepts and can be told to refuse the next ones (421: try later, 550: refused for good) or to run a
 * hook between receiving a message and answering (the crash test kills the service there).
 */
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  from: string | undefined;
  to: string[];
  raw: string;
  /** Header lines, names lower-cased (first occurrence; folded lines unfolded). */
  headers: Record<string, string>;
}

export interface FakeSmtp {
  port: number;
  received: ReceivedMail[];
  /** The next `count` messages are refused with this code after DATA. */
  refuseNext(code: 421 | 450 | 550 | 554, count?: number): void;
  /** Runs after a message is received, before the server answers (and stores it only if it returns true). */
  beforeAnswer: ((mail: ReceivedMail) => Promise<void> | void) | undefined;
  /** Attempts seen (accepted or refused). */
  attempts: number;
  close(): Promise<void>;
}

export function parseHeaders(raw: string): Record<string, string> {
  const head = raw.split(/\r?\n\r?\n/)[0] ?? '';
  const headers: Record<string, string> = {};
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i <= 0) continue;
    const name = line.slice(0, i).trim().toLowerCase();
    headers[name] ??= line.slice(i + 1).trim();
  }
  return headers;
}

/** On `port` (0: any free one); a test that starts it late on a fixed port shows an unreachable server. */
export async function startFakeSmtp(port = 0): Promise<FakeSmtp> {
  const refusals: number[] = [];
  const state: FakeSmtp = {
    port: 0,
    received: [],
    attempts: 0,
    beforeAnswer: undefined,
    refuseNext(code, count = 1) {
      for (let i = 0; i < count; i += 1) refusals.push(code);
    },
    close: async () => undefined,
  };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onAuth(_auth, _session, callback) {
      callback(null, { user: 'agent' });
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        state.attempts += 1;
        const raw = Buffer.concat(chunks).toString('utf8');
        const mail: ReceivedMail = {
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : undefined,
          to: session.envelope.rcptTo.map((r) => r.address),
          raw,
          headers: parseHeaders(raw),
        };
        const code = refusals.shift();
        if (code) {
          const error = Object.assign(new Error(code >= 500 ? 'mailbox unavailable' : 'try again later'), { responseCode: code });
          return callback(error);
        }
        state.received.push(mail);
        void Promise.resolve(state.beforeAnswer?.(mail)).then(() => callback(null, 'queued as FAKE1'), (e: Error) => callback(e));
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', () => resolve()));
  state.port = (server.server.address() as AddressInfo).port;
  state.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return state;
}
