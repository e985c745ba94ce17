/** The Slack app: enabled by its bot token; an app token switches it to Socket Mode. */
import { bool, cron, int, optionalString, string, timeZone, url } from './validators.ts';
import { type Environment, isSet, type Values, variable } from './variable.ts';
import { slackDoorVariables } from './slack-door.ts';

export const slackVariables = {
  botToken: variable('SLACK_BOT_TOKEN', optionalString, 'Bot token (xoxb-...); Slack is on only when it is set.'),
  signingSecret: variable('SLACK_SIGNING_SECRET', optionalString, 'Verifies Slack\'s requests in HTTP mode.'),
  appToken: variable('SLACK_APP_TOKEN', optionalString, 'App-level token (xapp-...): Socket Mode instead of HTTP.'),
  apiUrl: variable('SLACK_API_URL', url(['http:', 'https:']), 'Slack Web API base URL (tests point it at a fake).'),
  channels: {
    technical: variable('SLACK_CHANNEL_TECHNICAL', optionalString, 'Channel id for technical tickets.'),
    billing: variable('SLACK_CHANNEL_BILLING', optionalString, 'Channel id for billing tickets.'),
    general: variable('SLACK_CHANNEL_GENERAL', optionalString, 'Channel id for general tickets.'),
    triage: variable('SLACK_CHANNEL_TRIAGE', optionalString, 'Low confidence, and categories without a channel.'),
  },
  digest: {
    channel: variable('SLACK_DIGEST_CHANNEL', optionalString, 'Where the daily digest goes; unset = no digest.'),
    cron: variable('SLACK_DIGEST_CRON', cron('0 9 * * 1-5'), 'When the digest is posted.'),
    timeZone: variable('SLACK_DIGEST_TZ', timeZone, 'Time zone of SLACK_DIGEST_CRON and of the digest\'s day.'),
    postEmpty: variable('SLACK_DIGEST_POST_EMPTY', bool(false), 'Post a digest on days without tickets too.'),
  },
  statsCommand: variable('SLACK_STATS_COMMAND', string('/support-stats'), 'The slash command that answers with ticket statistics.'),
  waitingListSeconds: variable(
    'SLACK_WAITING_LIST_SECONDS', int(30, 0, 3600),
    'A ticket whose card would wait longer than this behind its channel\'s line (Slack posts about one a second) is listed at once on a waiting-list message; 0: never.',
  ),
  instances: variable('SLACK_INSTANCES', int(1, 1, 100), 'Instances running workers against one Slack workspace: each keeps 1/N of the workspace-wide rate budgets.'),
  door: slackDoorVariables,
  opsChannel: variable('SLACK_CHANNEL_OPS', optionalString, 'Where ops incidents go (one message each, edited on recovery); unset = not posted.'),
};

/** The Slack settings, or undefined when SLACK_BOT_TOKEN is unset. */
export function slackSection(v: Values<typeof slackVariables>) {
  const { botToken } = v;
  return botToken ? { ...v, botToken } : undefined;
}

export function slackRules(source: Environment): string[] {
  if (isSet(source, 'SLACK_BOT_TOKEN') && !isSet(source, 'SLACK_APP_TOKEN') && !isSet(source, 'SLACK_SIGNING_SECRET')) {
    return ['SLACK_SIGNING_SECRET: required in HTTP mode (set it, or SLACK_APP_TOKEN for Socket Mode)'];
  }
  return [];
}
