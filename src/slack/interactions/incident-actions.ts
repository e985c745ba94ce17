/**
 * The incident card's actions (src/slack/cards/incident-blocks.ts): Reply to all (a modal; its submission
 * queues the replies, src/ingest/incident-replies.ts), Resolve all and Close (after Slack's confirmation), and
 * the menu that takes one ticket out. The rules are ingest's (src/ingest/incident-actions.ts), the same as the
 * console's and REST's; the card follows through ticketEvents.incidentChanged.
 */
import type { App, BlockAction, ButtonAction, StaticSelectAction, types, ViewSubmitAction } from '@slack/bolt';
import { closeIncident, resolveIncidentTickets, takeOutOfIncident } from '../../ingest/incident-actions.ts';
import { requestIncidentReply } from '../../ingest/incident-replies.ts';
import { InvalidReplyError, type ReplyWriteDeps } from '../../ingest/replies.ts';
import { getIncident } from '../../db/repositories/incidents.ts';
import { INCIDENT_ACTION_IDS, parseTakeOutValue } from '../cards/incident-blocks.ts';
import type { ActionDeps, Respond } from './actions.ts';

export const INCIDENT_REPLY_VIEW_ID = 'incident_reply_modal';
const TEXT_BLOCK = 'incident_reply_text';
const TEXT_INPUT = 'incident_reply_text_input';

export interface IncidentActionDeps extends ActionDeps {
  replies: Pick<ReplyWriteDeps, 'db' | 'queue'>;
}

export function buildIncidentReplyModal(incidentId: number, title: string): types.ModalView {
  return {
    type: 'modal',
    callback_id: INCIDENT_REPLY_VIEW_ID,
    title: { type: 'plain_text', text: 'Reply to all' },
    submit: { type: 'plain_text', text: 'Send to all' },
    close: { type: 'plain_text', text: 'Cancel' },
    private_metadata: String(incidentId),
    blocks: [
      { type: 'context', elements: [{ type: 'mrkdwn', text: `Incident #${incidentId}: every open ticket gets this reply through its own door. \`{name}\` becomes each customer's first name.`.slice(0, 2900) }] },
      { type: 'context', elements: [{ type: 'plain_text', text: title.slice(0, 200) || ' ' }] },
      { type: 'input', block_id: TEXT_BLOCK, label: { type: 'plain_text', text: 'Reply' }, element: { type: 'plain_text_input', action_id: TEXT_INPUT, multiline: true, max_length: 3000, initial_value: 'Hi {name},\n\n' } },
    ],
  };
}

export function registerIncidentActions(app: App, deps: IncidentActionDeps): void {
  const log = deps.logger;
  const ephemeral = (respond: unknown, text: string) => (respond as Respond)({ response_type: 'ephemeral', replace_original: false, text }).catch(() => undefined);
  const idOf = (value: unknown) => (typeof value === 'string' && /^\d{1,9}$/.test(value) ? Number(value) : undefined);

  /** Runs a click's change; a failure is told to the user and reported. */
  const act = async (respond: unknown, what: string, work: () => Promise<string | undefined>) => {
    try {
      const answer = await work();
      if (answer) await ephemeral(respond, answer);
      deps.report();
    } catch (error) {
      log.error({ err: error }, `incident ${what} failed`);
      deps.report(error);
      await ephemeral(respond, `Sorry, the incident could not be changed (${what}); please try again.`);
    }
  };

  app.action<BlockAction<ButtonAction>>(INCIDENT_ACTION_IDS.replyAll, async ({ ack, body, action, respond }) => {
    await ack();
    const id = idOf(action.value);
    await act(respond, 'reply to all', async () => {
      const incident = id === undefined ? undefined : await getIncident(deps.db.sql, id);
      if (!incident) return 'That incident no longer exists.';
      await deps.client.views.open({ trigger_id: body.trigger_id, view: buildIncidentReplyModal(incident.id, incident.title) });
      return undefined;
    });
  });

  app.view<ViewSubmitAction>(INCIDENT_REPLY_VIEW_ID, async ({ ack, body, view }) => {
    const fieldError = (message: string) => ack({ response_action: 'errors', errors: { [TEXT_BLOCK]: message } });
    const incidentId = idOf(view.private_metadata);
    const text: unknown = (view.state.values as Record<string, Record<string, { value?: unknown }>>)[TEXT_BLOCK]?.[TEXT_INPUT]?.value;
    if (incidentId === undefined) return void (await fieldError('This window is out of date; close it and press Reply to all again.'));
    try {
      // The view's id keys the request: a submission Slack delivers twice queues the replies once.
      const out = await requestIncidentReply(deps.replies, {
        incidentId, text: typeof text === 'string' ? text : '', agent: { slackUserId: body.user.id, name: body.user.name ?? null },
        actor: `slack:${body.user.id}`, requestKey: `slack:${view.id}`,
      });
      if (!out.found) return void (await fieldError('That incident no longer exists.'));
    } catch (error) {
      if (error instanceof InvalidReplyError) return void (await fieldError(error.message));
      log.error({ err: error, incidentId }, 'incident reply could not be queued');
      deps.report(error);
      return void (await fieldError('The reply could not be queued (nothing was sent); please try again.'));
    }
    await ack();
  });

  app.action<BlockAction<ButtonAction>>(INCIDENT_ACTION_IDS.resolveAll, async ({ ack, body, action, respond }) => {
    await ack();
    const id = idOf(action.value);
    await act(respond, 'resolve all', async () => {
      const out = id === undefined ? { found: false as const } : await resolveIncidentTickets(deps, id, `slack:${body.user.id}`);
      if (!out.found) return 'That incident no longer exists.';
      return out.resolved ? undefined : 'Every ticket of this incident was resolved already.';
    });
  });

  app.action<BlockAction<ButtonAction>>(INCIDENT_ACTION_IDS.close, async ({ ack, body, action, respond }) => {
    await ack();
    const id = idOf(action.value);
    await act(respond, 'close', async () => {
      const out = id === undefined ? 'not_found' : await closeIncident(deps, id, `slack:${body.user.id}`);
      return out === 'not_found' ? 'That incident no longer exists.' : undefined;
    });
  });

  app.action<BlockAction<StaticSelectAction>>(INCIDENT_ACTION_IDS.takeOut, async ({ ack, body, action, respond }) => {
    await ack();
    const picked = parseTakeOutValue(action.selected_option?.value);
    await act(respond, 'take out', async () => {
      if (!picked) return 'That is not a ticket of this incident: nothing was changed.';
      const out = await takeOutOfIncident(deps, picked[0], picked[1], `slack:${body.user.id}`);
      if (out === 'not_found') return 'That incident no longer exists.';
      if (out === 'not_member') return `Ticket #${picked[1]} is not in this incident (any more): nothing was changed.`;
      return `Ticket #${picked[1]} was taken out of the incident: it gets its own card.`;
    });
  });
}
