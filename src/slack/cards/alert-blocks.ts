/**
 * The alert card: everything an agent needs to act without opening the ticket, plus the three actions.
 * Pure: ticket facts in, Block Kit out (tested in test/slack/blocks.test.ts).
 */
import type { types } from '@slack/bolt';
import { isSlackUserId } from '../../domain/agent.ts';
import { CATEGORIES } from '../../domain/categories.ts';
import { isLowConfidence, type Ticket } from '../../domain/ticket.ts';
import { actorLabel, BLOCK_KIT_LIMITS, percent, safeMrkdwn, safePlain, slackDate, truncate, userMention } from './format.ts';

type KnownBlock = types.KnownBlock;

export const ACTION_IDS = {
  acknowledge: 'ticket_acknowledge',
  assignMe: 'ticket_assign_me',
  assign: 'ticket_assign',
  reclassify: 'ticket_reclassify',
  resolve: 'ticket_resolve',
  /** Opens the reply modal (shown only when a reply sender can answer the ticket). */
  reply: 'ticket_reply',
  /** Sends a failed reply again (value: the reply id). */
  retryReply: 'ticket_reply_retry',
  /** Puts the ticket aside (value: "<id>:m:<minutes>" or "<id>:answer"). */
  snooze: 'ticket_snooze',
  /** Ends a snooze now (value: the ticket id). */
  unsnooze: 'ticket_unsnooze',
  /** Blocks the requester's address and resolves the ticket, after a confirmation (value: the ticket id). */
  spam: 'ticket_spam',
  /** Opens the merge modal: which ticket to merge this one into (value: the ticket id). */
  merge: 'ticket_merge',
  /** Undoes the merge, on a merged ticket's card (value: the ticket id). */
  unmerge: 'ticket_unmerge',
} as const;

/** The card's snooze choices: minutes from the click, or until the customer answers. */
export const SNOOZE_CHOICES: ReadonlyArray<{ label: string; minutes: number | 'answer' }> = [
  { label: '1 hour', minutes: 60 },
  { label: '4 hours', minutes: 240 },
  { label: '1 day', minutes: 1440 },
  { label: '3 days', minutes: 3 * 1440 },
  { label: '1 week', minutes: 7 * 1440 },
  { label: 'Until the customer answers', minutes: 'answer' },
];

/** A snooze choice's value read back: the ticket and minutes (or 'answer'); null when it is not one of ours. */
export function parseSnoozeValue(value: unknown): { ticketId: number; minutes: number | 'answer' } | null {
  const m = typeof value === 'string' ? /^(\d{1,10}):(?:m:(\d{1,6}(?:\.\d{1,4})?)|(answer))$/.exec(value) : null;
  if (!m) return null;
  const minutes = m[3] ? 'answer' : Number(m[2]);
  return minutes === 'answer' || minutes > 0 ? { ticketId: Number(m[1]), minutes } : null;
}

/** Block ids that carry meaning when a card comes back to us in an interaction payload. */
export const ACTIVITY_BLOCK_PREFIX = 'activity_';
export const ACTIONS_BLOCK_ID = 'ticket_actions';
export const SLA_BLOCK_ID = 'ticket_sla';
export const SNOOZE_BLOCK_ID = 'ticket_snooze';
/** The block of Assign to me and the user picker; its id carries the ticket id (a picker's payload has no value of ours). */
export const ASSIGNEE_BLOCK_PREFIX = 'ticket_assignee_';

/** The block holding the customer's lines (who, company, open tickets, last and related tickets). */
export const CUSTOMER_BLOCK_ID = 'customer';

/** Metadata event type attached to every alert: lets a retried job find an alert it already posted. */
export const ALERT_EVENT_TYPE = 'support_ticket_alert';

/** The part of the one Ticket shape a card shows. */
export type AlertTicket = Pick<
  Ticket,
  'id' | 'subject' | 'body' | 'source' | 'requesterEmail' | 'requesterName' | 'category' | 'confidence' | 'priority' | 'language' | 'summary' | 'status' | 'classifier'
> & Partial<Pick<Ticket, 'assignee' | 'snooze' | 'incidentId'>>;

export interface AlertCardOptions {
  /** Where "Open ticket" points (PUBLIC_URL-based API URL); omitted when unknown. */
  link?: string;
  minConfidence: number;
  /** Lines of "who did what", already safe mrkdwn (built by activityLine). Oldest first. */
  activity?: string[];
  /** A reply sender can answer this ticket (src/domain/reply.ts senderFor): show Reply. */
  canReply?: boolean;
  /** The newest reply could not be sent: say so and offer Retry. */
  failedReply?: { id: number; error: string | null };
  /** SLA clock lines (src/slack/cards/sla-lines.ts), already safe mrkdwn; none without SLA. */
  sla?: string[];
  /** The customer's lines (src/slack/cards/customer-lines.ts), already safe mrkdwn; none without a customer. */
  customer?: string[];
  /** Senders can be blocked here: show Spam (when the ticket has a sender address and is not resolved). */
  canBlock?: boolean;
  /** Merged into that ticket (and its link): the card says so and offers only Undo merge; undoing it brings the buttons back. */
  mergedInto?: { id: number; link?: string };
}

const BODY_EXCERPT = 600;
const MERGED_BLOCK_ID = 'merged';

export function alertFallbackText(t: AlertTicket): string {
  const subject = safeMrkdwn(t.subject ?? t.body, 200, { singleLine: true });
  return truncate(`New ${t.category ?? 'unclassified'} ticket #${t.id}: ${subject}`, BLOCK_KIT_LIMITS.fallbackText);
}


export function buildAlertBlocks(t: AlertTicket, opts: AlertCardOptions): KnownBlock[] {
  const requester = t.requesterName && t.requesterEmail
    ? `${t.requesterName} (${t.requesterEmail})`
    : (t.requesterName ?? t.requesterEmail ?? 'unknown');
  const category = t.category
    ? `${t.category} · ${t.classifier === 'human' ? 'set by a person' : percent(t.confidence)}`
    : 'not classified yet';
  const fields = [
    ['Requester', requester],
    ['Source', t.source],
    ['Category', category],
    ['Priority', t.priority ?? 'unknown'],
    ['Language', t.language ?? 'unknown'],
    ['Status', t.status],
  ].map(([label, value]) => ({
    type: 'mrkdwn' as const,
    text: `*${label}*\n${safeMrkdwn(value, BLOCK_KIT_LIMITS.field - label!.length - 4, { singleLine: true })}`,
  }));
  // A mention, not escaped text: Slack shows the person's name (userMention accepts only valid user ids).
  fields.push({ type: 'mrkdwn', text: `*Assignee*\n${t.assignee ? `:bust_in_silhouette: ${userMention(t.assignee.slackUserId)}` : 'nobody yet'}` });

  const blocks: KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: safePlain(t.subject, BLOCK_KIT_LIMITS.headerText, `Ticket #${t.id}`), emoji: false } },
    { type: 'section', fields },
  ];
  if (t.summary) {
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `*Summary*\n${safeMrkdwn(t.summary, BLOCK_KIT_LIMITS.sectionText - 12)}` } });
  }
  const excerpt = safeMrkdwn(t.body, BODY_EXCERPT);
  if (excerpt) {
    const quoted = excerpt.split('\n').map((line) => `>${line}`).join('\n');
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: truncate(quoted, BLOCK_KIT_LIMITS.sectionText) } });
  }
  const context: string[] = [`Ticket #${t.id}`];
  if (opts.link) context.push(`<${opts.link}|Open ticket>`);
  if (isLowConfidence(t, opts.minConfidence)) {
    context.push(`:warning: low confidence (below ${percent(opts.minConfidence)}): please check the category`);
  }
  // One of the first tickets of a flood: the rest of it is on the incident's card.
  if (t.incidentId) context.push(`:rotating_light: part of incident #${t.incidentId}`);
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: context.join(' · ') }] });
  if (t.snooze && t.status !== 'resolved') blocks.push({ type: 'context', block_id: SNOOZE_BLOCK_ID, elements: [{ type: 'mrkdwn', text: snoozeLine(t.snooze.until, t.snooze.by) }] });
  if (opts.customer?.length) blocks.push({ type: 'context', block_id: CUSTOMER_BLOCK_ID, elements: [{ type: 'mrkdwn', text: truncate(opts.customer.join('\n'), BLOCK_KIT_LIMITS.contextText) }] });
  if (opts.sla?.length) blocks.push({ type: 'context', block_id: SLA_BLOCK_ID, elements: [{ type: 'mrkdwn', text: truncate(opts.sla.join('\n'), BLOCK_KIT_LIMITS.contextText) }] });
  if (opts.mergedInto) {
    const target = opts.mergedInto.link ? `<${opts.mergedInto.link}|ticket #${opts.mergedInto.id}>` : `ticket #${opts.mergedInto.id}`;
    blocks.push({ type: 'section', block_id: MERGED_BLOCK_ID, text: { type: 'mrkdwn', text: `:twisted_rightwards_arrows: *Merged into ${target}*: its messages and the work on it continue there.` } });
  } else if (opts.failedReply) {
    const why = opts.failedReply.error ? `: ${safeMrkdwn(opts.failedReply.error, 300, { singleLine: true })}` : '';
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `:warning: *The reply could not be sent*${why}` } });
  }
  if (opts.mergedInto) {
    blocks.push({ type: 'actions', block_id: ACTIONS_BLOCK_ID, elements: [{ type: 'button', action_id: ACTION_IDS.unmerge, text: { type: 'plain_text', text: 'Undo merge' }, value: String(t.id) }] });
  } else {
    blocks.push(buildActions(t, opts));
    blocks.push(buildAssignActions(t));
  }

  // Keep the newest activity lines that fit in Slack's 50-block limit.
  const room = BLOCK_KIT_LIMITS.blocks - blocks.length;
  const activity = (opts.activity ?? []).slice(-room);
  activity.forEach((line, i) => {
    blocks.push({
      type: 'context',
      block_id: `${ACTIVITY_BLOCK_PREFIX}${i}`,
      elements: [{ type: 'mrkdwn', text: truncate(line, BLOCK_KIT_LIMITS.contextText) }],
    });
  });
  return blocks;
}

function buildActions(t: AlertTicket, opts: Pick<AlertCardOptions, 'canReply' | 'failedReply' | 'canBlock'>): KnownBlock {
  const value = String(t.id);
  const options = CATEGORIES.map((c) => ({ text: { type: 'plain_text' as const, text: c }, value: `${t.id}:${c}` }));
  const current = options.find((o) => o.value === `${t.id}:${t.category}`);
  const elements: types.ActionsBlockElement[] = [];
  if (t.status !== 'acknowledged' && t.status !== 'resolved') {
    elements.push({ type: 'button', action_id: ACTION_IDS.acknowledge, text: { type: 'plain_text', text: 'Acknowledge' }, value });
  }
  elements.push({
    type: 'static_select',
    action_id: ACTION_IDS.reclassify,
    placeholder: { type: 'plain_text', text: 'Reclassify' },
    options,
    ...(current ? { initial_option: current } : {}),
  });
  if (t.status !== 'resolved') {
    elements.push({ type: 'button', action_id: ACTION_IDS.resolve, text: { type: 'plain_text', text: 'Resolve' }, style: 'primary', value });
  }
  if (opts.canReply) elements.push({ type: 'button', action_id: ACTION_IDS.reply, text: { type: 'plain_text', text: 'Reply' }, value });
  if (opts.failedReply) {
    elements.push({ type: 'button', action_id: ACTION_IDS.retryReply, text: { type: 'plain_text', text: 'Retry' }, style: 'danger', value: String(opts.failedReply.id) });
  }
  // A resolved ticket is merged from the console or REST: its card stays short.
  if (t.status !== 'resolved') elements.push({ type: 'button', action_id: ACTION_IDS.merge, text: { type: 'plain_text', text: 'Merge…' }, value });
  if (opts.canBlock && t.requesterEmail && t.status !== 'resolved') {
    elements.push({
      type: 'button', action_id: ACTION_IDS.spam, text: { type: 'plain_text', text: 'Spam' }, value,
      confirm: {
        title: { type: 'plain_text', text: 'Mark as spam?' },
        text: { type: 'plain_text', text: 'The sender is blocked: their next messages are kept as spam and make no ticket. This ticket is resolved.' },
        confirm: { type: 'plain_text', text: 'Block and resolve' },
        deny: { type: 'plain_text', text: 'Cancel' },
        style: 'danger',
      },
    });
  }
  return { type: 'actions', block_id: ACTIONS_BLOCK_ID, elements };
}

/** Who works on it: *Assign to me* and a user picker, in a block of their own (its id carries the ticket id). */
function buildAssignActions(t: AlertTicket): KnownBlock {
  const id = t.assignee?.slackUserId;
  const elements: types.ActionsBlockElement[] = [{
    type: 'users_select',
    action_id: ACTION_IDS.assign,
    placeholder: { type: 'plain_text', text: id ? 'Reassign' : 'Assign to…' },
    ...(isSlackUserId(id) ? { initial_user: id } : {}),
  }];
  if (t.status !== 'resolved') elements.push({ type: 'button', action_id: ACTION_IDS.assignMe, text: { type: 'plain_text', text: 'Assign to me' }, value: String(t.id) });
  if (t.status !== 'resolved' && t.snooze) {
    elements.push({ type: 'button', action_id: ACTION_IDS.unsnooze, text: { type: 'plain_text', text: 'Unsnooze' }, value: String(t.id) });
  } else if (t.status !== 'resolved') {
    elements.push({
      type: 'static_select',
      action_id: ACTION_IDS.snooze,
      placeholder: { type: 'plain_text', text: 'Snooze…' },
      options: SNOOZE_CHOICES.map((c) => ({ text: { type: 'plain_text' as const, text: c.label }, value: `${t.id}:${c.minutes === 'answer' ? 'answer' : `m:${c.minutes}`}` })),
    });
  }
  return { type: 'actions', block_id: `${ASSIGNEE_BLOCK_PREFIX}${t.id}`, elements };
}

/** "until <time>" (in the reader's zone), or "until the customer answers". */
export const snoozeUntil = (until: Date | null): string => (until ? `until ${slackDate(until)}` : 'until the customer answers');

/** ":zzz: Snoozed until <time> by @who" (without `by`: the activity line, which names who itself). */
export function snoozeLine(until: Date | null, by?: string | null): string {
  return `:zzz: Snoozed ${snoozeUntil(until)}${by ? ` by ${actorLabel(by)}` : ''}`;
}

/** What an assignment's activity line says (before "by @who"). */
export function assignmentLabel(to: string | null, from: string | null): string {
  if (!to) return ':bust_in_silhouette: Unassigned';
  return `:bust_in_silhouette: Assigned to ${userMention(to)}${from ? ` (was ${userMention(from)})` : ''}`;
}

/** Activity lines already on a card, read back from an interaction payload's `message.blocks`. */
export function activityFromBlocks(blocks: unknown): string[] {
  if (!Array.isArray(blocks)) return [];
  const lines: string[] = [];
  for (const b of blocks as Array<{ type?: string; block_id?: string; elements?: Array<{ text?: unknown }> }>) {
    if (b.type === 'context' && typeof b.block_id === 'string' && b.block_id.startsWith(ACTIVITY_BLOCK_PREFIX)) {
      const text = b.elements?.[0]?.text;
      if (typeof text === 'string') lines.push(text);
    }
  }
  return lines;
}

/** "✅ Acknowledged by <@U1>" — the only place user ids become mentions, and only validated ones. */
export function activityLine(what: string, who: string, at: Date): string {
  const unix = Math.floor(at.getTime() / 1000);
  return `${what} by ${who} · <!date^${unix}^{date_short_pretty} {time}|${at.toISOString()}>`;
}
