/**
 * Incidents for the tests that go through every operation of the document (admitted, fuzz): opened directly,
 * as grouping would open them, on fresh tickets, so an /api/v1/incidents/{id} operation names real incidents
 * without a flood and its classification. test/rest/incidents.test.ts makes them the real way.
 */
import { openIncident } from '../../src/db/repositories/incidents.ts';
import { api, type TestService } from './service.ts';

export interface TestIncident {
  id: number;
  /** Its tickets, oldest first. */
  tickets: number[];
}

export async function openTestIncidents(svc: TestService, headers: Record<string, string>, n: number, members = 2): Promise<TestIncident[]> {
  const out: TestIncident[] = [];
  for (let i = 0; i < n; i++) {
    const tickets: number[] = [];
    for (let m = 0; m < members; m++) {
      const res = await api(svc.baseUrl, '/api/v1/requests', { method: 'POST', headers, json: { text: `a ticket of test incident ${i}, member ${m}` } });
      if (res.status !== 201) throw new Error(res.text);
      tickets.push(res.json.id as number);
    }
    const id = await openIncident(svc.service.db.sql, { category: 'technical', title: `Test incident ${i}`, titleTicketId: tickets[0]!, ticketIds: tickets, minhashes: [] });
    out.push({ id, tickets });
  }
  return out;
}

/** Take-out paths (DELETE /api/v1/incidents/{id}/tickets/{ticketId}), one per member: random ids would almost never name one. */
export const incidentPaths = (incidents: TestIncident[]) => incidents.flatMap((i) => i.tickets.map((t) => `/api/v1/incidents/${i.id}/tickets/${t}`));
