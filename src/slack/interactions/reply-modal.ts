/**
 * The reply modal (views.open from the card's Reply button): the text box, prefilled with a draft, and
 * what comes back in view_submission. Pure: tested in test/unit/reply.test.ts, and through Slack in test/slack/reply-email.test.ts.
 */
import type { types } from '@slack/bolt';
import { safeMrkdwn } from '../cards/format.ts';
import type { Draft } from '../../domain/reply.ts';

export const REPLY_VIEW_ID = 'ticket_reply_modal';
export const REPLY_BLOCK_ID = 'reply_text';
export const REPLY_INPUT_ID = 'reply_input';
/** Slack's plain_text_input limit; the service still checks (a forged submission may carry more). */
export const MODAL_MAX_CHARS = 3000;

/** What the modal carries through Slack (private_metadata): where the card is, and where the draft came from. */
export interface ReplyModalState {
  ticketId: number;
  channel?: string;
  ts?: string;
  origin: Draft['origin'];
  savedReplyId?: number;
}

export function buildReplyModal(ticket: { id: number; subject: string | null; to: string }, draft: Draft, state: ReplyModalState): types.ModalView {
  return {
    type: 'modal',
    callback_id: REPLY_VIEW_ID,
    title: { type: 'plain_text', text: `Reply to #${ticket.id}`.slice(0, 24) },
    submit: { type: 'plain_text', text: 'Send' },
    close: { type: 'plain_text', text: 'Cancel' },
    private_metadata: JSON.stringify(state),
    blocks: [
      {
        type: 'context',
        elements: [{ type: 'mrkdwn', text: `To *${safeMrkdwn(ticket.to, 200, { singleLine: true })}* · ${safeMrkdwn(ticket.subject ?? `Ticket #${ticket.id}`, 300, { singleLine: true })}${draft.origin === 'ai' ? ' · drafted by AI: check it before sending' : ''}` }],
      },
      {
        type: 'input',
        block_id: REPLY_BLOCK_ID,
        label: { type: 'plain_text', text: 'Your answer to the customer' },
        element: {
          type: 'plain_text_input',
          action_id: REPLY_INPUT_ID,
          multiline: true,
          max_length: MODAL_MAX_CHARS,
          ...(draft.text ? { initial_value: draft.text.slice(0, MODAL_MAX_CHARS) } : {}),
        },
      },
    ],
  };
}

/** The modal's state back from view_submission; undefined when it is not ours or not well formed. */
export function readModalState(privateMetadata: unknown): ReplyModalState | undefined {
  if (typeof privateMetadata !== 'string' || privateMetadata.length > 3000) return undefined;
  let v: Record<string, unknown>;
  try {
    v = JSON.parse(privateMetadata) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (!v || typeof v !== 'object' || !Number.isSafeInteger(v.ticketId) || (v.ticketId as number) <= 0) return undefined;
  const origin = v.origin === 'ai' || v.origin === 'saved_reply' ? v.origin : 'none';
  const id = (x: unknown) => (typeof x === 'string' && /^[A-Z0-9]{1,20}$/.test(x) ? x : undefined);
  const ts = typeof v.ts === 'string' && /^\d{1,12}\.\d{1,9}$/.test(v.ts) ? v.ts : undefined;
  const channel = id(v.channel);
  return {
    ticketId: v.ticketId as number,
    origin,
    ...(channel && ts ? { channel, ts } : {}),
    ...(origin === 'saved_reply' && Number.isSafeInteger(v.savedReplyId) ? { savedReplyId: v.savedReplyId as number } : {}),
  };
}

/** The typed text from a view_submission's state values. */
export function submittedText(values: unknown): unknown {
  const block = (values as Record<string, Record<string, { value?: unknown }>> | undefined)?.[REPLY_BLOCK_ID];
  return block?.[REPLY_INPUT_ID]?.value;
}
