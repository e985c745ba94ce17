/** A ticket as the reply doors and drafts see it, with what a test changes. */
import type { Ticket } from '../../src/domain/ticket.ts';

export function ticketOf(over: Partial<Ticket> = {}): Ticket {
  const at = new Date('2026-12-01T10:00:00Z');
  return {
    id: 7, source: 'zendesk', externalId: '4711', subject: 'Charged twice', body: 'My card was charged twice.', requesterEmail: 'jane@customer.example',
    requesterName: 'Jane', replyTo: null, originalQueue: null, originalPriority: null, language: 'en', priority: 'high', status: 'open', tags: [],
    category: 'billing', confidence: 0.9, summary: null, classifier: 'llm', classification: null, assignee: null, snooze: null,
    origin: { mailboxId: null, folder: null, requesterHeader: null, parseProblems: [] }, customer: null, company: null, mergedInto: null, splitFrom: null, incidentId: null, createdAt: at, updatedAt: at, ...over,
  };
}
