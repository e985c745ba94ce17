/**
 * The alert's buttons. Each click updates the ticket through the repository (which runs the
 * onTicketChanged hooks) and then edits the card in place. Clicking twice changes nothing the second time.
 */
import type { App, BlockAction, ButtonAction, StaticSelectAction } from '@slack/bolt';
import type { Logger } from 'pino';
import { isCategory, type TicketStatus } from '../../domain/categories.ts';
import { applyHumanClassification, getTicket, setStatus, type TicketWriteDeps } from '../../db/repositories/tickets.ts';
import { ACTION_IDS, activityFromBlocks, activityLine } from '../../notify/alert-blocks.ts';
import { renderCard, type NotifyDeps } from '../../notify/alerts.ts';
import { userMention } from '../../notify/format.ts';

export interface ActionDeps extends TicketWriteDeps {
  logger: Logger;
  card: Pick<NotifyDeps, 'db' | 'minConfidence' | 'publicUrl'>;
  report: (error?: unknown) => void;
}

type Respond = (msg: { response_type: 'ephemeral'; replace_original: false; text: string }) => Promise<unknown>;

export function registerActions(app: App, deps: ActionDeps): void {
  const statusAction = (target: TicketStatus, label: string) =>
    async ({ ack, body, action, client, respond }: { ack: () => Promise<void>; body: BlockAction; action: ButtonAction; client: App['client']; respond: Respond }) => {
      await ack();
      const ticketId = Number(action.value);
      await act(deps, body, client, respond, ticketId, async (ticket) => {
        if (ticket.status === target || (target === 'acknowledged' && ticket.status === 'resolved')) return undefined;
        await setStatus(deps, ticketId, target, `slack:${body.user.id}`);
        return label;
      });
    };

  app.action<BlockAction<ButtonAction>>(ACTION_IDS.acknowledge, statusAction('acknowledged', ':eyes: Acknowledged') as never);
  app.action<BlockAction<ButtonAction>>(ACTION_IDS.resolve, statusAction('resolved', ':white_check_mark: Resolved') as never);

  app.action<BlockAction<StaticSelectAction>>(ACTION_IDS.reclassify, async ({ ack, body, action, client, respond }) => {
    await ack();
    const [id, category] = action.selected_option.value.split(':');
    const ticketId = Number(id);
    await act(deps, body, client, respond as Respond, ticketId, async (ticket) => {
      if (!isCategory(category)) throw new Error(`unknown category ${category}`);
      if (ticket.category === category && ticket.classifier === 'human') return undefined;
      await applyHumanClassification(deps, ticketId, { category, actor: `slack:${body.user.id}` });
      return `:label: Reclassified as *${category}*`;
    });
  });
}

/** Loads the ticket, applies the change (returns the activity label, or undefined when nothing changed), edits the card. */
async function act(
  deps: ActionDeps,
  body: BlockAction,
  client: App['client'],
  respond: Respond,
  ticketId: number,
  change: (ticket: NonNullable<Awaited<ReturnType<typeof getTicket>>>) => Promise<string | undefined>,
): Promise<void> {
  const ephemeral = (text: string) => respond({ response_type: 'ephemeral', replace_original: false, text }).catch(() => undefined);
  try {
    const ticket = Number.isInteger(ticketId) && ticketId > 0 ? await getTicket(deps.db.sql, ticketId) : null;
    if (!ticket) {
      await ephemeral(`Ticket #${Number.isInteger(ticketId) ? ticketId : '?'} no longer exists.`);
      return;
    }
    const label = await change(ticket);
    const activity = activityFromBlocks(body.message?.blocks);
    if (label) activity.push(activityLine(label, userMention(body.user.id), new Date()));
    const card = await renderCard(deps.card, ticketId, activity);
    if (card && body.channel?.id && body.message?.ts) {
      await client.chat.update({ channel: body.channel.id, ts: body.message.ts, text: card.text, blocks: card.blocks as never });
    }
    deps.report();
  } catch (error) {
    deps.logger.error({ err: error, ticketId }, 'slack action failed');
    deps.report(error);
    await ephemeral(`Sorry, that did not work: ${error instanceof Error ? error.message : String(error)}. Nothing was changed in Slack; please try again.`);
  }
}
