/**
 * Ops incidents in Slack (SLACK_CHANNEL_OPS): one message per incident, edited when it is resolved, plus a
 * short reply in its thread. The ops monitor enqueues a job in the transaction that opened or resolved the
 * incident; the jobs post through the same path as alerts (post-once claim in slack_posts, channel pacer,
 * the rate-limit gate inside the client), so Slack being down delays the message and never doubles it.
 */
import { webApi } from '@slack/bolt';
import type { Logger } from 'pino';
import type { Database } from '../../db/database.ts';
import { getIncident, markResolutionPosted, type IncidentRow } from '../../db/repositories/ops-incidents.ts';
import type { Sql } from '../../db/sql.ts';
import type { JobQueue, QueueJob } from '../../db/queue.ts';
import { BLOCK_KIT_LIMITS, safeMrkdwn, truncate } from '../cards/format.ts';
import type { ChannelPacer } from '../delivery/pacer.ts';
import { postOnce } from '../delivery/post-once.ts';
import { findPost } from '../../db/repositories/slack-posts.ts';
import { describeError, RetryLaterError } from '../delivery/errors.ts';
import type { IncidentNotifier } from '../../ops/monitor.ts';
import { QUEUE_POLICIES, SLACK_QUEUES } from '../../db/queue-registry.ts';

export const INCIDENT_EVENT_TYPE = 'support_ops_incident';
export const INCIDENT_RESOLVED_EVENT_TYPE = 'support_ops_incident_resolved';

export const incidentPostKey = (id: number) => `incident:${id}`;
const resolvedReplyKey = (id: number) => `incident:${id}:resolved`;
/** chat.update errors that mean the message is not there any more. */
const GONE = new Set(['message_not_found', 'channel_not_found', 'cant_update_message', 'is_archived']);
/** slack_posts rows are keyed per ticket; incidents are about no ticket. */
const NO_TICKET = 0;

export interface IncidentJob {
  incidentId: number;
  action: 'open' | 'resolve';
}

export interface IncidentPosterDeps {
  db: Database;
  queue: JobQueue;
  client: webApi.WebClient;
  pacer: ChannelPacer;
  logger: Logger;
  channel: string;
  /** Called with the outcome of every Slack delivery (feeds /health). */
  report: (error?: unknown) => void;
}

export interface IncidentPoster extends IncidentNotifier {
  /** Creates the queue and, on worker instances, its worker. */
  start(runWorkers: boolean): Promise<void>;
}

export function createIncidentPoster(deps: IncidentPosterDeps): IncidentPoster {
  const enqueue = (tx: Sql, job: IncidentJob) =>
    deps.queue.send<IncidentJob>(SLACK_QUEUES.incident, job, { singletonKey: `${job.action}:${job.incidentId}` }, tx).then(() => undefined);
  return {
    opened: (tx, incidentId) => enqueue(tx, { incidentId, action: 'open' }),
    resolved: (tx, incidentId) => enqueue(tx, { incidentId, action: 'resolve' }),
    async start(runWorkers) {
      await deps.queue.createQueue(SLACK_QUEUES.incident, QUEUE_POLICIES[SLACK_QUEUES.incident]);
      if (runWorkers) await deps.queue.work<IncidentJob>(SLACK_QUEUES.incident, { concurrency: 2 }, (job) => handleIncidentJob(deps, job));
    },
  };
}

export async function handleIncidentJob(deps: IncidentPosterDeps, job: QueueJob<IncidentJob>): Promise<void> {
  const incident = await getIncident(deps.db.sql, job.data.incidentId);
  if (!incident) return;
  try {
    if (job.data.action === 'open') await postOpened(deps, incident).then(() => undefined);
    else await postResolved(deps, incident);
    deps.report();
  } catch (error) {
    if (!(error instanceof RetryLaterError)) deps.report(error);
    throw error;
  }
}

const posting = (d: IncidentPosterDeps) => ({ sql: d.db.sql, client: d.client, pacer: d.pacer, logger: d.logger });

/** Posts the incident's message once (whoever comes first: the open job or the resolve job). */
async function postOpened(deps: IncidentPosterDeps, incident: IncidentRow): Promise<{ channel: string; ts: string }> {
  const out = await postOnce(posting(deps), {
    key: incidentPostKey(incident.id),
    ticketId: NO_TICKET,
    channel: deps.channel,
    eventType: INCIDENT_EVENT_TYPE,
    priority: 'incident',
    searchSince: incident.openedAt,
    // The message is the incident as opened; the resolve job edits it (even when it was resolved meanwhile).
    build: async () => openedMessage(incident),
  });
  if (out.status === 'skipped') throw new Error(`incident ${incident.id}: nothing to post`);
  return out;
}

async function postResolved(deps: IncidentPosterDeps, incident: IncidentRow): Promise<void> {
  if (!incident.resolvedAt) return;
  // Normally posted long ago (found in slack_posts); if its open job has not run yet (Slack was down, or
  // SLACK_CHANNEL_OPS was set after it opened), it is posted now, once, and the open job finds it posted.
  const post = (await findPost(deps.db.sql, incidentPostKey(incident.id))) ?? (await postOpened(deps, incident));
  if (!incident.resolutionPostedAt) {
    // Editing twice (a crash right after the edit) writes the same text again: harmless.
    const edited = resolvedMessage(incident);
    try {
      await deps.client.chat.update({ channel: post.channel, ts: post.ts, text: edited.text, blocks: edited.blocks as never });
    } catch (error) {
      // Someone deleted the message in Slack: there is nothing to edit or answer, and retrying will not change that.
      if (!(error instanceof webApi.WebAPIPlatformError && GONE.has(error.data.error))) throw error;
      deps.logger.warn({ incident: incident.id, err: describeError(error) }, 'ops incident message gone from Slack: resolution not posted');
      await markResolutionPosted(deps.db.sql, incident.id);
      return;
    }
    await markResolutionPosted(deps.db.sql, incident.id);
  }
  await postOnce(posting(deps), {
    key: resolvedReplyKey(incident.id),
    ticketId: NO_TICKET,
    channel: post.channel,
    threadTs: post.ts,
    eventType: INCIDENT_RESOLVED_EVENT_TYPE,
    searchSince: incident.resolvedAt,
    build: async () => {
      const text = `:white_check_mark: Resolved after ${duration(incident.since, incident.resolvedAt!)}: working again since ${clock(incident.resolvedAt!)}.`;
      return { text, blocks: [{ type: 'context', elements: [{ type: 'mrkdwn', text }] }] };
    },
  });
}

export function openedMessage(i: IncidentRow) {
  const title = safeMrkdwn(i.title, 300, { singleLine: true });
  const lines = [
    `:rotating_light: *${title}*`,
    ...(i.detail ? [`>${safeMrkdwn(i.detail, 1500, { singleLine: true })}`] : []),
    `Since ${clock(i.since)}. This message is edited when it works again.`,
  ];
  return {
    text: truncate(`Ops incident: ${title}`, BLOCK_KIT_LIMITS.fallbackText),
    blocks: [{ type: 'section', text: { type: 'mrkdwn', text: truncate(lines.join('\n'), BLOCK_KIT_LIMITS.sectionText) } }],
  };
}

export function resolvedMessage(i: IncidentRow) {
  const title = safeMrkdwn(i.title, 300, { singleLine: true });
  const after = duration(i.since, i.resolvedAt ?? new Date());
  const lines = [
    `:white_check_mark: ~${title}~ *resolved after ${after}*`,
    ...(i.detail ? [`>${safeMrkdwn(i.detail, 1500, { singleLine: true })}`] : []),
    `From ${clock(i.since)} to ${clock(i.resolvedAt ?? new Date())}.`,
  ];
  return {
    text: truncate(`Resolved after ${after}: ${title}`, BLOCK_KIT_LIMITS.fallbackText),
    blocks: [{ type: 'section', text: { type: 'mrkdwn', text: truncate(lines.join('\n'), BLOCK_KIT_LIMITS.sectionText) } }],
  };
}

/** "12 min", "45 s", "3 h 05 min", "2 d 4 h". */
export function duration(from: Date, to: Date): string {
  const s = Math.max(0, Math.round((to.getTime() - from.getTime()) / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.round(s / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ${String(m % 60).padStart(2, '0')} min`;
  return `${Math.floor(h / 24)} d ${h % 24} h`;
}

/** Slack renders the time in each reader's time zone; the fallback is UTC. */
function clock(at: Date): string {
  const unix = Math.floor(at.getTime() / 1000);
  return `<!date^${unix}^{date_short_pretty} {time}|${at.toISOString().replace(/\.\d+Z$/, 'Z')}>`;
}
