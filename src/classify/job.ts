/**
 * The background job that classifies tickets. It reads the tickets of a batch, asks the classifier for each,
 * and stores every result as history plus the current one on the ticket — in one transaction that also runs
 * ticketEvents.ticketClassified (src/ingest/ticket-events.ts: Slack enqueues the alert there). Before it, a
 * short transaction of its own groups new tickets into incidents (groupFirstVerdicts). A human
 * classification is never overwritten, nor is text that changed while the classifier worked: an erased or
 * deleted ticket gets no verdict, an edited one is classified again.
 */
import type { Logger } from 'pino';
import type { Database } from '../db/database.ts';
import { insertAutomaticVerdicts } from '../db/repositories/classifications.ts';
import { lockTicketsAsRead, setCurrentClassifications, ticketsToClassify } from '../db/repositories/classify-tickets.ts';
import { classifiedPriority, isLowConfidence } from '../domain/ticket.ts';
import { isCategory } from '../domain/categories.ts';
import type { ClassificationResult, Classifier } from '../domain/classification.ts';
import { CLASSIFY_QUEUE } from '../db/queue-registry.ts';
import type { TicketEvents } from '../ingest/ticket-events.ts';
import { groupIntoIncidents, type IncidentVerdict } from '../ingest/incident-grouping.ts';
import type { Category } from '../domain/categories.ts';
import type { IncidentSettings } from '../config/incidents.ts';
import type { RecentSignatures } from '../ingest/recent-signatures.ts';
import { mapLimit } from '../lib/map-limit.ts';
import type { JobQueue, QueueJob } from '../db/queue.ts';

export interface ClassifyJobData {
  /** One ticket (single ingest, forced reclassification) ... */
  ticketId?: number;
  /** ... or the tickets of one group commit. */
  ticketIds?: number[];
  /** Classify again even when an automatic classification exists (a human one still wins). */
  force?: boolean;
  /** false: ticketClassified is told not to alert (seeded history). Absent: alert. */
  alert?: boolean;
}

export interface ClassifyJobDeps {
  db: Database;
  queue: JobQueue;
  ticketEvents: TicketEvents;
  classifier: Classifier;
  logger: Logger;
  /** Below it a ticket is marked low_confidence (and its alert goes to triage). */
  minConfidence: number;
  /** Floods of similar tickets become incidents (src/ingest/incident-grouping.ts); undefined: off. */
  incidents?: { settings: IncidentSettings; recent: RecentSignatures };
  /** Each result, once its batch is committed (metrics). */
  onResult?: (result: ClassificationResult) => void;
}

export async function startClassifyWorker(deps: ClassifyJobDeps, options: { concurrency: number }): Promise<void> {
  await deps.queue.workBatch<ClassifyJobData>(
    CLASSIFY_QUEUE,
    { batchSize: 50, concurrency: options.concurrency, pollingIntervalSeconds: 0.5 },
    (jobs) => classifyBatch(deps, jobs),
  );
}

export async function classifyBatch(deps: ClassifyJobDeps, jobs: QueueJob<ClassifyJobData>[]): Promise<void> {
  const { db, classifier, ticketEvents } = deps;
  const idsOf = (data: ClassifyJobData) => data.ticketIds ?? (data.ticketId === undefined ? [] : [data.ticketId]);
  const force = new Set(jobs.filter((j) => j.data.force).flatMap((j) => idsOf(j.data)));
  const ids = [...new Set(jobs.flatMap((j) => idsOf(j.data)))];
  // A ticket in any job that may alert does alert; only tickets every job marks quiet stay quiet.
  const alerting = new Set(jobs.filter((j) => j.data.alert !== false).flatMap((j) => idsOf(j.data)));
  const tickets = await ticketsToClassify(db.sql, ids);
  const todo = tickets.filter((t) => t.classifier !== 'human' && (t.current_classification_id === null || force.has(t.id)));
  if (!todo.length) return;

  // A batch may be 50 tickets; an LLM behind the classifier should not see 50 calls at once.
  const results = await mapLimit(todo, 8, (t) => classifier.classify({ subject: t.subject, body: t.body }));
  const verdicts = todo.map((t, i) => ({ t, r: results[i]!, ...finalCategory(deps, t, results[i]!) }));
  const incidents = await groupFirstVerdicts(deps, verdicts.filter(({ t }) => t.current_classification_id === null && alerting.has(t.id)));

  await db.transaction(async (tx) => {
    // The classifier took its time: a Slack edit may have replaced the text, an erasure erased it.
    const since = await lockTicketsAsRead(tx, todo);
    for (const t of todo.filter((t) => since.get(t.id) === 'changed')) {
      await deps.queue.send(CLASSIFY_QUEUE, { ticketId: t.id, ...(force.has(t.id) ? { force: true } : {}), ...(alerting.has(t.id) ? {} : { alert: false }) }, {}, tx);
    }
    const kept = verdicts.filter(({ t }) => since.get(t.id) === 'unchanged');
    if (!kept.length) return;
    const historyId = await insertAutomaticVerdicts(
      tx,
      kept.map(({ t, r }) => {
        return {
          ticketId: t.id, category: r.category, confidence: clamp01(r.confidence), summary: r.summary.slice(0, 500), language: r.language,
          priority: r.priority, modelName: r.modelName, classifier: r.classifier, processingTimeMs: Math.round(r.processingTimeMs),
        };
      }),
    );
    const updated = await setCurrentClassifications(
      tx,
      kept.map(({ t, r, category, confidence, lowConfidence }) => ({
        ticketId: t.id, category, confidence, summary: r.summary.slice(0, 500), language: r.language,
        priority: classifiedPriority(t.priority, r.priority), classifier: r.classifier, historyId: historyId.get(t.id)!,
        lowConfidence,
      })),
    );
    for (const id of updated) {
      const incident = incidents.get(id);
      await ticketEvents.ticketClassified(tx, id, !alerting.has(id) ? { alert: false } : incident ? { incident } : {});
    }
  });
  for (const r of results) deps.onResult?.(r);
}

type ToClassify = Awaited<ReturnType<typeof ticketsToClassify>>[number];

/** The category the ticket gets: the classifier's, unless it is unsure and the mailbox has one of its own. */
function finalCategory(deps: Pick<ClassifyJobDeps, 'minConfidence'>, t: ToClassify, r: ClassificationResult) {
  const confidence = clamp01(r.confidence);
  // A classifier that is not sure does not beat the mailbox's own category (billing@ mail is billing);
  // the history keeps what the classifier said, and the ticket stays marked low-confidence.
  const lowConfidence = isLowConfidence({ confidence, classifier: r.classifier }, deps.minConfidence);
  const category = lowConfidence && isCategory(t.default_category) ? t.default_category : r.category;
  return { category, confidence, lowConfidence };
}

/**
 * Floods become incidents (src/ingest/incident-grouping.ts), decided for the tickets' first verdicts in a short
 * transaction of its own before the verdicts are stored: grouping holds its category's lock until it commits,
 * and held through the verdicts' transaction (its ticket events, one per ticket) it made every classify worker
 * wait for it (lag 0.5 s → 5 s in an identical flood). Tickets whose text changed or went meanwhile are left out;
 * if storing the verdicts then fails, the job runs again and each ticket grouped before gets the verdict it
 * had (src/ingest/incident-grouping.ts).
 */
async function groupFirstVerdicts(deps: ClassifyJobDeps, first: { t: ToClassify; category: string }[]): Promise<Map<number, IncidentVerdict>> {
  if (!deps.incidents || !first.length) return new Map();
  const { settings, recent } = deps.incidents;
  return deps.db.transaction(async (tx) => {
    const since = await lockTicketsAsRead(tx, first.map(({ t }) => t));
    const grouped = first
      .filter(({ t, category }) => since.get(t.id) === 'unchanged' && isCategory(category))
      .map(({ t, category }) => ({ id: t.id, category: category as Category, subject: t.subject, body: t.body }));
    return grouped.length ? groupIntoIncidents(tx, settings, grouped, recent) : new Map<number, IncidentVerdict>();
  });
}

const clamp01 = (n: number) => (Number.isFinite(n) ? Math.min(1, Math.max(0, n)) : 0);
