/**
 * Floods of one problem become incidents. Run by the classify job for a batch's first verdicts, in a short
 * transaction of its own just before the verdicts and their alerts are stored: a ticket whose text is like (MinHash,
 * src/domain/minhash.ts) a ticket of an open incident of its category joins it; otherwise, when it is the
 * INCIDENT_MIN_TICKETS-th similar ticket of its category within the window, it opens an incident with the
 * similar ones. The tickets before it keep their own cards; the ones that joined are shown on the incident's
 * card instead. Every ticket stays a full ticket (stored, classified, clocked). Grouping in a category is
 * serialised across instances by an advisory lock held until the grouping commits.
 */
import type { IncidentSettings } from '../config/incidents.ts';
import {
  candidateStatuses, earlierGroupings, insertFingerprints, joinIncident, KEPT_MINHASHES, keptSignatures, lockGrouping, openIncident, pruneFingerprints, type Candidate,
} from '../db/repositories/incidents.ts';
import type { RecentSignatures } from './recent-signatures.ts';
import type { KeptSignature } from '../db/entities/incident.ts';
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
  /** The batch's first ticket of this incident: the one whose event asks for the card to be drawn again. */
  announce: boolean;
}

export async function groupIntoIncidents(
  tx: Sql, settings: IncidentSettings, tickets: readonly GroupedTicket[], recent: RecentSignatures, now = new Date(),
): Promise<Map<number, IncidentVerdict>> {
  const verdicts = new Map<number, IncidentVerdict>();
  const since = new Date(now.getTime() - settings.windowMs);
  // Categories in one order, so two batches never wait on each other's locks crosswise.
  const categories = [...new Set(tickets.map((t) => t.category))].sort();
  for (const category of categories) {
    await lockGrouping(tx, category);
    await pruneFingerprints(tx, category, since);
    const announced = new Set<number>();
    const inCategory = tickets.filter((x) => x.category === category).sort((a, b) => a.id - b.id);
    // Grouped before, but its verdicts were never stored (a crash between the two transactions): the same
    // verdict again, not a new one (the tickets that kept their cards would now join the incident they opened).
    const earlier = await earlierGroupings(tx, inCategory.map((t) => t.id));
    for (const t of inCategory) {
      const e = earlier.get(t.id);
      if (e?.shownOnIncidentId == null || e.shownOnIncidentId !== e.incidentId) continue;
      verdicts.set(t.id, { incidentId: e.incidentId, opened: e.opened, announce: !announced.has(e.incidentId) });
      announced.add(e.incidentId);
    }
    const batch = inCategory.filter((t) => !earlier.has(t.id)).map((t) => ({ t, sig: comparable(t) }));
    const kept = await keptSignatures(tx, category);
    // A ticket like an open incident's kept signatures joins it: only the others need the window's signatures
    // (in a flood, almost none).
    const unplaced = batch.map(({ sig }) => (sig && !kept.some((k) => similarity(sig, k.minhash) >= settings.similarity) ? sig : null));
    const candidates = [...(await matchedRecent(tx, settings, recent, category, since, unplaced)), ...kept];
    const signed: { ticketId: number; category: Category; minhash: number[]; shownOnIncidentId: number | null }[] = [];
    const joins = new Map<number, number[]>();
    for (const { t, sig } of batch) {
      if (!sig) continue;
      const verdict = await groupOne(tx, settings, candidates, t, sig);
      signed.push({ ticketId: t.id, category, minhash: sig, shownOnIncidentId: verdict?.incidentId ?? null });
      if (!verdict) continue;
      const announce = !announced.has(verdict.incidentId);
      announced.add(verdict.incidentId);
      verdicts.set(t.id, { ...verdict, announce });
      if (!verdict.opened) joins.set(verdict.incidentId, [...(joins.get(verdict.incidentId) ?? []), t.id]);
    }
    // A flood's batch joins its incident in two statements, not two per ticket.
    for (const [id, ticketIds] of joins) await joinIncident(tx, id, ticketIds, keptOf(candidates, id));
    await insertFingerprints(tx, signed);
  }
  return verdicts;
}

/** The ticket's signature, or null when its text is too short to compare. */
function comparable(t: GroupedTicket): number[] | null {
  const text = comparedText(t);
  return wordsOf(text).length < MIN_COMPARED_WORDS ? null : minhash(text);
}

/**
 * The category's recent signatures that some ticket of the batch is like, with where their tickets stand now
 * (one query for all of them; the others cannot matter to this batch). Signatures found gone are forgotten.
 */
async function matchedRecent(tx: Sql, settings: IncidentSettings, recent: RecentSignatures, category: Category, since: Date, sigs: (number[] | null)[]): Promise<Candidate[]> {
  const rows = await recent.read(tx, category, since);
  const matched = rows.filter((r) => sigs.some((sig) => sig && similarity(sig, r.minhash) >= settings.similarity));
  const status = await candidateStatuses(tx, matched.map((r) => r.ticketId));
  for (const r of matched) if (!status.has(r.ticketId)) recent.forget(category, r.ticketId);
  return matched.filter((r) => status.has(r.ticketId)).map((r) => ({ ticketId: r.ticketId, minhash: r.minhash, ...status.get(r.ticketId)! }));
}

/** The signatures the incident keeps, as the candidates now hold them (its latest tickets last). */
function keptOf(candidates: Candidate[], incidentId: number): KeptSignature[] {
  return candidates.filter((c) => c.keptFor !== undefined && c.incidentId === incidentId).map((c) => ({ ticket: c.keptFor!, minhash: c.minhash }));
}

/** One ticket against the candidates, which it then joins (later tickets of the batch compare with it too); a join is stored by the caller. */
async function groupOne(tx: Sql, settings: IncidentSettings, candidates: Candidate[], t: GroupedTicket, sig: number[]): Promise<Omit<IncidentVerdict, 'announce'> | undefined> {
  let best: Candidate | undefined;
  let bestSim = settings.similarity;
  const similar: Candidate[] = [];
  for (const c of candidates) {
    // Never like itself (its kept signature, or its signature read back in the same transaction).
    if (c.ticketId === t.id || c.keptFor === t.id) continue;
    const sim = similarity(sig, c.minhash);
    if (sim < settings.similarity) continue;
    if (c.open && sim >= bestSim) [best, bestSim] = [c, sim];
    // Tickets already in an incident (open, or closed by a person) never open another.
    if (c.incidentId === null && c.ticketId !== null) similar.push(c);
  }
  if (best?.incidentId) {
    const id = best.incidentId;
    candidates.unshift({ ticketId: t.id, minhash: sig, incidentId: id, open: true });
    candidates.push({ ticketId: null, keptFor: t.id, minhash: sig, incidentId: id, open: true });
    return { incidentId: id, opened: false };
  }
  if (similar.length + 1 < settings.minTickets) {
    candidates.unshift({ ticketId: t.id, minhash: sig, incidentId: null, open: false });
    return undefined;
  }
  const members = [...similar.map((c) => c.ticketId!), t.id];
  const kept = [...similar.map((c) => ({ ticket: c.ticketId!, minhash: c.minhash })), { ticket: t.id, minhash: sig }].slice(-KEPT_MINHASHES);
  const id = await openIncident(tx, { category: t.category, title: titleOf(t), titleTicketId: t.id, ticketIds: members, minhashes: kept });
  for (const c of similar) [c.incidentId, c.open] = [id, true];
  for (const k of kept) candidates.push({ ticketId: null, keptFor: k.ticket, minhash: k.minhash, incidentId: id, open: true });
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
