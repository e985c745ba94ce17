/**
 * Alerts, thread follow-ups and change notes: the enqueue functions that handle the pipeline's ticket events
 * (src/ingest/ticket-events.ts, wired in slack/index.ts; they run inside the emitter's transaction) and the
 * job handlers that post them exactly once.
 */
import type { Logger } from 'pino';
import type { webApi } from '@slack/bolt';
import type { Config } from '../../config.ts';
import { findMessageForAlert } from '../../db/repositories/messages.ts';
import { findRoutingFields, getTicket, ticketCreatedAtMs } from '../../db/repositories/tickets.ts';
import type { Sql } from '../../db/sql.ts';
import type { ClassifiedOptions, TicketChange } from '../../ingest/ticket-events.ts';
import type { JobQueue, QueueJob } from '../../db/queue.ts';
import { ALERT_EVENT_TYPE, activityFromBlocks, activityLine, assignmentLabel, snoozeLine } from '../cards/alert-blocks.ts';
import { renderCard, ticketLink, type CardDeps } from '../cards/alert-card.ts';
import { actorLabel, BLOCK_KIT_LIMITS, safeMrkdwn, slackDate, truncate, userMention } from '../cards/format.ts';
import type { ChannelPacer } from '../delivery/pacer.ts';
import type { SlackBudget } from '../delivery/budget.ts';
import { postOnce, type PostOutcome } from '../delivery/post-once.ts';
import { hasPostOrClaim, reservePost } from '../../db/repositories/slack-posts.ts';
import { alertKey, postedAlert, postedIncidentCardOf } from './alert-post.ts';
import { requestCardRefresh } from './card-request.ts';
import { refreshAgent } from './agents.ts';
import { alertChannel } from './routing.ts';
import { describeError, RetryLaterError } from '../delivery/errors.ts';
import { SLACK_QUEUES } from '../../db/queue-registry.ts';
import { slackThreadOf } from '../door/reply-sender.ts';

export const FOLLOWUP_EVENT_TYPE = 'support_ticket_followup';
export const NOTE_EVENT_TYPE = 'support_ticket_note';

type SlackConfig = NonNullable<Config['slack']>;

/** What the jobs need: the card's sources, the queue, and the way to Slack. */
export interface NotifyDeps extends CardDeps {
  queue: JobQueue;
  client: webApi.WebClient;
  pacer: ChannelPacer;
  budget: SlackBudget;
  logger: Logger;
  config: SlackConfig;
  /** Called with the outcome of every Slack delivery (feeds /health). */
  report: (error?: unknown) => void;
}

export interface AlertJob {
  ticketId: number;
  channel: string;
  /** When it was enqueued (ms, with a tie-breaker): a fetched batch is posted in this order. */
  seq?: number;
  /** Earlier failed runs (re-enqueued). */
  attempt?: number;
}

let lastSeq = 0;
/** Strictly increasing in this process; close to wall-clock order across instances. */
function nextSeq(): number {
  lastSeq = Math.max(Date.now(), lastSeq + 0.001);
  return lastSeq;
}

/** pg-boss returns a batch in no particular order: sort it back into enqueue order. */
export function inEnqueueOrder<T extends { data: AlertJob }>(jobs: T[]): T[] {
  return [...jobs].sort((a, b) => (a.data.seq ?? 0) - (b.data.seq ?? 0));
}

/** About a day of retries at the 5-minute cap before an alert is parked in the dead-letter queue. */
export const MAX_ALERT_ATTEMPTS = 300;
export interface FollowupJob { ticketId: number; messageId: number }
export interface ChangedJob { ticketId: number; change: TicketChange; at: string }

// ---- ticket events: run inside the emitter's transaction, so the job commits with the change ----

/** ticketClassified: the ticket's one alert, to its category's channel (or triage). Returns the channel when it enqueued one. */
export async function enqueueAlert(deps: NotifyDeps, tx: Sql, ticketId: number, options: ClassifiedOptions = {}): Promise<string | undefined> {
  const { queue, config, minConfidence, logger } = deps;
  if (options.alert === false) return undefined;
  // One alert per ticket, ever: a later (re)classification never enqueues a second one.
  if (await hasPostOrClaim(tx, alertKey(ticketId))) return undefined;
  // A support mailbox may name its own channel and category (only mail sets these, so only mail is trusted).
  const t = await findRoutingFields(tx, ticketId);
  if (!t) return undefined;
  const channel = alertChannel(config.channels, minConfidence, t);
  if (!channel) {
    logger.warn({ ticketId, category: t.category }, 'no Slack channel for this category and no SLACK_CHANNEL_TRIAGE: no alert');
    return undefined;
  }
  // The alert is known to be coming from now on: notes, SLA warnings and replies about the ticket wait for its
  // card instead of finding no alert and being dropped while the job waits in a channel's backlog.
  await reservePost(tx, alertKey(ticketId), ticketId, channel);
  await queue.send<AlertJob>(SLACK_QUEUES.alert, { ticketId, channel, seq: nextSeq() }, { singletonKey: alertKey(ticketId), group: channel }, tx);
  return channel;
}

/** followUpAdded: the customer's new message, in the alert's thread. */
export async function enqueueFollowup(deps: Pick<NotifyDeps, 'queue'>, tx: Sql, ticketId: number, messageId: number): Promise<void> {
  await deps.queue.send<FollowupJob>(SLACK_QUEUES.followup, { ticketId, messageId }, { singletonKey: `followup:${messageId}` }, tx);
}

/** ticketChanged: a note in the thread and/or a card refresh (handleChanged); nothing for a delete. */
export async function enqueueChangeNote(deps: Pick<NotifyDeps, 'queue'>, tx: Sql, ticketId: number, change: TicketChange): Promise<void> {
  if (change.kind === 'deleted') return;
  await deps.queue.send<ChangedJob>(SLACK_QUEUES.changed, { ticketId, change, at: new Date().toISOString() }, {}, tx);
}

// ---- job handlers ----

export const posting = (d: NotifyDeps) => ({ sql: d.db.sql, client: d.client, pacer: d.pacer, logger: d.logger });

export async function reported(deps: NotifyDeps, work: () => Promise<PostOutcome | void>): Promise<PostOutcome | void> {
  try {
    const out = await work();
    deps.report();
    return out;
  } catch (error) {
    if (!(error instanceof RetryLaterError)) deps.report(error);
    throw error;
  }
}

export async function handleAlert(deps: NotifyDeps, job: QueueJob<AlertJob>): Promise<PostOutcome | void> {
  const { ticketId, channel } = job.data;
  // Straight into the pacer (no await before it), so alerts keep the order in which they were fetched.
  return reported(deps, () =>
    postOnce(posting(deps), {
      key: alertKey(ticketId),
      ticketId,
      channel,
      eventType: ALERT_EVENT_TYPE,
      searchSince: async () => {
        const ms = await ticketCreatedAtMs(deps.db.sql, ticketId);
        return new Date(ms ?? Date.now() - 86_400_000);
      },
      build: () => renderCard(deps, ticketId),
    }),
  );
}

/**
 * Alerts run as batches (one fetch feeds the pacer in queue order), so a failed alert cannot throw without
 * retrying its whole batch: it is enqueued again, durably, with capped exponential backoff. After
 * MAX_ALERT_ATTEMPTS it goes to the dead-letter queue for an operator, never silently dropped.
 */
export async function requeueAlert(deps: NotifyDeps, job: QueueJob<AlertJob>, error: unknown): Promise<void> {
  const attempt = (job.data.attempt ?? 0) + 1;
  const log = { ticketId: job.data.ticketId, channel: job.data.channel, attempt, err: describeError(error) };
  if (attempt > MAX_ALERT_ATTEMPTS) {
    await deps.queue.send(`${SLACK_QUEUES.alert}.dead`, { ...job.data, attempt, error: describeError(error) });
    deps.logger.error(log, 'slack alert given up after too many attempts: moved to the dead-letter queue');
    return;
  }
  const delayS = error instanceof RetryLaterError ? 2 : Math.min(300, 2 ** Math.min(attempt, 9));
  await deps.queue.send<AlertJob>(SLACK_QUEUES.alert, { ...job.data, attempt }, { startAfter: new Date(Date.now() + delayS * 1000), group: job.data.channel });
  if (!(error instanceof RetryLaterError)) deps.logger.warn({ ...log, retryInSeconds: delayS }, 'slack alert failed, will retry');
}

export async function handleFollowup(deps: NotifyDeps, job: QueueJob<FollowupJob>): Promise<PostOutcome | void> {
  const { ticketId, messageId } = job.data;
  // A ticket shown on an incident's card has no alert: its follow-ups go in the incident's thread.
  const alert = (await postedAlert(deps.db.sql, ticketId, `follow-up ${messageId}`)) ?? (await postedIncidentCardOf(deps.db.sql, ticketId));
  // Unlike a note, a follow-up also waits for an alert not started yet: its ticket may still be classifying.
  if (!alert) throw new RetryLaterError(`follow-up ${messageId}: the alert of ticket ${ticketId} is not posted yet`);
  const m = await findMessageForAlert(deps.db.sql, messageId);
  if (!m) return;
  return reported(deps, () =>
    postOnce(posting(deps), {
      key: `followup:${messageId}`,
      ticketId,
      channel: alert.channel,
      threadTs: alert.ts,
      eventType: FOLLOWUP_EVENT_TYPE,
      priority: 'note',
      searchSince: new Date(Number(m.ms)),
      build: async () => followupMessage(m),
    }),
  );
}

export function followupMessage(m: { source: string; author_name: string | null; author_email: string | null; subject: string | null; body: string }) {
  const who = m.author_name && m.author_email ? `${m.author_name} (${m.author_email})` : (m.author_name ?? m.author_email ?? 'the customer');
  const head = `:speech_balloon: *Follow-up* from ${safeMrkdwn(who, 300, { singleLine: true })} via ${safeMrkdwn(m.source, 40)}`;
  const body = safeMrkdwn(m.body, 2500).split('\n').map((l) => `>${l}`).join('\n');
  return {
    text: truncate(`Follow-up from ${safeMrkdwn(who, 300, { singleLine: true })}: ${safeMrkdwn(m.body, 500, { singleLine: true })}`, BLOCK_KIT_LIMITS.fallbackText),
    blocks: [{ type: 'section', text: { type: 'mrkdwn', text: truncate(`${head}\n${body}`, BLOCK_KIT_LIMITS.sectionText) } }],
  };
}

/**
 * A change made by a person (REST or Slack). A reclassification is noted in the alert's thread (the alert
 * stays where it is); a change made outside Slack also refreshes the card (a Slack click refreshes it itself).
 */
export async function handleChanged(deps: NotifyDeps, job: QueueJob<ChangedJob>): Promise<void> {
  const { ticketId, change } = job.data;
  // The new assignee's name and e-mail for the REST API (best effort, cached; never fails the job).
  if (change.kind === 'assignment' && change.to) await refreshAgent({ sql: deps.db.sql, client: deps.client, logger: deps.logger }, change.to);
  if (change.kind === 'status' && change.status === 'resolved') await reactOnResolved(deps, ticketId);
  const alert = await postedAlert(deps.db.sql, ticketId, `change of ticket ${ticketId}`);
  if (!alert) return;
  const who = actorLabel(change.actor);
  const at = new Date(job.data.at);
  // A note in the alert's thread, once (the job id keys it: a retried job finds its note).
  const threadNote = (key: string, build: () => Promise<{ text: string; blocks: unknown[] }>) =>
    reported(deps, () =>
      postOnce(posting(deps), {
        key: `${key}:${ticketId}:${job.id}`, ticketId, channel: alert.channel, threadTs: alert.ts, eventType: NOTE_EVENT_TYPE, searchSince: at, build, priority: 'note',
      }),
    );
  let line: string | undefined;
  if (change.kind === 'classification') {
    line = activityLine(`:label: Reclassified as *${change.category}*${change.priority ? ` (priority ${change.priority})` : ''}`, who, at);
    const note = change.note ? `\n>${safeMrkdwn(change.note, 1000, { singleLine: true })}` : '';
    await threadNote('note', async () => {
      const text = `${line}. The alert stays in this channel.${note}`;
      return { text, blocks: [{ type: 'context', elements: [{ type: 'mrkdwn', text: truncate(text, BLOCK_KIT_LIMITS.contextText) }] }] };
    });
  } else if (change.kind === 'assignment') {
    line = activityLine(assignmentLabel(change.to, change.from), who, at);
  } else if (change.kind === 'status') {
    line = activityLine(`${change.status === 'resolved' ? ':white_check_mark: Resolved' : change.status === 'acknowledged' ? ':eyes: Acknowledged' : `Status set to ${change.status}`}`, who, at);
  } else if (change.kind === 'snooze') {
    line = activityLine(snoozeLine(change.until ? new Date(change.until) : null), who, at);
  } else if (change.kind === 'unsnooze' && change.reason === 'agent') {
    line = activityLine(':alarm_clock: Unsnoozed', who, at);
  } else if (change.kind === 'unsnooze' && change.reason === 'answered') {
    line = `:alarm_clock: Snooze ended: the customer answered · ${slackDate(at)}`;
  } else if (change.kind === 'revised') {
    line = `:pencil2: The customer ${change.deleted ? 'deleted' : 'edited'} a message · ${slackDate(at)}`;
  } else if (change.kind === 'split') {
    const link = ticketLink(deps.publicUrl, change.into);
    const ref = link ? `<${link}|ticket #${change.into}>` : `ticket #${change.into}`;
    line = activityLine(`:scissors: ${change.messages === 1 ? '1 message' : `${change.messages} messages`} split out into ${ref}`, who, at);
    await threadNote('split', async () => ({ text: line!, blocks: [{ type: 'context', elements: [{ type: 'mrkdwn', text: truncate(line!, BLOCK_KIT_LIMITS.contextText) }] }] }));
  } else if (change.kind === 'survey') {
    line = `${change.bad ? ':thumbsdown:' : ':star:'} The customer rated this ticket *${change.score}/5* · ${slackDate(at)}`;
    // A bad score is heard in the thread: the assignee by name, or the channel.
    if (change.bad) {
      await threadNote('survey', async () => {
        const assignee = (await getTicket(deps.db.sql, ticketId))?.assignee?.slackUserId;
        const text = `:thumbsdown: *A bad score*: the customer rated this ticket ${change.score}/5${assignee ? `, ${userMention(assignee)}` : ''}.`;
        return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] };
      });
    }
  } else if (change.kind === 'unsnooze' && change.reason === 'time') {
    // The snooze's time came: the agents hear it in the thread, the card shows it again.
    line = `:alarm_clock: Snooze over · ${slackDate(at)}`;
    await threadNote('snooze-over', async () => {
      // The assignee is reminded by name; without one, the channel sees it.
      const assignee = (await getTicket(deps.db.sql, ticketId))?.assignee?.slackUserId;
      const text = `:alarm_clock: *Snooze over*: this ticket is back${assignee ? `, ${userMention(assignee)}` : ' and needs an agent'}.`;
      return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] };
    });
  }
  if (change.actor.startsWith('slack:') || !line) return;
  // Coalesced with the ticket's other pending changes: one edit with the card as the ticket is then.
  await requestCardRefresh(deps, ticketId, [line]);
}

export async function currentActivity(client: webApi.WebClient, channel: string, ts: string): Promise<string[]> {
  const res = await client.conversations.history({ channel, latest: ts, oldest: ts, inclusive: true, limit: 1 });
  return activityFromBlocks(res.messages?.[0]?.blocks);
}

/** A Slack ticket resolved: the customer's first message gets the configured reaction (best effort, once: Slack refuses a second). */
async function reactOnResolved(deps: NotifyDeps, ticketId: number): Promise<void> {
  const name = deps.config.door.resolvedReaction;
  if (!name) return;
  const ticket = await getTicket(deps.db.sql, ticketId);
  const thread = ticket ? slackThreadOf(ticket) : undefined;
  if (!thread) return;
  await deps.client.reactions.add({ channel: thread.channel, timestamp: thread.ts, name }).catch((error: unknown) => {
    if (describeError(error) !== 'slack error: already_reacted') deps.logger.warn({ err: describeError(error), ticketId }, 'resolve reaction failed');
  });
}
