/**
 * The background job that classifies tickets. It reads the tickets of a batch, asks the classifier for each,
 * and stores every result as history plus the current one on the ticket — in one transaction that also runs
 * ticketEvents.ticketClassified (src/ingest/ticket-events.ts: Slack enqueues the alert there). A human
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
import { groupIntoIncidents, type GroupedTicket } from '../ingest/incident-grouping.ts';
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

  await db.transaction(async (tx) => {
    // The classifier took its time: a Slack edit may have replaced the text, an erasure erased it.
    const since = await lockTicketsAsRead(tx, todo);
    for (const t of todo.filter((t) => since.get(t.id) === 'changed')) {
      await deps.queue.send(CLASSIFY_QUEUE, { ticketId: t.id, ...(force.has(t.id) ? { force: true } : {}), ...(alerting.has(t.id) ? {} : { alert: false }) }, {}, tx);
    }
    const kept = todo.map((t, i) => ({ t, r: results[i]! })).filter(({ t }) => since.get(t.id) === 'unchanged');
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
    const current = kept.map(({ t, r }) => {
        const confidence = clamp01(r.confidence);
        // A classifier that is not sure does not beat the mailbox's own category (billing@ mail is billing);
        // the history keeps what the classifier said, and the ticket stays marked low-confidence.
        const lowConfidence = isLowConfidence({ confidence, classifier: r.classifier }, deps.minConfidence);
        const category = lowConfidence && isCategory(t.default_category) ? t.default_category : r.category;
        return {
          ticketId: t.id, category, confidence, summary: r.summary.slice(0, 500), language: r.language,
          priority: classifiedPriority(t.priority, r.priority), classifier: r.classifier, historyId: historyId.get(t.id)!,
          lowConfidence,
        };
      });
    const updated = await setCurrentClassifications(tx, current);
    // Only a ticket's first verdict, and only tickets that alert, can make or join an incident: a
    // reclassification moves no card, and seeded history is nobody's flood.
    const fresh = new Set(kept.filter(({ t }) => t.current_classification_id === null).map(({ t }) => t.id));
    const grouped: GroupedTicket[] = kept
      .map(({ t }, i) => ({ id: t.id, category: current[i]!.category, subject: t.subject, body: t.body }))
      .filter((g) => fresh.has(g.id) && alerting.has(g.id) && updated.includes(g.id) && isCategory(g.category)) as GroupedTicket[];
    const incidents = deps.incidents && grouped.length ? await groupIntoIncidents(tx, deps.incidents.settings, grouped, deps.incidents.recent) : new Map();
    for (const id of updated) {
      const incident = incidents.get(id);
      await ticketEvents.ticketClassified(tx, id, !alerting.has(id) ? { alert: false } : incident ? { incident } : {});
    }
  });
  for (const r of results) deps.onResult?.(r);
}

const clamp01 = (n: number) => (Number.isFinite(n) ? Math.min(1, Math.max(0, n)) : 0);
