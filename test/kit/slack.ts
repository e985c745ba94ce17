/**
 * The Slack side of a service under test: the channel ids the tests route to and the SLACK_* settings that
 * point a service (in process or a child process) at a fake Slack.
 */
import type { FakeSlack } from './fake-slack.ts';
import { SLACK_SIGNING_SECRET } from './signing.ts';

export const CHANNELS = { technical: 'CTECH0001', billing: 'CBILL0001', general: 'CGEN00001', triage: 'CTRIAGE01', digest: 'CDIGEST01' };

/** Bot token, signing secret, the fake's API URL and one channel per route (digest not configured). */
export function slackEnv(fake: Pick<FakeSlack, 'apiUrl'>): Record<string, string> {
  return {
    SLACK_BOT_TOKEN: 'xoxb-test-token',
    SLACK_SIGNING_SECRET,
    SLACK_API_URL: fake.apiUrl,
    SLACK_CHANNEL_TECHNICAL: CHANNELS.technical,
    SLACK_CHANNEL_BILLING: CHANNELS.billing,
    SLACK_CHANNEL_GENERAL: CHANNELS.general,
    SLACK_CHANNEL_TRIAGE: CHANNELS.triage,
  };
}
