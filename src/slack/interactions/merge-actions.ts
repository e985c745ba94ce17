/**
 * Merging from the card: Merge… opens the modal, its submission merges (src/ingest/merges.ts: the same rules as
 * REST and the console; a refusal is shown on the modal's field), and a merged ticket's card has Undo merge. The
 * notes and the cards follow through the ticket events (src/slack/jobs/merge-notes.ts), as for a merge made elsewhere.
 */
import type { App, BlockAction, ButtonAction, ViewSubmitAction } from '@slack/bolt';
import { mergeTickets, undoMerge } from '../../ingest/merges.ts';
import { getTicket } from '../../db/repositories/tickets.ts';
import { ACTION_IDS } from '../cards/alert-blocks.ts';
import type { ActionDeps, Respond } from './actions.ts';
import { buildMergeModal, MERGE_TARGET_BLOCK, MERGE_VIEW_ID, readMergeSubmission } from './merge-modal.ts';

export function registerMergeActions(app: App, deps: ActionDeps): void {
  const log = deps.logger;

  app.action<BlockAction<ButtonAction>>(ACTION_IDS.merge, async ({ ack, body, action, respond }) => {
    await ack();
    const ticketId = Number(action.value);
    const ephemeral = (text: string) => (respond as Respond)({ response_type: 'ephemeral', replace_original: false, text }).catch(() => undefined);
    try {
      if (!(Number.isSafeInteger(ticketId) && ticketId > 0 && (await getTicket(deps.db.sql, ticketId)))) return void (await ephemeral(`Ticket #${Number.isSafeInteger(ticketId) ? ticketId : '?'} no longer exists.`));
      await deps.client.views.open({ trigger_id: body.trigger_id, view: buildMergeModal(ticketId) });
      deps.report();
    } catch (error) {
      log.error({ err: error, ticketId }, 'merge modal could not be opened');
      deps.report(error);
      await ephemeral('Sorry, the merge window could not be opened; please try again.');
    }
  });

  app.view<ViewSubmitAction>(MERGE_VIEW_ID, async ({ ack, body, view }) => {
    const fieldError = (message: string) => ack({ response_action: 'errors', errors: { [MERGE_TARGET_BLOCK]: message } });
    const sub = readMergeSubmission(view.private_metadata, view.state.values as never);
    if (!sub) return void (await fieldError('This merge window is out of date; close it and press Merge… again.'));
    if (sub.targetId === undefined) return void (await fieldError('Name the ticket by its number, such as 123.'));
    try {
      const out = await mergeTickets(deps, { sourceId: sub.sourceId, targetId: sub.targetId, actor: `slack:${body.user.id}`, acrossCustomers: sub.acrossCustomers });
      if ('refused' in out) {
        const words = out.refused === 'other_customer' ? 'The tickets are from different customers: tick "Merge anyway" to merge them.' : `${out.message.replace(/Request (\d+)/g, 'Ticket #$1')}.`;
        return void (await fieldError(words));
      }
    } catch (error) {
      log.error({ err: error, ticketId: sub.sourceId }, 'merge failed');
      deps.report(error);
      return void (await fieldError('The tickets could not be merged (nothing changed); please try again.'));
    }
    await ack();
  });

  app.action<BlockAction<ButtonAction>>(ACTION_IDS.unmerge, async ({ ack, body, action, respond }) => {
    await ack();
    const ticketId = Number(action.value);
    const ephemeral = (text: string) => (respond as Respond)({ response_type: 'ephemeral', replace_original: false, text }).catch(() => undefined);
    try {
      const out = Number.isSafeInteger(ticketId) && ticketId > 0 ? await undoMerge(deps, ticketId, `slack:${body.user.id}`) : { undone: false };
      if (!out.undone) await ephemeral(`Ticket #${Number.isSafeInteger(ticketId) ? ticketId : '?'} is not merged (any more): nothing to undo.`);
      deps.report();
    } catch (error) {
      log.error({ err: error, ticketId }, 'merge could not be undone');
      deps.report(error);
      await ephemeral('Sorry, the merge could not be undone; please try again.');
    }
  });
}
