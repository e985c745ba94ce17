/** The operator console (src/console/): Sign in with Slack (OpenID Connect) and who holds which role. */
import { int, list, optionalString, url } from './validators.ts';
import { type Environment, isSet, type Values, variable } from './variable.ts';

export const consoleVariables = {
  clientId: variable('CONSOLE_SLACK_CLIENT_ID', optionalString, 'The Slack app\'s client id: Sign in with Slack is on when it is set.'),
  clientSecret: variable('CONSOLE_SLACK_CLIENT_SECRET', optionalString, 'The Slack app\'s client secret.'),
  teamId: variable('CONSOLE_SLACK_TEAM_ID', optionalString, 'The workspace (T...) whose members may sign in; others are refused.'),
  issuer: variable('CONSOLE_OIDC_ISSUER', url(['http:', 'https:']), 'OpenID provider (default https://slack.com; tests point it at a fake).'),
  admins: variable('CONSOLE_ADMINS', list, 'Slack user ids (U…) and user group ids (S…) with the admin role (also dead letters, audit, privacy).'),
  agents: variable('CONSOLE_AGENTS', list, 'Slack user ids (U…) and user group ids (S…) with the agent role (acts on tickets).'),
  viewers: variable('CONSOLE_VIEWERS', list, 'Slack user ids (U…) and user group ids (S…) with the viewer role (reads); `*`: every member of the workspace.'),
  sessionHours: variable('CONSOLE_SESSION_HOURS', int(12, 1, 720), 'How long a console sign-in lasts.'),
  liveStreams: variable('CONSOLE_LIVE_STREAMS', int(500, 0, 100_000), 'Open live-update streams (server-sent events) per instance; past it consoles poll. 0: no streams.'),
};

export function consoleSection(v: Values<typeof consoleVariables>) {
  const { clientId, clientSecret, teamId } = v;
  return {
    sessionHours: v.sessionHours,
    /** Live-update streams this instance holds at most (src/console/live.ts). */
    liveStreams: v.liveStreams,
    roles: { admins: v.admins, agents: v.agents, viewers: v.viewers },
    /** Sign in with Slack, or undefined: only one-time links (npm run console:link) open the console. */
    slack: clientId && clientSecret && teamId ? { clientId, clientSecret, teamId, issuer: v.issuer ?? 'https://slack.com' } : undefined,
  };
}

export function consoleRules(source: Environment): string[] {
  const names = ['CONSOLE_SLACK_CLIENT_ID', 'CONSOLE_SLACK_CLIENT_SECRET', 'CONSOLE_SLACK_TEAM_ID'];
  const set = names.filter((name) => isSet(source, name));
  if (set.length === 0 || set.length === names.length) return [];
  return [`${names.find((name) => !isSet(source, name))}: Sign in with Slack needs ${names.join(', ')} together`];
}
