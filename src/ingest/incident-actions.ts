/**
 * People's actions on an incident, from its Slack card, the console and REST: close it, take one ticket out,
 * resolve all its tickets. (Reply to all: src/ingest/incident-replies.ts.) Each runs in one transaction with
 * its audit entry and ticketEvents.incidentChanged, so the card's refresh commits with the change. Resolving
 * goes through each ticket's own status change (its clocks, its card, its survey), like a click on each.
 */
import { appendAudit } from '../db/repositories/audit-entries.ts';
import { closeIncidentRow, incidentTickets, lockIncident, takeOutTicket } from '../db/repositories/incidents.ts';
import { changeStatusIn, type TicketWriteDeps } from './changes.ts';

export type CloseOutcome = 'closed' | 'unchanged' | 'not_found';

/** Closes the incident: new similar tickets get their own cards again (and may open a new incident). */
export async function closeIncident(deps: TicketWriteDeps, incidentId: number, actor: string): Promise<CloseOutcome> {
  return deps.db.transaction(async (tx) => {
    const incident = await lockIncident(tx, incidentId);
    if (!incident) return 'not_found';
    if (incident.closed_at) return 'unchanged';
    await closeIncidentRow(tx, incidentId, actor);
    await appendAudit(tx, { actor, action: 'incident_close', ticketId: null, before: { incident_id: incidentId }, after: { closed: true } });
    await deps.ticketEvents.incidentChanged(tx, incidentId, { kind: 'closed', actor });
    return 'closed';
  });
}

export type TakeOutOutcome = 'taken_out' | 'not_member' | 'not_found';

/** The ticket is a ticket of its own again: it leaves the incident's card and gets its own. */
export async function takeOutOfIncident(deps: TicketWriteDeps, incidentId: number, ticketId: number, actor: string): Promise<TakeOutOutcome> {
  return deps.db.transaction(async (tx) => {
    const incident = await lockIncident(tx, incidentId);
    if (!incident) return 'not_found';
    if (!(await takeOutTicket(tx, incidentId, ticketId))) return 'not_member';
    await appendAudit(tx, { actor, action: 'incident_take_out', ticketId, before: { incident_id: incidentId }, after: { incident_id: null } });
    await deps.ticketEvents.incidentChanged(tx, incidentId, { kind: 'taken_out', ticketId, actor });
    return 'taken_out';
  });
}

export type ResolveAllOutcome = { found: false } | { found: true; resolved: number };

/** Resolves every ticket of the incident that is not resolved yet. */
export async function resolveIncidentTickets(deps: TicketWriteDeps, incidentId: number, actor: string): Promise<ResolveAllOutcome> {
  return deps.db.transaction(async (tx) => {
    const incident = await lockIncident(tx, incidentId);
    if (!incident) return { found: false };
    let resolved = 0;
    for (const t of await incidentTickets(tx, incidentId)) {
      if (t.status === 'resolved') continue;
      if ((await changeStatusIn(tx, deps, t.id, 'resolved', actor)) === 'changed') resolved += 1;
    }
    await appendAudit(tx, { actor, action: 'incident_resolve_all', ticketId: null, before: { incident_id: incidentId }, after: { resolved } });
    await deps.ticketEvents.incidentChanged(tx, incidentId, { kind: 'resolved_all', resolved, actor });
    return { found: true, resolved };
  });
}
