/** The domain Ticket and the history rows -> the JSON the original service's clients expect. */
import type { AssignmentRow } from '../../db/repositories/agents.ts';
import type { AttachmentRow } from '../../db/repositories/attachments.ts';
import type { ClassificationRow } from '../../db/repositories/classifications.ts';
import type { IncidentCounts, IncidentRow } from '../../db/repositories/incidents.ts';
import type { MessageRow } from '../../db/repositories/messages.ts';
import type { ReplyRow } from '../../db/repositories/replies.ts';
import type { Agent } from '../../domain/agent.ts';
import type { Ticket } from '../../domain/ticket.ts';

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

export function ticketJson(t: Ticket) {
  return {
    id: t.id,
    subject: t.subject,
    body: t.body,
    source: t.source,
    external_id: t.externalId,
    requester_email: t.requesterEmail,
    requester_name: t.requesterName,
    reply_to: t.replyTo,
    original_queue: t.originalQueue,
    original_priority: t.originalPriority,
    language: t.language,
    priority: t.priority,
    status: t.status,
    tags: t.tags,
    created_at: iso(t.createdAt),
    updated_at: iso(t.updatedAt),
    classification:
      t.category === null
        ? null
        : {
            category: t.category,
            confidence_score: t.confidence,
            summary: t.summary,
            model_name: t.classification?.modelName ?? null,
            processing_time_ms: t.classification?.processingTimeMs ?? null,
            classifier: t.classifier,
            classified_at: iso(t.classification?.classifiedAt ?? null),
          },
    assignee: agentJson(t.assignee),
    snooze: t.snooze === null ? null : { since: t.snooze.since.toISOString(), until: iso(t.snooze.until), by: t.snooze.by },
    origin: { mailbox_id: t.origin.mailboxId, folder: t.origin.folder, requester_header: t.origin.requesterHeader, parse_problems: t.origin.parseProblems },
    customer: t.customer,
    company: t.company,
    merged_into_id: t.mergedInto,
    split_from_id: t.splitFrom,
    incident_id: t.incidentId,
  };
}

export function agentJson(a: Agent | null) {
  return a === null ? null : { slack_user_id: a.slackUserId, name: a.name, email: a.email };
}

export function assignmentJson(a: AssignmentRow) {
  return { id: a.id, from: agentJson(a.from), to: agentJson(a.to), actor: a.actor, created_at: iso(a.createdAt) };
}

export function messageJson(m: MessageRow) {
  return {
    id: m.id,
    source: m.source,
    author_email: m.author_email,
    author_name: m.author_name,
    reply_to: m.reply_to,
    subject: m.subject,
    body: m.body,
    received_at: iso(m.received_at),
    created_at: iso(m.created_at),
    merged_from: m.merged_from === null ? null : Number(m.merged_from),
  };
}

export function replyJson(r: ReplyRow) {
  return {
    id: r.id,
    agent: { slack_user_id: r.agent_slack_id, name: r.agent_name },
    body: r.body,
    draft_origin: r.draft_origin,
    state: r.state,
    message_id: r.message_id,
    external_id: r.external_id,
    attempts: r.attempts,
    last_error: r.last_error,
    created_at: iso(r.created_at),
    sent_at: iso(r.sent_at),
  };
}

export function attachmentJson(a: AttachmentRow) {
  return { id: a.id, message_id: a.message_id, filename: a.filename, content_type: a.content_type, size: a.size, stored: a.stored };
}

export function classificationJson(c: ClassificationRow) {
  return {
    id: c.id,
    category: c.category,
    confidence_score: c.confidence,
    summary: c.summary,
    language: c.language,
    priority: c.priority,
    model_name: c.model_name,
    classifier: c.classifier,
    processing_time_ms: c.processing_time_ms,
    note: c.note,
    created_by: c.created_by,
    created_at: iso(c.created_at),
  };
}

/** An incident in a list (its counts) or on its own (with its customers and ticket ids). */
export function incidentJson(i: IncidentRow, counts: Pick<IncidentCounts, 'tickets' | 'open'>) {
  return {
    id: i.id,
    category: i.category,
    title: i.title,
    opened_at: iso(i.opened_at),
    last_joined_at: iso(i.last_joined_at),
    closed_at: iso(i.closed_at),
    closed_by: i.closed_by,
    tickets: counts.tickets,
    open_tickets: counts.open,
  };
}
