/**
 * Erasing a person (by e-mail address or a whole domain), a dry run of it, and export of all we hold on them.
 * Every place is in the registry src/db/repositories/privacy-places.ts; this file owns the order:
 *  1. one transaction: the erasure record (who asked, mode, kind of subject: never the subject), its work list
 *     (ticket and follow-up ids) and the person-bound places (found by address: rejected deliveries, queue jobs,
 *     the agent cache, sessions), since the address is not kept anywhere after this step;
 *  2. the work list in small batches, each one transaction: the ticket-bound places, the Slack redaction jobs
 *     for those tickets' messages (enqueued in the batch's transaction), the items marked done;
 *  3. the record finished with its counts, and an audit entry.
 * A crash in step 2 leaves a running record whose remaining items resumeErasures() finishes (at the next start
 * of a worker, or the next erasure/retention run). Tickets under a legal hold are left alone and counted.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Database } from '../db/database.ts';
import { appendAudit } from '../db/repositories/audit-entries.ts';
import {
  addErasureCounts, finishErasure, getErasure, insertErasure, insertErasureItems, lockNextItems, markItemsDone, runningErasures,
} from '../db/repositories/erasures.ts';
import {
  ERASURE_PLACES, type ErasureMode, findSubject, lockTickets, type PersonScope, postsOfTickets, type SubjectMatch, type TicketScope,
} from '../db/repositories/privacy-places.ts';
import type { Sql } from '../db/sql.ts';
import { incidentsOfTickets } from '../db/repositories/incidents.ts';

export type { ErasureMode } from '../db/repositories/privacy-places.ts';
export const ERASURE_MODES = ['anonymise', 'delete'] as const;
export const SUBJECT_KINDS = ['email', 'domain', 'customer'] as const;
export type SubjectKind = (typeof SUBJECT_KINDS)[number];

export interface Subject {
  kind: SubjectKind;
  /** Lower-cased, trimmed; a customer's id in decimal. */
  value: string;
}

export class InvalidSubjectError extends Error {
  override readonly name = 'InvalidSubjectError';
}

const LABEL = '[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?';
const DOMAIN_SOURCE = `${LABEL}(?:\\.${LABEL})+`;
const EMAIL_SOURCE = `[A-Za-z0-9._%+'-]{1,64}@${DOMAIN_SOURCE}`;
/** The value of each kind of subject (REST's schema states them too). */
export const EMAIL_PATTERN = `^${EMAIL_SOURCE}$`;
export const DOMAIN_PATTERN = `^@?${DOMAIN_SOURCE}$`;
export const CUSTOMER_PATTERN = '^[1-9][0-9]{0,8}$';
export const SUBJECT_RULE = 'must be an e-mail address (ana@example.com) when kind is email, a domain (example.com) when kind is domain, a customer id (42) when kind is customer';
const EMAIL = new RegExp(`^${EMAIL_SOURCE}$`);
const DOMAIN = new RegExp(`^${DOMAIN_SOURCE}$`);

/** The subject as given (an address, a domain or a customer id; any case, outer blanks), checked; throws InvalidSubjectError. */
export function parseSubject(kind: string, raw: string): Subject {
  const value = raw.trim().toLowerCase().replace(/^@/, '');
  if (kind === 'email' && EMAIL.test(value) && value.length <= 320) return { kind, value };
  if (kind === 'domain' && DOMAIN.test(value) && value.length <= 253) return { kind, value };
  if (kind === 'customer' && new RegExp(CUSTOMER_PATTERN).test(value)) return { kind, value };
  throw new InvalidSubjectError(SUBJECT_RULE);
}

/** The Slack side: enqueue, in the batch's transaction, the edit (anonymise) or deletion of these messages. */
export type SlackRedactor = (tx: Sql, posts: { channel: string; ts: string; card: boolean }[], mode: ErasureMode) => Promise<void>;

export interface PrivacyDeps {
  db: Database;
  logger: Logger;
  redactSlack?: SlackRedactor;
  /** Incidents holding erased tickets: their cards are drawn again without them (ticketEvents.incidentChanged). */
  incidentsErased?: (tx: Sql, incidentIds: number[]) => Promise<void>;
  /** Work items per batch transaction (default 50). */
  batchSize?: number;
  /** Tests: runs after each committed batch (a throw here is a crash between two batches). */
  afterBatch?: (erasureId: number) => Promise<void>;
}

export interface DryRun {
  tickets: number;
  held_tickets: number;
  follow_ups_on_other_tickets: number;
  counts: Record<string, number>;
}

const scopeOf = (m: SubjectMatch): TicketScope => ({ ticketIds: m.ticketIds, messageIds: m.messageIds });
const personOf = (subject: Subject, m: SubjectMatch): PersonScope => ({
  emails: m.emails, domain: subject.kind === 'domain' ? subject.value : null, customerIds: subject.kind === 'customer' ? [Number(subject.value)] : [],
});

/** Counts per place of what an erasure would change; changes nothing. */
export async function dryRun(deps: Pick<PrivacyDeps, 'db'>, subject: Subject): Promise<DryRun> {
  return deps.db.transaction(async (tx) => {
    const match = await findSubject(tx, subject);
    const counts: Record<string, number> = {};
    for (const place of ERASURE_PLACES) {
      let n = 0;
      if (place.countTickets && (match.ticketIds.length || match.messageIds.length)) n += await place.countTickets(tx, scopeOf(match));
      if (place.countPerson) n += await place.countPerson(tx, personOf(subject, match));
      counts[place.name] = n;
    }
    return { tickets: match.ticketIds.length, held_tickets: match.heldTicketIds.length, follow_ups_on_other_tickets: match.messageIds.length, counts };
  });
}

export interface ErasureOutcome {
  erasure_id: number;
  mode: ErasureMode;
  state: string;
  tickets: number;
  held_tickets: number;
  counts: Record<string, number>;
}

/** Erases the person everywhere (legal holds excepted) and returns the record. */
export async function erase(deps: PrivacyDeps, subject: Subject, mode: ErasureMode, requestedBy: string): Promise<ErasureOutcome> {
  const started = await deps.db.transaction(async (tx) => {
    const match = await findSubject(tx, subject);
    const erasureId = await insertErasure(tx, { requestedBy, mode, subjectKind: subject.kind, subjectRef: randomUUID().replaceAll('-', '') });
    await insertErasureItems(tx, erasureId, [
      ...match.ticketIds.map((refId) => ({ kind: 'ticket' as const, refId })),
      ...match.messageIds.map((refId) => ({ kind: 'message' as const, refId })),
    ]);
    const counts: Record<string, number> = {};
    for (const place of ERASURE_PLACES) {
      if (place.erasePerson) counts[place.name] = await place.erasePerson(tx, personOf(subject, match), mode);
    }
    await addErasureCounts(tx, erasureId, counts);
    return { erasureId, tickets: match.ticketIds.length, held: match.heldTicketIds.length };
  });
  deps.logger.info({ erasureId: started.erasureId, mode, kind: subject.kind, tickets: started.tickets, held: started.held }, 'erasure started');
  await workErasure(deps, started.erasureId, mode);
  const row = (await getErasure(deps.db.sql, started.erasureId))!;
  return { erasure_id: row.id, mode, state: row.state, tickets: started.tickets, held_tickets: started.held, counts: row.counts ?? {} };
}

/** Works an erasure's remaining items in batches, then finishes it (idempotent: every step can run again). */
export async function workErasure(deps: PrivacyDeps, erasureId: number, mode: ErasureMode): Promise<void> {
  const batchSize = deps.batchSize ?? 50;
  for (;;) {
    const worked = await deps.db.transaction(async (tx) => {
      const items = await lockNextItems(tx, erasureId, batchSize);
      if (!items.length) return 0;
      const scope: TicketScope = {
        ticketIds: items.filter((i) => i.kind === 'ticket').map((i) => i.refId),
        messageIds: items.filter((i) => i.kind === 'message').map((i) => i.refId),
      };
      const counts = await eraseTicketBatch(deps, tx, scope, mode);
      await addErasureCounts(tx, erasureId, counts);
      await markItemsDone(tx, erasureId, items);
      return items.length;
    });
    if (!worked) break;
    await deps.afterBatch?.(erasureId);
  }
  await deps.db.transaction(async (tx) => {
    if (!(await finishErasure(tx, erasureId))) return;
    const row = await getErasure(tx, erasureId);
    await appendAudit(tx, { actor: row!.requestedBy, action: 'erasure', ticketId: null, after: { erasure_id: erasureId, mode, subject_kind: row!.subjectKind, counts: row!.counts } });
    deps.logger.info({ erasureId, mode, counts: row!.counts }, 'erasure finished');
  });
}

/** One batch of tickets through every ticket-bound place, with their Slack messages' redaction; counts per place. */
export async function eraseTicketBatch(deps: Pick<PrivacyDeps, 'redactSlack' | 'incidentsErased'>, tx: Sql, scope: TicketScope, mode: ErasureMode): Promise<Record<string, number>> {
  if (scope.ticketIds.length) await lockTickets(tx, scope.ticketIds);
  if (deps.redactSlack && scope.ticketIds.length) await deps.redactSlack(tx, await postsOfTickets(tx, scope.ticketIds), mode);
  const incidents = scope.ticketIds.length ? await incidentsOfTickets(tx, scope.ticketIds) : [];
  const counts: Record<string, number> = {};
  for (const place of ERASURE_PLACES) if (place.eraseTickets) counts[place.name] = await place.eraseTickets(tx, scope, mode);
  if (deps.incidentsErased && incidents.length) await deps.incidentsErased(tx, incidents);
  return counts;
}

/** Finishes erasures a crash left running. */
export async function resumeErasures(deps: PrivacyDeps): Promise<number> {
  const running = await runningErasures(deps.db.sql);
  for (const e of running) await workErasure(deps, e.id, e.mode);
  return running.length;
}

/** Everything held about the person, as one JSON document (an access request). */
export async function exportPerson(deps: Pick<PrivacyDeps, 'db'>, subject: Subject): Promise<Record<string, unknown>> {
  return deps.db.transaction(async (tx) => {
    const match = await findSubject(tx, subject);
    const all = { ...match, ticketIds: [...match.ticketIds, ...match.heldTicketIds].sort((a, b) => a - b) };
    const places: Record<string, unknown[]> = {};
    for (const place of ERASURE_PLACES) {
      const rows: unknown[] = [];
      if (place.exportTickets && (all.ticketIds.length || all.messageIds.length)) rows.push(...(await place.exportTickets(tx, scopeOf(all))));
      if (place.exportPerson) rows.push(...(await place.exportPerson(tx, personOf(subject, all))));
      if (place.exportTickets || place.exportPerson) places[place.name] = rows;
    }
    return {
      subject: { kind: subject.kind, value: subject.value },
      exported_at: new Date().toISOString(),
      addresses: match.emails,
      tickets: all.ticketIds,
      held_tickets: match.heldTicketIds,
      places,
    };
  });
}
