/** When a broken door becomes an ops incident (src/ops/): how often each instance looks, and how long a fault lasts first. */
import { int } from './validators.ts';
import { type Values, variable } from './variable.ts';

export const opsVariables = {
  checkIntervalSeconds: variable('OPS_CHECK_INTERVAL_SECONDS', int(30, 1, 3600), 'How often each instance reports what it sees of the doors.'),
  webhookRejectingSeconds: variable('OPS_WEBHOOK_REJECTING_SECONDS', int(600, 0, 604_800), 'A webhook door rejecting every delivery (a wrong secret after a rotation) this long.'),
  mailboxLoginFailingSeconds: variable('OPS_MAILBOX_LOGIN_FAILING_SECONDS', int(300, 0, 604_800), 'A mailbox whose login or OAuth2 token refresh keeps failing this long.'),
  mailboxNotReadSeconds: variable('OPS_MAILBOX_NOT_READ_SECONDS', int(900, 0, 604_800), 'A mailbox with mail waiting (or no working session) and nothing read this long.'),
  classifierBreakerOpenSeconds: variable('OPS_CLASSIFIER_BREAKER_OPEN_SECONDS', int(600, 0, 604_800), 'The LLM classifier\'s breaker not closed (local model answering) this long.'),
  slackThrottledSeconds: variable('OPS_SLACK_THROTTLED_SECONDS', int(300, 0, 604_800), 'Slack throttling us (429s from Slack, or calls waiting over a minute for their rate budget) this long.'),
  deadLettersAbove: variable('OPS_DEAD_LETTERS_ABOVE', int(0, 0, 1_000_000), 'More dead letters than this is an incident; it resolves at or below it.'),
};

/** The thresholds in ms, as the monitor uses them. */
export function opsSection(v: Values<typeof opsVariables>) {
  return {
    checkIntervalMs: v.checkIntervalSeconds * 1000,
    webhookRejectingMs: v.webhookRejectingSeconds * 1000,
    mailboxLoginFailingMs: v.mailboxLoginFailingSeconds * 1000,
    mailboxNotReadMs: v.mailboxNotReadSeconds * 1000,
    classifierBreakerOpenMs: v.classifierBreakerOpenSeconds * 1000,
    slackThrottledMs: v.slackThrottledSeconds * 1000,
    deadLettersAbove: v.deadLettersAbove,
  };
}
