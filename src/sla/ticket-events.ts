/**
 * The SLA clocks as a listener of the pipeline's ticket events (src/ingest/ticket-events.ts): each event
 * updates the ticket's clocks in the emitter's transaction, then passes on to the next listener (Slack's),
 * so a change and its new due times commit together.
 */
import { replySentAt } from '../db/repositories/slas.ts';
import type { TicketEvents } from '../ingest/ticket-events.ts';
import { type SlaDeps, updateClocks } from './clocks.ts';

export function withSlaClocks(next: TicketEvents, deps: SlaDeps): TicketEvents {
  return {
    async ticketClassified(tx, ticketId, options) {
      // History loaded without alerts (seed) gets no clocks: it would breach at once.
      if (options?.alert !== false) await updateClocks(deps, tx, ticketId, { kind: 'classified' });
      await next.ticketClassified(tx, ticketId, options);
    },
    async followUpAdded(tx, ticketId, messageId) {
      // The customer answered: ingest reopened a waiting ticket in this transaction, the pause ends.
      await updateClocks(deps, tx, ticketId, { kind: 'changed' });
      await next.followUpAdded(tx, ticketId, messageId);
    },
    async ticketChanged(tx, ticketId, change) {
      // A person's verdict may be the first classification (it starts the clocks) or a new priority.
      if (change.kind === 'classification') await updateClocks(deps, tx, ticketId, { kind: 'classified' });
      // A new status, a snooze starting or ending: the clocks follow the ticket.
      if (change.kind === 'status' || change.kind === 'snooze' || change.kind === 'unsnooze') await updateClocks(deps, tx, ticketId, { kind: 'changed' });
      await next.ticketChanged(tx, ticketId, change);
    },
    async replyFinished(tx, ticketId, replyId) {
      const sentAt = await replySentAt(tx, replyId);
      if (sentAt) await updateClocks(deps, tx, ticketId, { kind: 'responded', at: sentAt });
      await next.replyFinished(tx, ticketId, replyId);
    },
    incidentChanged: (tx, incidentId, change) => next.incidentChanged(tx, incidentId, change),
  };
}
