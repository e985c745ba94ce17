/** Database rows -> the JSON the original service's clients expect. */
import type { AttachmentRow, ClassificationRow, MessageRow, TicketRow } from '../../db/repositories/tickets.ts';

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

export function ticketJson(t: TicketRow) {
  return {
    id: t.id,
    subject: t.subject,
    body: t.body,
    source: t.source,
    external_id: t.external_id,
    requester_email: t.requester_email,
    requester_name: t.requester_name,
    reply_to: t.reply_to,
    original_queue: t.original_queue,
    original_priority: t.original_priority,
    language: t.language,
    priority: t.priority,
    status: t.status,
    tags: t.tags ?? [],
    created_at: iso(t.created_at),
    updated_at: iso(t.updated_at),
    classification:
      t.category === null
        ? null
        : {
            category: t.category,
            confidence_score: t.confidence,
            summary: t.summary,
            model_name: t.model_name,
            processing_time_ms: t.processing_time_ms,
            classifier: t.classifier,
            classified_at: iso(t.classified_at),
          },
  };
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
