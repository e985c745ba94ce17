/**
 * Incidents (src/ingest/incident-grouping.ts): when many similar tickets of one category arrive within a few
 * minutes, the first few are alerted as usual and the rest join one incident card. Off unless INCIDENTS_ENABLED:
 * it changes what a team sees for a flood (and what a load test that counts alerts sees), so a team opts in.
 */
import { bool, int, number } from './validators.ts';
import { type Values, variable } from './variable.ts';

export const incidentVariables = {
  enabled: variable('INCIDENTS_ENABLED', bool(false), 'Group floods of similar tickets into incidents (one Slack card instead of one per ticket).'),
  minTickets: variable('INCIDENT_MIN_TICKETS', int(5, 2, 1000), 'Similar tickets of one category within the window that open an incident; the ones before it keep their own cards.'),
  windowMinutes: variable('INCIDENT_WINDOW_MINUTES', int(10, 1, 1440), 'How recent a similar ticket must be to count towards opening an incident.'),
  similarity: variable('INCIDENT_SIMILARITY', number(0.25, 0.05, 1), "How alike two tickets' texts must be (estimated Jaccard similarity of their word 3-shingles, 0 to 1)."),
};

export function incidentSection(v: Values<typeof incidentVariables>) {
  if (!v.enabled) return undefined;
  return { minTickets: v.minTickets, windowMs: v.windowMinutes * 60_000, similarity: v.similarity };
}

export type IncidentSettings = NonNullable<ReturnType<typeof incidentSection>>;
