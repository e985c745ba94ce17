/**
 * The way back for tickets of door `slack`: the agent's reply is posted into the customer's own thread
 * (the ticket's key `CHANNEL/ROOT_TS`), exactly once (post-once: a claim in slack_posts keyed by the reply,
 * and a look for our own message before any second attempt), under the app's name or the agent's.
 */
import type { Logger } from 'pino';
import type { webApi } from '@slack/bolt';
import type { Sql } from '../../db/sql.ts';
import { PermanentSendError, type ReplySender, TransientSendError } from '../../domain/reply.ts';
import type { Ticket } from '../../domain/ticket.ts';
import type { ChannelPacer } from '../delivery/pacer.ts';
import { describeError, isTransient, retryAfterMs, RetryLaterError } from '../delivery/errors.ts';
import { postOnce } from '../delivery/post-once.ts';

export const REPLY_EVENT_TYPE = 'support_ticket_answer';

/** `C0123/1700000000.000100` -> channel and thread ts; undefined for anything else. */
export function slackThreadOf(ticket: Pick<Ticket, 'source' | 'externalId'>): { channel: string; ts: string } | undefined {
  if (ticket.source !== 'slack' || !ticket.externalId) return undefined;
  const m = /^([A-Z0-9]+)\/(\d+\.\d+)$/.exec(ticket.externalId);
  return m ? { channel: m[1]!, ts: m[2]! } : undefined;
}

export function createSlackReplySender(deps: { sql: Sql; client: webApi.WebClient; pacer: ChannelPacer; logger: Logger; asAgent: boolean }): ReplySender {
  return {
    sources: ['slack'],
    canReply: (ticket) => slackThreadOf(ticket) !== undefined,
    async send(ticket, reply) {
      const thread = slackThreadOf(ticket);
      if (!thread) throw new PermanentSendError('the ticket has no Slack thread');
      try {
        const out = await postOnce(
          { sql: deps.sql, client: deps.client, pacer: deps.pacer, logger: deps.logger },
          {
            key: `reply:${reply.replyId}`,
            ticketId: ticket.id,
            channel: thread.channel,
            threadTs: thread.ts,
            eventType: REPLY_EVENT_TYPE,
            ...(deps.asAgent && reply.agent.name ? { username: reply.agent.name } : {}),
            searchSince: new Date(Date.now() - 86_400_000),
            build: async () => ({ text: reply.text }),
          },
        );
        return out.status === 'skipped' ? {} : { externalId: `${out.channel}/${out.ts}` };
      } catch (error) {
        if (error instanceof RetryLaterError) throw new TransientSendError(error.message);
        const ra = retryAfterMs(error);
        if (isTransient(error)) throw new TransientSendError(describeError(error), ra === undefined ? undefined : ra / 1000);
        throw new PermanentSendError(describeError(error));
      }
    },
  };
}
