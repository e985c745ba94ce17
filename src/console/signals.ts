/**
 * The console hears every ticket event: this listener wraps the others (Slack's, the SLA clocks') and, in the
 * same transaction, queues a live signal (ticket id and kind, nothing more) that PostgreSQL hands to every
 * instance's open consoles on commit (src/console/live.ts).
 */
import { notifyConsole } from '../db/repositories/console-signals.ts';
import type { TicketEvents } from '../ingest/ticket-events.ts';

export function withConsoleSignals(events: TicketEvents): TicketEvents {
  return {
    async ticketClassified(tx, ticketId, options) {
      await events.ticketClassified(tx, ticketId, options);
      await notifyConsole(tx, { ticket: ticketId, kind: 'classified' });
    },
    async followUpAdded(tx, ticketId, messageId) {
      await events.followUpAdded(tx, ticketId, messageId);
      await notifyConsole(tx, { ticket: ticketId, kind: 'follow_up' });
    },
    async ticketChanged(tx, ticketId, change) {
      await events.ticketChanged(tx, ticketId, change);
      await notifyConsole(tx, { ticket: ticketId, kind: 'changed' });
    },
    async replyFinished(tx, ticketId, replyId) {
      await events.replyFinished(tx, ticketId, replyId);
      await notifyConsole(tx, { ticket: ticketId, kind: 'reply' });
    },
    async incidentChanged(tx, incidentId, change) {
      await events.incidentChanged(tx, incidentId, change);
      await notifyConsole(tx, { ticket: incidentId, kind: 'incident' });
    },
  };
}
