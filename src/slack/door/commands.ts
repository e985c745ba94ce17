/**
 * The door's ways in that work in any channel the app is in: `/ticket <text>` (the app posts the text in the
 * channel, and that post's thread is the ticket's: replies there are its follow-ups, the agent's reply lands
 * there) and the message shortcut "Create support ticket" (the chosen message opens a ticket on its thread).
 */
import type { App } from '@slack/bolt';
import type { webApi } from '@slack/bolt';
import type { Logger } from 'pino';
import { safeMrkdwn } from '../cards/format.ts';
import { describeError } from '../delivery/errors.ts';
import type { SlackDoor } from './intake.ts';
import { tsDate } from './interpret.ts';
import { messageBody } from './text.ts';

export const CREATE_TICKET_SHORTCUT = 'create_support_ticket';

export function registerDoorCommands(app: App, deps: { door: SlackDoor; client: webApi.WebClient; command: string; logger: Logger }): void {
  app.command(deps.command, async ({ command, ack, respond }) => {
    const text = (command.text ?? '').trim();
    if (!text) {
      await ack({ response_type: 'ephemeral', text: `Write what the ticket is about: \`${deps.command} The export fails since Monday\`` });
      return;
    }
    await ack();
    try {
      const posted = await deps.client.chat.postMessage({
        channel: command.channel_id,
        text: `:ticket: Ticket from <@${command.user_id}>: ${safeMrkdwn(text, 2900)}`,
        unfurl_links: false,
      });
      const ts = String(posted.ts);
      const verdict = await deps.door.deliverMessage(
        {
          kind: 'message',
          message: { channel: command.channel_id, ts, rootTs: ts, user: command.user_id, userTeam: command.team_id, body: messageBody(text, undefined), name: command.user_name ?? null, email: null, at: tsDate(ts) },
          opens: true, customer: true, topLevel: true, pleasantry: false,
        },
        { via: 'command' },
      );
      await respond({ response_type: 'ephemeral', text: verdict.ticketId ? `Ticket #${verdict.ticketId} opened; answers come in this thread.` : `No ticket: ${verdict.reason ?? verdict.verdict}` });
    } catch (error) {
      deps.logger.warn({ err: describeError(error) }, 'ticket command failed');
      await respond({ response_type: 'ephemeral', text: `Sorry, no ticket could be opened here (${describeError(error)}). Is the app in this channel?` });
    }
  });

  app.shortcut(CREATE_TICKET_SHORTCUT, async ({ shortcut, ack, respond }) => {
    await ack();
    if (shortcut.type !== 'message_action') return;
    const m = shortcut.message as unknown as Record<string, unknown>;
    const ts = typeof m.ts === 'string' ? m.ts : undefined;
    const user = typeof m.user === 'string' ? m.user : shortcut.user.id;
    const body = messageBody(m.text, m.files);
    if (!ts || !body) {
      await respond({ response_type: 'ephemeral', text: 'That message has no text to make a ticket of.' });
      return;
    }
    const profile = (typeof m.user_profile === 'object' && m.user_profile !== null ? m.user_profile : {}) as Record<string, unknown>;
    const rootTs = typeof m.thread_ts === 'string' ? m.thread_ts : ts;
    try {
      const verdict = await deps.door.deliverMessage(
        {
          kind: 'message',
          message: {
            channel: shortcut.channel.id, ts, rootTs, user, userTeam: typeof m.user_team === 'string' ? m.user_team : undefined, body,
            name: typeof profile.real_name === 'string' ? profile.real_name : null, email: typeof profile.email === 'string' ? profile.email : null, at: tsDate(ts),
          },
          opens: true, customer: true, topLevel: rootTs === ts, pleasantry: false,
        },
        { via: 'shortcut' },
      );
      await respond({ response_type: 'ephemeral', text: verdict.ticketId ? `Ticket #${verdict.ticketId} (${verdict.verdict === 'accepted' ? 'opened' : 'already there'}).` : `No ticket: ${verdict.reason ?? verdict.verdict}` });
    } catch (error) {
      deps.logger.warn({ err: describeError(error) }, 'create ticket shortcut failed');
      await respond({ response_type: 'ephemeral', text: 'Sorry, no ticket could be opened; try again in a minute.' });
    }
  });
}
