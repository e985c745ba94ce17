/**
 * The alert's buttons. Each click updates the ticket through ingest/changes.ts (which reports it to
 * ticketEvents.ticketChanged, src/ingest/ticket-events.ts) and then edits the card in place.
 * Clicking twice changes nothing the second time.
 * The card edit uses the service's own Web API client (through the rate-limit gate), not Bolt's; when Slack
 * is rate-limiting chat.update it waits for Retry-After (a few times) rather than leave a stale card.
 */
import type { App, BlockAction, ButtonAction, StaticSelectAction, UsersSelectAction, webApi } from '@slack/bolt';
import type { Logger } from 'pino';
import { isSlackUserId } from '../../domain/agent.ts';
import { isCategory, type TicketStatus } from '../../domain/categories.ts';
import { isSnoozeEnd, SNOOZE_END_RULE } from '../../domain/ticket.ts';
import { getTicket } from '../../db/repositories/tickets.ts';
import { applyHumanClassification, assign, setStatus, snooze, type TicketWriteDeps, unsnooze } from '../../ingest/changes.ts';
import { markSpam, type SenderBlocks } from '../../ingest/sender-blocks.ts';
import { ACTION_IDS, activityFromBlocks, activityLine, ASSIGNEE_BLOCK_PREFIX, assignmentLabel, parseSnoozeValue, snoozeLine } from '../cards/alert-blocks.ts';
import { renderCard, type CardDeps } from '../cards/alert-card.ts';
import { userMention } from '../cards/format.ts';
import { retryAfterMs } from '../delivery/errors.ts';

export interface ActionDeps extends TicketWriteDeps {
  logger: Logger;
  card: CardDeps;
  report: (error?: unknown) => void;
  /** The gated Web API client (index.ts). */
  client: webApi.WebClient;
  /** Blocked senders, for the Spam button (absent: the card shows none). */
  blocks?: SenderBlocks;
}

/** How long a click keeps trying to edit its card while Slack answers 429 (then the user is told). */
const UPDATE_BUDGET_MS = 30_000;

export type Respond = (msg: { response_type: 'ephemeral'; replace_original: false; text: string }) => Promise<unknown>;

export function registerActions(app: App, deps: ActionDeps): void {
  const statusAction = (target: TicketStatus, label: string) =>
    async ({ ack, body, action, respond }: { ack: () => Promise<void>; body: BlockAction; action: ButtonAction; respond: Respond }) => {
      await ack();
      const ticketId = Number(action.value);
      await act(deps, body, respond, ticketId, async (ticket) => {
        if (ticket.status === target || (target === 'acknowledged' && ticket.status === 'resolved')) return undefined;
        await setStatus(deps, ticketId, target, `slack:${body.user.id}`);
        return label;
      });
    };

  app.action<BlockAction<ButtonAction>>(ACTION_IDS.acknowledge, statusAction('acknowledged', ':eyes: Acknowledged') as never);
  app.action<BlockAction<ButtonAction>>(ACTION_IDS.resolve, statusAction('resolved', ':white_check_mark: Resolved') as never);

  app.action<BlockAction<StaticSelectAction>>(ACTION_IDS.reclassify, async ({ ack, body, action, respond }) => {
    await ack();
    // A signed payload may still lack the selection: treat it as an unknown ticket, not a crash.
    const selected: unknown = action.selected_option?.value;
    const [id, category] = typeof selected === 'string' ? selected.split(':') : [];
    const ticketId = Number(id);
    await act(deps, body, respond as Respond, ticketId, async (ticket) => {
      if (!isCategory(category)) throw new Error(`unknown category ${category}`);
      if (ticket.category === category && ticket.classifier === 'human') return undefined;
      await applyHumanClassification(deps, ticketId, { category, actor: `slack:${body.user.id}` });
      return `:label: Reclassified as *${category}*`;
    });
  });

  // Assign to me (a button carrying the ticket id) and the user picker (its block id carries the ticket id).
  const assignAction = (ticketId: number, to: unknown, body: BlockAction, respond: Respond) => {
    if (!isSlackUserId(to) || !isSlackUserId(body.user.id)) {
      return respond({ response_type: 'ephemeral', replace_original: false, text: 'That is not a Slack user I can assign: nothing was changed.' }).catch(() => undefined);
    }
    return act(deps, body, respond, ticketId, async () => {
      const out = await assign(deps, ticketId, to, `slack:${body.user.id}`);
      if (!out.found || !out.changed) return undefined;
      return assignmentLabel(to, out.from);
    });
  };
  app.action<BlockAction<ButtonAction>>(ACTION_IDS.assignMe, async ({ ack, body, action, respond }) => {
    await ack();
    await assignAction(Number(action.value), body.user.id, body, respond as Respond);
  });
  app.action<BlockAction<UsersSelectAction>>(ACTION_IDS.assign, async ({ ack, body, action, respond }) => {
    await ack();
    const blockId: unknown = action.block_id;
    const id = typeof blockId === 'string' && blockId.startsWith(ASSIGNEE_BLOCK_PREFIX) ? blockId.slice(ASSIGNEE_BLOCK_PREFIX.length) : '';
    await assignAction(/^\d{1,10}$/.test(id) ? Number(id) : Number.NaN, action.selected_user, body, respond as Respond);
  });

  // Snooze: a choice from the card's menu (minutes from now, or until the customer answers); Unsnooze ends it.
  app.action<BlockAction<StaticSelectAction>>(ACTION_IDS.snooze, async ({ ack, body, action, respond }) => {
    await ack();
    // A refusal is an answer to the user, not a failure: it must not mark Slack as failing in /health.
    const refuse = (text: string) => (respond as Respond)({ response_type: 'ephemeral', replace_original: false, text }).catch(() => undefined);
    const choice = parseSnoozeValue(action.selected_option?.value);
    if (!choice) return void (await refuse('That is not a snooze choice I know: nothing was changed.'));
    const until = choice.minutes === 'answer' ? null : new Date(Date.now() + choice.minutes * 60_000);
    if (until && !isSnoozeEnd(until, new Date())) return void (await refuse(`A snooze's end ${SNOOZE_END_RULE}: nothing was changed.`));
    await act(deps, body, respond as Respond, choice.ticketId, async () => {
      const out = await snooze(deps, choice.ticketId, until, `slack:${body.user.id}`);
      if (out === 'resolved') await refuse('A resolved ticket cannot be snoozed: nothing was changed.');
      return out === 'snoozed' ? snoozeLine(until) : undefined;
    });
  });
  // Spam (after Slack's confirmation dialog): the requester's address is blocked and the ticket resolved.
  app.action<BlockAction<ButtonAction>>(ACTION_IDS.spam, async ({ ack, body, action, respond }) => {
    await ack();
    const ticketId = Number(action.value);
    const blocks = deps.blocks;
    await act(deps, body, respond as Respond, ticketId, async () => {
      if (!blocks) throw new Error('blocking senders is not available here');
      const out = await markSpam({ ...deps, blocks }, ticketId, `slack:${body.user.id}`);
      if (!out.found || 'noSender' in out) throw new Error('the ticket has no sender address to block');
      return ':no_entry_sign: Marked as spam: the sender is blocked';
    });
  });
  app.action<BlockAction<ButtonAction>>(ACTION_IDS.unsnooze, async ({ ack, body, action, respond }) => {
    await ack();
    const ticketId = Number(action.value);
    await act(deps, body, respond, ticketId, async () => ((await unsnooze(deps, ticketId, `slack:${body.user.id}`)) ? ':alarm_clock: Unsnoozed' : undefined));
  });
}

/** Loads the ticket, applies the change (returns the activity label, or undefined when nothing changed), edits the card. */
export async function act(
  deps: ActionDeps,
  body: BlockAction,
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
    let card = await renderCard(deps.card, ticketId, activity);
    // Clicks racing (two agents, two instances) can land their edits out of order: after editing, the card is
    // rendered again and, if the ticket moved on meanwhile, edited once more, so the last edit shows the last state.
    for (let edits = 0; card && body.channel?.id && body.message?.ts && edits < 2; edits += 1) {
      const edit = { channel: body.channel.id, ts: body.message.ts, text: card.text, blocks: card.blocks as never };
      await afterRetryAfter(() => deps.client.chat.update(edit));
      const now = await renderCard(deps.card, ticketId, activity);
      if (!now || JSON.stringify(now.blocks) === JSON.stringify(card.blocks)) break;
      card = now;
    }
    deps.report();
  } catch (error) {
    deps.logger.error({ err: error, ticketId }, 'slack action failed');
    deps.report(error);
    await ephemeral(`Sorry, that did not work: ${error instanceof Error ? error.message : String(error)}. Nothing was changed in Slack; please try again.`);
  }
}

/** Runs `call`, waiting Retry-After and trying again while Slack (or the gate) answers 429. */
async function afterRetryAfter<T>(call: () => Promise<T>): Promise<T> {
  const giveUpAt = Date.now() + UPDATE_BUDGET_MS;
  for (;;) {
    try {
      return await call();
    } catch (error) {
      const wait = retryAfterMs(error);
      if (wait === undefined || Date.now() + wait > giveUpAt) throw error;
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
}
