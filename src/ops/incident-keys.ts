/**
 * Incident keys name what is broken ("webhook:zendesk", "mailbox-login:support@example.com/INBOX", ...); the
 * part before the colon is the kind, which decides the threshold. Every instance derives the same threshold
 * from the same key, whichever instance reported it.
 */
import type { Config } from '../config.ts';

export const incidentKey = {
  webhook: (provider: string) => `webhook:${provider}`,
  mailboxLogin: (mailbox: string) => `mailbox-login:${mailbox}`,
  mailboxNotRead: (mailbox: string) => `mailbox-unread:${mailbox}`,
  classifierBreaker: () => 'classifier-breaker',
  deadLetters: () => 'dead-letters',
  /** The Slack door: `rate-limited`, `token`, `channel:C0123`. */
  slack: (what: string) => `slack:${what}`,
  slackThrottled: () => 'slack-throttled',
};

export interface Threshold {
  /** How long the fault must last before it is an incident. */
  ms: number;
  /**
   * The observer knows when the fault started (a run of rejections in the audit table): a later start than
   * the open incident's means it was fixed in between.
   */
  exactSince: boolean;
}

/** undefined for a kind this version does not know (reported by a newer instance during a rolling update): left to it. */
export function thresholdOf(key: string, ops: Config['ops']): Threshold | undefined {
  const kind = key.split(':', 1)[0];
  switch (kind) {
    case 'webhook':
      return { ms: ops.webhookRejectingMs, exactSince: true };
    case 'mailbox-login':
      return { ms: ops.mailboxLoginFailingMs, exactSince: false };
    case 'mailbox-unread':
      return { ms: ops.mailboxNotReadMs, exactSince: false };
    case 'classifier-breaker':
      return { ms: ops.classifierBreakerOpenMs, exactSince: false };
    case 'slack':
      // Slack told us (an event, an error): no waiting for it to last.
      return { ms: 0, exactSince: false };
    case 'slack-throttled':
      return { ms: ops.slackThrottledMs, exactSince: false };
    case 'dead-letters':
      // Its threshold is a count (OPS_DEAD_LETTERS_ABOVE), checked by the observer.
      return { ms: 0, exactSince: false };
    default:
      return undefined;
  }
}
