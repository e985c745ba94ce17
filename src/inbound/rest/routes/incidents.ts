/**
 * /api/v1/incidents: floods of similar tickets grouped at classification (src/ingest/incident-grouping.ts).
 * List and read them; close one, resolve all its tickets, take one ticket out (src/ingest/incident-actions.ts
 * has the rules; each action is audited and refreshes the incident's Slack card like a click on it).
 */
import Router from '@koa/router';
import { getIncident, incidentCounts, incidentTickets, listIncidents } from '../../../db/repositories/incidents.ts';
import { getTicket } from '../../../db/repositories/tickets.ts';
import type { Sql } from '../../../db/sql.ts';
import type { TicketWriteDeps } from '../../../ingest/changes.ts';
import { closeIncident, resolveIncidentTickets, takeOutOfIncident } from '../../../ingest/incident-actions.ts';
import { HttpError } from '../../../lib/http-error.ts';
import { incidentsQuery } from '../incident-schemas.ts';
import { ticketId } from '../schemas.ts';
import { parseOr422 } from '../validate.ts';
import { incidentJson } from '../views.ts';

/** The incident with its counts and ticket ids; undefined: no such incident. */
async function incidentDetail(db: Sql, id: number) {
  const incident = await getIncident(db, id);
  if (!incident) return undefined;
  const [counts, tickets] = await Promise.all([incidentCounts(db, id), incidentTickets(db, id)]);
  return { ...incidentJson(incident, counts), customers: counts.customers, ticket_ids: tickets.map((t) => t.id) };
}

export function incidentsRouter(deps: TicketWriteDeps): Router {
  const { db } = deps;
  const router = new Router({ prefix: '/api/v1/incidents', sensitive: true });
  const idOf = (raw: string | undefined) => parseOr422(ticketId, raw, 'id');
  const notFound = (id: number) => new HttpError(404, `Incident ${id} not found`);
  const found = async (id: number) => {
    const view = await incidentDetail(db.sql, id);
    if (!view) throw notFound(id);
    return view;
  };

  router.get('/', async (ctx) => {
    const q = parseOr422(incidentsQuery, ctx.query);
    const rows = await listIncidents(db.sql, { ...(q.open === undefined ? {} : { open: q.open === 'true' }), limit: q.limit, offset: q.offset });
    ctx.body = { items: rows.map((r) => incidentJson(r, r)), limit: q.limit, offset: q.offset };
  });

  router.get('/:id', async (ctx) => {
    ctx.body = await found(idOf(ctx.params.id));
  });

  router.post('/:id/close', async (ctx) => {
    const id = idOf(ctx.params.id);
    // Closing a closed incident changes nothing and answers it as it is.
    if ((await closeIncident(deps, id, ctx.state.actor ?? 'api')) === 'not_found') throw notFound(id);
    ctx.body = await found(id);
  });

  router.post('/:id/resolve', async (ctx) => {
    const id = idOf(ctx.params.id);
    const out = await resolveIncidentTickets(deps, id, ctx.state.actor ?? 'api');
    if (!out.found) throw notFound(id);
    ctx.body = { resolved: out.resolved, incident: await found(id) };
  });

  router.delete('/:id/tickets/:ticketId', async (ctx) => {
    const id = idOf(ctx.params.id);
    const member = parseOr422(ticketId, ctx.params.ticketId, 'ticketId');
    const out = await takeOutOfIncident(deps, id, member, ctx.state.actor ?? 'api');
    if (out === 'not_found') throw notFound(id);
    if (out === 'not_member') {
      if (await getTicket(db.sql, member)) throw new HttpError(409, `Request ${member} is not in incident ${id}`);
      throw new HttpError(404, `Request ${member} not found`);
    }
    ctx.body = await found(id);
  });
  return router;
}
