/**
 * Reply to all of an incident's customers: one message, written once, personalised per customer ({name}),
 * stored as an agent's reply on each ticket open when it was sent that a door can answer (not on tickets that
 * join later: the text was written for the ones the agent saw), so each customer gets it through
 * their ticket's own door (mail on its thread, the helpdesk, the webhook, Slack) by the ordinary reply send
 * job. The request is a job: the agent is answered at once, however many tickets there are. Each ticket's
 * reply is stored under its own request key, so a job run again (a crash, a second instance) stores and sends
 * only the ones still missing: every customer gets it once.
 */
import type { Logger } from 'pino';
import { appendAudit } from '../db/repositories/audit-entries.ts';
import { incidentReplyRequested, incidentTickets, lockIncident } from '../db/repositories/incidents.ts';
import { getTicket } from '../db/repositories/tickets.ts';
import { INCIDENT_REPLY_QUEUE, QUEUE_POLICIES } from '../db/queue-registry.ts';
import type { QueueJob } from '../db/queue.ts';
import { personalise, senderFor, type ReplySender } from '../domain/reply.ts';
import { cleanReplyText, storeReply, type ReplyWriteDeps } from './replies.ts';

export interface IncidentReplyJob {
  incidentId: number;
  text: string;
  agent: { slackUserId: string; name: string | null };
  actor: string;
  /** Unique per request (the modal's view, the console form's nonce): keys each ticket's reply. */
  requestKey: string;
  /**
   * The tickets open when the agent sent it: the reply was written for them, not for tickets that join later.
   * Absent (a job queued by an older version): every ticket open when the job runs.
   */
  ticketIds?: number[];
}

export interface IncidentReplyDeps extends ReplyWriteDeps {
  /** The ways back to customers: tickets none of them can answer are left out. */
  senders: readonly ReplySender[];
  logger: Logger;
}

export type IncidentReplyRequest = { found: false } | { found: true; queued: boolean };

/** Checks the text and queues the replies; the same request key twice queues once. */
export async function requestIncidentReply(deps: Pick<ReplyWriteDeps, 'db' | 'queue'>, input: Omit<IncidentReplyJob, 'ticketIds'>): Promise<IncidentReplyRequest> {
  const text = cleanReplyText(input.text);
  const request = input.requestKey.slice(0, 64);
  return deps.db.transaction(async (tx) => {
    if (!(await lockIncident(tx, input.incidentId))) return { found: false };
    // Its audit entry records the request: under the incident's lock, a second one with its key finds it.
    if (await incidentReplyRequested(tx, input.incidentId, input.actor, request)) return { found: true, queued: false };
    const ticketIds = (await incidentTickets(tx, input.incidentId)).filter((t) => t.status !== 'resolved').map((t) => t.id);
    const id = await deps.queue.send<IncidentReplyJob>(INCIDENT_REPLY_QUEUE, { ...input, text, ticketIds }, { singletonKey: `incident-reply:${input.incidentId}:${input.requestKey}` }, tx);
    if (id) await appendAudit(tx, { actor: input.actor, action: 'incident_reply_all', ticketId: null, before: { incident_id: input.incidentId }, after: { request } });
    return { found: true, queued: id !== null };
  });
}

export async function startIncidentReplyWorker(deps: IncidentReplyDeps): Promise<void> {
  await deps.queue.createQueue(INCIDENT_REPLY_QUEUE, QUEUE_POLICIES[INCIDENT_REPLY_QUEUE]);
  await deps.queue.work<IncidentReplyJob>(INCIDENT_REPLY_QUEUE, { concurrency: 1 }, async (job) => { await sendIncidentReplies(deps, job); });
}

/** Stores the reply on each ticket it was meant for that is still in the incident, open, and answerable by a door; returns how many were stored now. */
export async function sendIncidentReplies(deps: IncidentReplyDeps, job: QueueJob<IncidentReplyJob>): Promise<number> {
  const { incidentId, text, agent, actor, requestKey, ticketIds } = job.data;
  const meant = ticketIds ? new Set(ticketIds) : undefined;
  let stored = 0;
  for (const member of await incidentTickets(deps.db.sql, incidentId)) {
    if (member.status === 'resolved' || (meant && !meant.has(member.id))) continue;
    const ticket = await getTicket(deps.db.sql, member.id);
    if (!ticket || !senderFor(deps.senders, ticket)) continue;
    const out = await storeReply(deps, {
      ticketId: member.id, text: personalise(text, ticket.requesterName ?? null), agent, actor, draft: { origin: 'none' },
      requestKey: `incident:${incidentId}:${requestKey}:${member.id}`,
    });
    if (out && !out.duplicate) stored += 1;
  }
  deps.logger.info({ incidentId, stored }, 'incident reply stored on its tickets');
  return stored;
}
