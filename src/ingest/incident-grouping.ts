/**
 * Floods of one problem become incidents. Run by the classify job in the transaction that stores a batch's
 * first classifications, before the tickets' alerts are enqueued: a ticket whose text is like (MinHash,
 * src/domain/minhash.ts) a ticket of an open incident of its category joins it; otherwise, when it is the
 * INCIDENT_MIN_TICKETS-th similar ticket of its category within the window, it opens an incident with the
 * similar ones. The tickets before it keep their own cards; the ones that joined are shown on the incident's
 * card instead. Every ticket stays a full ticket (stored, classified, clocked). Grouping in a category is
 * serialised across instances by an advisory lock held until the batch commits.
 */
import type { IncidentSettings } from '../config/incidents.ts';
import { groupingCandidates, insertFingerprint, joinIncident, lockGrouping, openIncident, pruneFingerprints, type Candidate } from '../db/repositories/incidents.ts';
import type { Sql } from '../db/sql.ts';
import type { Category } from '../domain/categories.ts';
import { comparedText, MIN_COMPARED_WORDS, minhash, similarity, wordsOf } from '../domain/minhash.ts';

export interface GroupedTicket {
  id: number;
  category: Category;
  subject: string | null;
  body: string;
}

/** The ticket is shown on this incident's card instead of its own; opened: it opened the incident. */
export interface IncidentVerdict {
  incidentId: number;
  opened: boolean;
}

export async function groupIntoIncidents(tx: Sql, settings: IncidentSettings, tickets: readonly GroupedTicket[], now = new Date()): Promise<Map<number, IncidentVerdict>> {
  const verdicts = new Map<number, IncidentVerdict>();
  const since = new Date(now.getTime() - settings.windowMs);
  // Categories in one order, so two batches never wait on each other's locks crosswise.
  const categories = [...new Set(tickets.map((t) => t.category))].sort();
  for (const category of categories) {
    await lockGrouping(tx, category);
    await pruneFingerprints(tx, category, since);
    const candidates = await groupingCandidates(tx, category, since);
    for (const t of tickets.filter((x) => x.category === category).sort((a, b) => a.id - b.id)) {
      const verdict = await groupOne(tx, settings, candidates, t);
      if (verdict) verdicts.set(t.id, verdict);
    }
  }
  return verdicts;
}

async function groupOne(tx: Sql, settings: IncidentSettings, candidates: Candidate[], t: GroupedTicket): Promise<IncidentVerdict | undefined> {
  const text = comparedText(t);
  if (wordsOf(text).length < MIN_COMPARED_WORDS) return undefined;
  const sig = minhash(text);
  let best: Candidate | undefined;
  let bestSim = settings.similarity;
  const similar: Candidate[] = [];
  for (const c of candidates) {
    const sim = similarity(sig, c.minhash);
    if (sim < settings.similarity) continue;
    if (c.open && sim >= bestSim) [best, bestSim] = [c, sim];
    // Tickets already in an incident (open, or closed by a person) never open another.
    if (c.incidentId === null && c.ticketId !== null) similar.push(c);
  }
  await insertFingerprint(tx, t.id, t.category, sig);
  if (best?.incidentId) {
    const id = best.incidentId;
    const kept = [...candidates.filter((c) => c.ticketId === null && c.incidentId === id).map((c) => c.minhash), sig];
    await joinIncident(tx, id, t.id, kept);
    candidates.unshift({ ticketId: t.id, minhash: sig, incidentId: id, open: true });
    candidates.push({ ticketId: null, minhash: sig, incidentId: id, open: true });
    return { incidentId: id, opened: false };
  }
  if (similar.length + 1 < settings.minTickets) {
    candidates.unshift({ ticketId: t.id, minhash: sig, incidentId: null, open: false });
    return undefined;
  }
  const members = [...similar.map((c) => c.ticketId!), t.id];
  const minhashes = [...similar.map((c) => c.minhash), sig];
  const id = await openIncident(tx, { category: t.category, title: titleOf(t), titleTicketId: t.id, ticketIds: members, minhashes });
  for (const c of similar) [c.incidentId, c.open] = [id, true];
  for (const m of minhashes.slice(-20)) candidates.push({ ticketId: null, minhash: m, incidentId: id, open: true });
  candidates.unshift({ ticketId: t.id, minhash: sig, incidentId: id, open: true });
  return { incidentId: id, opened: true };
}

/** The incident's name: the opening ticket's subject, else the start of its text. */
function titleOf(t: GroupedTicket): string {
  const subject = t.subject?.replace(/\s+/g, ' ').trim();
  if (subject) return subject.slice(0, 120);
  const text = t.body.replace(/\s+/g, ' ').trim();
  return text.length > 80 ? `${text.slice(0, 80)}…` : text;
}
