/** The manifests in slack/ must match what the service serves and expects. */
import { readFileSync } from 'node:fs';
import test from 'ava';
import { loadConfig } from '../../src/config.ts';
import { SLACK_EVENTS_PATH } from '../../src/slack/receiving/bolt-app.ts';

const read = (name: string) => readFileSync(new URL(`../../slack/${name}`, import.meta.url), 'utf8');
const defaultCommand = loadConfig({ SLACK_BOT_TOKEN: 'x', SLACK_SIGNING_SECRET: 'y' }).slack!.statsCommand;

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
    if (socket) t.deepEqual(urls, [], 'Socket Mode needs no public URL');
    else {
      t.is(urls.length, 3, 'slash command, interactivity, events');
      for (const u of urls) t.is(new URL(u).pathname, SLACK_EVENTS_PATH);
    }
  });
}
