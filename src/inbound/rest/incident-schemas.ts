/**
 * Requests and answers of /api/v1/incidents: floods of similar tickets grouped at classification
 * (src/ingest/incident-grouping.ts) and the actions on them (src/ingest/incident-actions.ts).
 */
import { z } from 'zod';
import { CATEGORIES } from '../../domain/categories.ts';
import { listLimit, listOffset } from './schemas.ts';

const timestamp = z.iso.datetime();

export const incidentsQuery = z.object({
  open: z.enum(['true', 'false'], { error: 'must be true or false' }).optional().describe('true: open incidents only; false: closed ones only; absent: both'),
  limit: listLimit.default(50),
  offset: listOffset,
});

const incidentFields = {
  id: z.number().int(),
  category: z.enum(CATEGORIES),
  title: z.string().describe("The subject (or the text's start) of the ticket that opened it"),
  opened_at: timestamp,
  last_joined_at: timestamp.describe('When the last ticket joined'),
  closed_at: timestamp.nullable().describe('null: open (new similar tickets of its category join it)'),
  closed_by: z.string().nullable().describe('Who closed it: slack:<user id>, console:<user id>, api-key:<key fingerprint>, or api'),
  tickets: z.number().int().describe('Its tickets (deleted and merged ones left out)'),
  open_tickets: z.number().int().describe('Of those, the ones not resolved'),
};

export const incidentSummary = z.object(incidentFields).meta({ id: 'IncidentSummary' });

export const incidentList = z
  .object({ items: z.array(incidentSummary), limit: z.number().int(), offset: z.number().int() })
  .meta({ id: 'IncidentList' });

export const incidentView = z
  .object({
    ...incidentFields,
    customers: z.number().int().describe('Distinct customers among its tickets'),
    ticket_ids: z.array(z.number().int()).describe('Its tickets, oldest first (GET /api/v1/requests/{id})'),
  })
  .meta({ id: 'Incident' });

export const resolveIncidentResult = z
  .object({ resolved: z.number().int().describe('Tickets this call resolved (the ones resolved already are not counted)'), incident: incidentView })
  .meta({ id: 'IncidentResolveResult' });
