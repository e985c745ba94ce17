/**
 * The merge modal (views.open from the card's Merge… button): the other ticket's number and, for two different
 * customers, a box to tick; and what comes back in view_submission. Pure: tested through Slack in test/slack/merge.test.ts.
 */
import type { types } from '@slack/bolt';

export const MERGE_VIEW_ID = 'ticket_merge_modal';
export const MERGE_TARGET_BLOCK = 'merge_target';
const MERGE_TARGET_INPUT = 'merge_target_input';
const MERGE_ACROSS_BLOCK = 'merge_across';
const MERGE_ACROSS_INPUT = 'merge_across_input';

export function buildMergeModal(ticketId: number): types.ModalView {
  return {
    type: 'modal',
    callback_id: MERGE_VIEW_ID,
    title: { type: 'plain_text', text: `Merge #${ticketId}`.slice(0, 24) },
    submit: { type: 'plain_text', text: 'Merge' },
    close: { type: 'plain_text', text: 'Cancel' },
    private_metadata: String(ticketId),
    blocks: [
      { type: 'context', elements: [{ type: 'mrkdwn', text: `Ticket #${ticketId}'s messages move to the ticket you name; its card can undo it.` }] },
      {
        type: 'input',
        block_id: MERGE_TARGET_BLOCK,
        label: { type: 'plain_text', text: 'Merge into ticket number' },
        element: { type: 'number_input', action_id: MERGE_TARGET_INPUT, is_decimal_allowed: false, min_value: '1' },
      },
      {
        type: 'input',
        block_id: MERGE_ACROSS_BLOCK,
        optional: true,
        label: { type: 'plain_text', text: 'Different customers' },
        element: { type: 'checkboxes', action_id: MERGE_ACROSS_INPUT, options: [{ text: { type: 'plain_text', text: 'Merge anyway' }, value: 'across' }] },
      },
    ],
  };
}

export interface MergeSubmission {
  sourceId: number;
  /** undefined: not a ticket number. */
  targetId: number | undefined;
  acrossCustomers: boolean;
}

/** The submission, read defensively (a forged payload may carry anything); undefined when it is not ours. */
export function readMergeSubmission(privateMetadata: unknown, values: Record<string, Record<string, { value?: unknown; selected_options?: unknown }>>): MergeSubmission | undefined {
  const sourceId = typeof privateMetadata === 'string' && /^\d{1,9}$/.test(privateMetadata) ? Number(privateMetadata) : NaN;
  if (!(sourceId > 0)) return undefined;
  const typed = values[MERGE_TARGET_BLOCK]?.[MERGE_TARGET_INPUT]?.value;
  const text = typeof typed === 'string' ? typed.trim().replace(/^#/, '') : '';
  const targetId = /^\d{1,9}$/.test(text) && Number(text) > 0 ? Number(text) : undefined;
  const picked = values[MERGE_ACROSS_BLOCK]?.[MERGE_ACROSS_INPUT]?.selected_options;
  const acrossCustomers = Array.isArray(picked) && picked.some((o) => (o as { value?: unknown })?.value === 'across');
  return { sourceId, targetId, acrossCustomers };
}
