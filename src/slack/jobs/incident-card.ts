/**
 * An incident's card in Slack: posted once (post-once key incident-card:<id>, in its category's channel, or
 * triage), then edited as tickets join and people act. Changes coalesce: every change bumps the incident's
 * version and enqueues a job a moment later; a job renders the incident as it is then and edits the card
 * unless that version was shown already. At most one job per incident waits to start (the queue's 'short'
 * policy): a flood of joins becomes a few edits within the chat.update budget, and the last edit shows the
 * incident's last state. Jobs of one incident run one at a time (a pg-boss group); one that finds the card
 * still being posted waits (RetryLaterError).
 */
import { webApi } from '@slack/bolt';
import { findPost, hasPostOrClaim, postChannel, reservePost } from '../../db/repositories/slack-posts.ts';
import { bumpIncident, getIncident, incidentCounts, incidentOf, incidentTickets, markIncidentShown } from '../../db/repositories/incidents.ts';
import type { QueueJob } from '../../db/queue.ts';
import type { Sql } from '../../db/sql.ts';
import { SLACK_QUEUES } from '../../db/queue-registry.ts';
import type { IncidentChange, TicketChange } from '../../ingest/ticket-events.ts';
import { buildIncidentBlocks, incidentFallbackText, INCIDENT_EVENT_TYPE } from '../cards/incident-blocks.ts';
import { ticketLink } from '../cards/alert-card.ts';
import { postOnce } from '../delivery/post-once.ts';
import { RetryLaterError } from '../delivery/errors.ts';
import { enqueueAlert, posting, reported, type NotifyDeps } from './alerts.ts';
import { alertKey, incidentCardKey } from './alert-post.ts';
import { COALESCE_MS, requestCardRefreshIn } from './card-request.ts';

/** slack_posts rows are keyed per ticket; an incident's card is about many. */
const NO_TICKET = 0;
/** chat.update errors that mean the card is not there any more. */
const GONE = new Set(['message_not_found', 'channel_not_found', 'cant_update_message', 'is_archived']);
/** The card lists at most Slack's 100 options of a menu (the latest tickets); its counts cover all. */
const CARD_TICKETS = 100;

export interface IncidentCardJob {
  incidentId: number;
}

/** The channel of the incident's category, else triage. */
function incidentChannel(deps: NotifyDeps, category: string): string | undefined {
  return (deps.config.channels as Record<string, string | undefined>)[category] ?? deps.config.channels.triage;
}

/**
 * In the transaction that grouped the ticket (ticketClassified) or changed the incident: the card is reserved
 * the first time (notes about it wait for it) and a coalesced job shows the incident as it then is.
 */
export async function enqueueIncidentCard(deps: NotifyDeps, tx: Sql, incidentId: number): Promise<void> {
  if (!(await hasPostOrClaim(tx, incidentCardKey(incidentId)))) {
    const category = (await getIncident(tx, incidentId))?.category;
    if (!category) return;
    const channel = incidentChannel(deps, category);
    if (!channel) return void deps.logger.warn({ incidentId, category }, 'no Slack channel for this category and no SLACK_CHANNEL_TRIAGE: no incident card');
    await reservePost(tx, incidentCardKey(incidentId), NO_TICKET, channel);
  }
  // Whatever changed, the card has something new to show: the job edits until it has shown this version.
  await bumpIncident(tx, incidentId);
  await deps.queue.send<IncidentCardJob>(SLACK_QUEUES.incidentCard, { incidentId }, { startAfter: new Date(Date.now() + COALESCE_MS), group: `incident:${incidentId}`, singletonKey: `incident:${incidentId}` }, tx);
}

/** ticketEvents.incidentChanged: the card follows; a ticket taken out gets its own alert, or its card loses the incident line. */
export async function enqueueIncidentChange(deps: NotifyDeps, tx: Sql, incidentId: number, change: IncidentChange): Promise<void> {
  if (change.kind === 'taken_out') {
    if (await hasPostOrClaim(tx, alertKey(change.ticketId))) await requestCardRefreshIn(deps, tx, change.ticketId, []);
    else await enqueueAlert(deps, tx, change.ticketId);
  }
  await enqueueIncidentCard(deps, tx, incidentId);
}

/** An incident opened: the tickets before it that have cards of their own say they are part of it. */
export async function enqueueIncidentOpened(deps: NotifyDeps, tx: Sql, incidentId: number): Promise<void> {
  for (const t of await incidentTickets(tx, incidentId)) {
    if (await hasPostOrClaim(tx, alertKey(t.id))) await requestCardRefreshIn(deps, tx, t.id, []);
  }
}

/** A ticket's status changed: the card of its incident counts open tickets. */
export async function enqueueMemberChange(deps: NotifyDeps, tx: Sql, ticketId: number, change: TicketChange): Promise<void> {
  if (change.kind !== 'status') return;
  const incidentId = await incidentOf(tx, ticketId);
  if (incidentId !== null) await enqueueIncidentCard(deps, tx, incidentId);
}

async function render(deps: NotifyDeps, incidentId: number) {
  const incident = await getIncident(deps.db.sql, incidentId);
  if (!incident) return null;
  const [counts, tickets] = await Promise.all([incidentCounts(deps.db.sql, incidentId), incidentTickets(deps.db.sql, incidentId, { latest: CARD_TICKETS })]);
  const blocks = buildIncidentBlocks({ incident, counts, tickets, link: (id) => ticketLink(deps.publicUrl, id) });
  return { version: incident.version, shown: incident.shown_version, text: incidentFallbackText(incident, counts), blocks };
}

export async function handleIncidentCard(deps: NotifyDeps, job: QueueJob<IncidentCardJob>): Promise<void> {
  const { incidentId } = job.data;
  const sql = deps.db.sql;
  let post = await findPost(sql, incidentCardKey(incidentId));
  if (!post) {
    // Not posted yet: post it (as it is now), unless nobody reserved it (no channel).
    const channel = await postChannel(sql, incidentCardKey(incidentId));
    if (!channel) return;
    let version = 0;
    const out = await reported(deps, () =>
      postOnce(posting(deps), {
        key: incidentCardKey(incidentId), ticketId: NO_TICKET, channel, eventType: INCIDENT_EVENT_TYPE, priority: 'summary',
        searchSince: async () => new Date((await getIncident(sql, incidentId))?.opened_at ?? Date.now() - 86_400_000),
        build: async () => {
          const card = await render(deps, incidentId);
          version = card?.version ?? 0;
          return card && { text: card.text, blocks: card.blocks };
        },
      }),
    );
    if (out && out.status === 'posted') return void (await markIncidentShown(sql, incidentId, version));
    post = await findPost(sql, incidentCardKey(incidentId));
    if (!post) throw new RetryLaterError(`incident ${incidentId}: its card is being posted`);
  }
  for (let edits = 0; edits < 3; edits += 1) {
    const card = await render(deps, incidentId);
    if (!card || card.shown >= card.version) return;
    await deps.budget.take('chat.update', undefined, 'summary');
    try {
      await reported(deps, async () => void (await deps.client.chat.update({ channel: post.channel, ts: post.ts, text: card.text, blocks: card.blocks as never })));
    } catch (error) {
      if (!(error instanceof webApi.WebAPIPlatformError && GONE.has(error.data.error))) throw error;
      deps.logger.warn({ incidentId, error: error.data.error }, 'incident card gone from Slack: not edited');
      return;
    }
    await markIncidentShown(sql, incidentId, card.version);
  }
}
