/** The manifests in slack/ must match what the service serves and expects. */
import { readFileSync } from 'node:fs';
import test from 'ava';
import { loadConfig } from '../../src/config.ts';
import { SLACK_EVENTS_PATH } from '../../src/slack/receiving/bolt-app.ts';
import { CREATE_TICKET_SHORTCUT } from '../../src/slack/door/commands.ts';

const read = (name: string) => readFileSync(new URL(`../../slack/${name}`, import.meta.url), 'utf8');
const slackConfig = loadConfig({ SLACK_BOT_TOKEN: 'x', SLACK_SIGNING_SECRET: 'y' }).slack!;
const defaultCommand = slackConfig.statsCommand;

for (const [file, socket] of [['manifest.http.yml', false], ['manifest.socket.yml', true]] as const) {
  test(`${file}: the slash command, interactivity and scopes the service uses`, (t) => {
    const m = read(file);
    t.regex(m, new RegExp(`- command: ${defaultCommand}\\n`));
    t.regex(m, /interactivity:\n\s+is_enabled: true/);
    for (const scope of ['chat:write', 'commands', 'channels:history', 'groups:history', 'users:read', 'users:read.email']) t.regex(m, new RegExp(`- ${scope}\\n`));
    t.regex(m, new RegExp(`socket_mode_enabled: ${socket}\\n`));
    // The Home tab (src/slack/interactions/home-tab.ts): the tab enabled and its event subscribed.
    t.regex(m, /app_home:\n(\s+#.*\n)?\s+home_tab_enabled: true/);
    t.regex(m, /event_subscriptions:\n[\s\S]*bot_events:\n(\s+#.*\n)*\s+- app_home_opened\n/);
    const urls = [...m.matchAll(/(?:url|request_url): (\S+)/g)].map((x) => x[1]!);
    // The Slack door: its command, shortcut, scopes and the events it reads.
    t.regex(m, new RegExp(`- command: ${slackConfig.door.ticketCommand}\\n`));
    t.regex(m, new RegExp(`callback_id: ${CREATE_TICKET_SHORTCUT}\\n`));
    for (const scope of ['app_mentions:read', 'im:history', 'reactions:read', 'reactions:write', 'chat:write.customize']) t.regex(m, new RegExp(`- ${scope}\\n`));
    for (const event of ['message.channels', 'message.groups', 'message.im', 'app_mention', 'reaction_added', 'member_left_channel', 'tokens_revoked', 'app_uninstalled']) t.regex(m, new RegExp(`- ${event}\\n`));
    if (socket) t.deepEqual(urls, [], 'Socket Mode needs no public URL');
    else {
      t.is(urls.length, 4, 'two slash commands, interactivity, events');
      for (const u of urls) t.is(new URL(u).pathname, SLACK_EVENTS_PATH);
    }
  });
}
