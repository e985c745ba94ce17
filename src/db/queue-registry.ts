/**
 * Every job queue of the service: its name and its retry policy, declared once. Who sends to a queue and who
 * works it import the name from here (ingest, the workers, the Slack adapter), and each queue is created with
 * its policy by whoever starts its worker. A job's name is stored in pgboss.job: renaming one strands its jobs.
 */
import type { QueuePolicy } from './queue.ts';

/** Classification of new tickets (src/classify/job.ts). */
export const CLASSIFY_QUEUE = 'classify';
/** An agent's reply on its way to the customer (src/outbound/send-job.ts). */
export const REPLY_QUEUE = 'reply-send';
/** A satisfaction survey on its way to the customer (src/outbound/surveys/send-job.ts), due after a resolve. */
export const SURVEY_QUEUE = 'survey-send';
/** One reply to all of an incident's tickets, stored as a reply on each (src/ingest/incident-replies.ts). */
export const INCIDENT_REPLY_QUEUE = 'incident-reply';
/** The Slack adapter's jobs (src/slack/). */
export const SLACK_QUEUES = {
  alert: 'slack-alert',
  followup: 'slack-followup',
  changed: 'slack-ticket-changed',
  card: 'slack-card-refresh',
  reply: 'slack-reply-finished',
  digest: 'slack-digest',
  sla: 'slack-sla',
  incident: 'slack-ops-incident',
  /** An incident's card: posted once, then edited to its latest state (src/slack/jobs/incident-card.ts). */
  incidentCard: 'slack-incident-card',
  /** Tickets far back in a channel's line of alerts, listed in one message (src/slack/jobs/waiting-list.ts). */
  waitingList: 'slack-waiting-list',
  /** Erasure: edit or delete a message we posted about an erased ticket (src/slack/jobs/redact.ts). */
  redact: 'slack-redact',
} as const;

export type QueueName = typeof CLASSIFY_QUEUE | typeof REPLY_QUEUE | typeof SURVEY_QUEUE | typeof INCIDENT_REPLY_QUEUE | (typeof SLACK_QUEUES)[keyof typeof SLACK_QUEUES];

/** Slack answers again within minutes: 2 s doubling to a 5-minute cap. */
const SLACK_RETRY = { retryBackoff: true, retryDelay: 2, retryDelayMax: 300 } as const;

export const QUEUE_POLICIES = {
  [CLASSIFY_QUEUE]: { retryLimit: 8, retryDelay: 2, retryBackoff: true, retryDelayMax: 600 },
  // Retries of a transient failure: with 5 s doubling to a 10-minute cap, about an hour and a half in all.
  [REPLY_QUEUE]: { retryLimit: 12, retryDelay: 5, retryBackoff: true, retryDelayMax: 600, expireInSeconds: 300, heartbeatSeconds: 10 },
  // Each ticket's reply is stored under its own key: a retry after a crash stores only the missing ones.
  [INCIDENT_REPLY_QUEUE]: { retryLimit: 12, retryDelay: 5, retryBackoff: true, retryDelayMax: 600, expireInSeconds: 900 },
  [SURVEY_QUEUE]: { retryLimit: 12, retryDelay: 5, retryBackoff: true, retryDelayMax: 600, expireInSeconds: 300 },
  // A batch waits for its slowest channel (~batch/3 s at Slack's pace, minutes under Retry-After), so its
  // jobs live on heartbeats (10 s, refreshed every 5 s) rather than a short expiry: after a crash, or a
  // database outage at completion, they are retried ~15 s later instead of after the 600 s expiry.
  [SLACK_QUEUES.alert]: { ...SLACK_RETRY, retryLimit: 100, expireInSeconds: 600, heartbeatSeconds: 10 },
  [SLACK_QUEUES.followup]: { ...SLACK_RETRY, retryLimit: 30, expireInSeconds: 3600 },
  [SLACK_QUEUES.changed]: { ...SLACK_RETRY, retryLimit: 30, expireInSeconds: 900 },
  // A coalesced card edit may wait minutes for the chat.update budget during a flood.
  [SLACK_QUEUES.card]: { ...SLACK_RETRY, retryLimit: 30, expireInSeconds: 900 },
  [SLACK_QUEUES.digest]: { ...SLACK_RETRY, retryLimit: 30, expireInSeconds: 900 },
  [SLACK_QUEUES.reply]: { ...SLACK_RETRY, retryLimit: 30, expireInSeconds: 900 },
  [SLACK_QUEUES.sla]: { ...SLACK_RETRY, retryLimit: 30, expireInSeconds: 900 },
  // Slack down for a long time: retried for about a day (the 5-minute cap), then a dead letter.
  [SLACK_QUEUES.redact]: { ...SLACK_RETRY, retryLimit: 300, expireInSeconds: 900 },
  [SLACK_QUEUES.incident]: { ...SLACK_RETRY, retryLimit: 300, expireInSeconds: 900 },
  // Like a card refresh: may wait minutes for the chat.update budget during a flood. One waiting edit per
  // incident: it draws the incident as it is when it runs, so the changes meanwhile need no job of their own.
  [SLACK_QUEUES.incidentCard]: { ...SLACK_RETRY, retryLimit: 300, expireInSeconds: 900, policy: 'short' },
  // One waiting per channel: it lists whatever is far back in the line when it runs.
  [SLACK_QUEUES.waitingList]: { ...SLACK_RETRY, retryLimit: 30, expireInSeconds: 900, policy: 'short' },
} satisfies Record<QueueName, QueuePolicy>;
