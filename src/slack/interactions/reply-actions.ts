/**
 * Replying to the customer from the card: Reply opens the modal (views.open, prefilled by the DraftSource),
 * its submission stores the reply with its send job (src/ingest/replies.ts) and the card says it is queued;
 * Retry on a failed reply queues it again. Nothing here sends: src/outbound/send-job.ts does, and plain
 * messages in the alert's thread are never read, so they stay internal.
 */
import type { App, BlockAction, ButtonAction, ViewSubmitAction } from '@slack/bolt';
import type { Logger } from 'pino';
import { getTicket } from '../../db/repositories/tickets.ts';
import { getReply } from '../../db/repositories/replies.ts';
import { InvalidReplyError, retryReply, storeReply, type ReplyWriteDeps } from '../../ingest/replies.ts';
import { senderFor, type Draft, type DraftSource } from '../../domain/reply.ts';
import { act, type ActionDeps } from './actions.ts';
import { ACTION_IDS, activityFromBlocks, activityLine } from '../cards/alert-blocks.ts';
import { renderCard } from '../cards/alert-card.ts';
import { userMention } from '../cards/format.ts';
import { withTimeout } from '../../lib/timeout.ts';
import { buildReplyModal, MODAL_MAX_CHARS, readModalState, REPLY_BLOCK_ID, REPLY_VIEW_ID, submittedText } from './reply-modal.ts';

/** How long the Reply click waits for a draft before opening the modal (views.open needs the trigger within 3 s). */
const DRAFT_WAIT_MS = 2_000;

export interface ReplyActionDeps extends ActionDeps {
  replies: ReplyWriteDeps;
  drafts: DraftSource;
}

export function registerReplyActions(app: App, deps: ReplyActionDeps): void {
  const log = deps.logger;

  app.action<BlockAction<ButtonAction>>(ACTION_IDS.reply, async ({ ack, body, action, respond }) => {
    await ack();
    const ephemeral = (text: string) => respond({ response_type: 'ephemeral', replace_original: false, text }).catch(() => undefined);
    const ticketId = Number(action.value);
    try {
      const ticket = Number.isSafeInteger(ticketId) && ticketId > 0 ? await getTicket(deps.db.sql, ticketId) : null;
      if (!ticket) return void (await ephemeral(`Ticket #${Number.isSafeInteger(ticketId) ? ticketId : '?'} no longer exists.`));
      if (!senderFor(deps.card.replySenders, ticket)) return void (await ephemeral(`Ticket #${ticketId} cannot be answered from Slack.`));
      // Slack's trigger_id lives 3 s: a draft that takes longer opens the box empty rather than not at all.
      const draft: Draft = await withTimeout(deps.drafts.draft(ticket), DRAFT_WAIT_MS).catch((error: unknown): Draft => {
        log.warn({ err: error, ticketId }, 'no draft for the reply modal: opening it empty');
        return { text: '', origin: 'none' };
      });
      const view = buildReplyModal(
        { id: ticket.id, subject: ticket.subject, to: ticket.replyTo ?? ticket.requesterEmail ?? '?' },
        draft,
        {
          ticketId: ticket.id,
          origin: draft.origin,
          ...(draft.savedReplyId !== undefined ? { savedReplyId: draft.savedReplyId } : {}),
          ...(body.channel?.id && body.message?.ts ? { channel: body.channel.id, ts: body.message.ts } : {}),
        },
      );
      await deps.client.views.open({ trigger_id: body.trigger_id, view });
      deps.report();
    } catch (error) {
      log.error({ err: error, ticketId }, 'reply modal could not be opened');
      deps.report(error);
      await ephemeral('Sorry, the reply window could not be opened; please try again.');
    }
  });

  app.view<ViewSubmitAction>(REPLY_VIEW_ID, async ({ ack, body, view }) => {
    const state = readModalState(view.private_metadata);
    const fieldError = (message: string) => ack({ response_action: 'errors', errors: { [REPLY_BLOCK_ID]: message } });
    if (!state) return void (await fieldError('This reply window is out of date; close it and press Reply again.'));
    const text = submittedText(view.state.values);
    if (typeof text === 'string' && text.length > MODAL_MAX_CHARS) return void (await fieldError(`A reply can be at most ${MODAL_MAX_CHARS} characters.`));
    let stored: Awaited<ReturnType<typeof storeReply>>;
    try {
      stored = await storeReply(deps.replies, {
        ticketId: state.ticketId,
        text: text as string,
        agent: { slackUserId: body.user.id, name: body.user.name ?? null },
        draft: { origin: state.origin, ...(state.savedReplyId !== undefined ? { savedReplyId: state.savedReplyId } : {}) },
        // One opened modal is one reply: Send pressed again (Slack slow to hear our answer) stores nothing new.
        ...(typeof view.id === 'string' && view.id ? { requestKey: `slack-view:${view.team_id ?? ''}:${view.id}` } : {}),
      });
    } catch (error) {
      if (error instanceof InvalidReplyError) return void (await fieldError(error.message));
      log.error({ err: error, ticketId: state.ticketId }, 'reply could not be stored');
      deps.report(error);
      return void (await fieldError('The reply could not be saved (nothing was sent); please try again.'));
    }
    if (!stored) return void (await fieldError(`Ticket #${state.ticketId} no longer exists.`));
    await ack();
    if (stored.duplicate) return;
    log.info({ ticketId: state.ticketId, replyId: stored.replyId, agent: body.user.id }, 'reply queued');
    if (state.channel && state.ts) await refreshCard(deps, state.channel, state.ts, state.ticketId, activityLine(':outbox_tray: Reply queued', userMention(body.user.id), new Date()));
  });

  app.action<BlockAction<ButtonAction>>(ACTION_IDS.retryReply, async ({ ack, body, action, respond }) => {
    await ack();
    const replyId = Number(action.value);
    const reply = Number.isSafeInteger(replyId) && replyId > 0 ? await getReply(deps.db.sql, replyId).catch(() => null) : null;
    await act(deps, body, respond as never, reply?.ticket_id ?? 0, async () => {
      if (!(await retryReply(deps.replies, replyId, `slack:${body.user.id}`))) return undefined;
      return ':repeat: Reply retried';
    });
  });
}

/** Re-renders the card after a submission (the modal's payload carries no card, so its activity is read back). */
async function refreshCard(deps: ReplyActionDeps, channel: string, ts: string, ticketId: number, line: string): Promise<void> {
  try {
    const res = await deps.client.conversations.history({ channel, latest: ts, oldest: ts, inclusive: true, limit: 1 });
    const card = await renderCard(deps.card, ticketId, [...activityFromBlocks(res.messages?.[0]?.blocks), line]);
    if (card) await deps.client.chat.update({ channel, ts, text: card.text, blocks: card.blocks as never });
    deps.report();
  } catch (error) {
    deps.logger.warn({ err: error, ticketId }, 'card not refreshed after a reply (it will be when the reply is sent)');
    deps.report(error);
  }
}
