/**
 * The background job that classifies tickets. It reads the tickets of a batch, asks the classifier for each,
 * and stores every result as history plus the current one on the ticket — in one transaction that also runs
 * ticketEvents.ticketClassified (src/ingest/ticket-events.ts: Slack enqueues the alert there). A human
 * classification is never overwritten.
 */
import type { Logger } from 'pino';
import type { Database } from '../db/database.ts';
import { PRIORITIES, type Priority } from '../domain/categories.ts';
import type { ClassificationResult, Classifier } from '../domain/classification.ts';
import { CLASSIFY_QUEUE } from '../ingest/ingest.ts';
import type { TicketEvents } from '../ingest/ticket-events.ts';
import { mapLimit } from '../lib/map-limit.ts';
import type { JobQueue, QueueJob } from '../lib/queue.ts';

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
  /** Each result, once its batch is committed (metrics). */
  onResult?: (result: ClassificationResult) => void;
}

interface TicketRow {
  id: number;
  subject: string | null;
  body: string;
  priority: Priority | null;
  classifier: string | null;
  current_classification_id: number | null;
}

const rank = (p: Priority | null) => (p ? PRIORITIES.indexOf(p) : -1);

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
  const tickets = await db.sql.query<TicketRow>(
    `select id, subject, body, priority, classifier, current_classification_id
       from tickets where id = any($1::int[]) and deleted_at is null`,
    [ids],
  );
  const todo = tickets.filter((t) => t.classifier !== 'human' && (t.current_classification_id === null || force.has(t.id)));
  if (!todo.length) return;

  // A batch may be 50 tickets; an LLM behind the classifier should not see 50 calls at once.
  const results = await mapLimit(todo, 8, (t) => classifier.classify({ subject: t.subject, body: t.body }));

  await db.transaction(async (tx) => {
    const inserted = await tx.query<{ id: number; ticket_id: number }>(
      `insert into classifications (ticket_id, category, confidence, summary, language, priority, model_name, classifier, processing_time_ms)
       select * from unnest($1::int[], $2::text[], $3::float8[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::int[])
       returning id, ticket_id`,
      [
        todo.map((t) => t.id), results.map((r) => r.category), results.map((r) => clamp01(r.confidence)),
        results.map((r) => r.summary.slice(0, 500)), results.map((r) => r.language), results.map((r) => r.priority),
        results.map((r) => r.modelName), results.map((r) => r.classifier), results.map((r) => Math.round(r.processingTimeMs)),
      ],
    );
    const historyId = new Map(inserted.map((r) => [r.ticket_id, r.id]));
    // The classifier may raise a priority the source stated, never lower it.
    const priorities = todo.map((t, i) => (rank(results[i]!.priority) > rank(t.priority) ? results[i]!.priority : t.priority));
    const updated = await tx.query<{ id: number }>(
      `update tickets t set category = u.category, confidence = u.confidence, summary = u.summary, language = u.language,
              priority = u.priority, classifier = u.classifier, current_classification_id = u.history_id,
              low_confidence = u.confidence < $9::float8,
              status = case when t.status = 'processing' then 'open' else t.status end, updated_at = now()
         from unnest($1::int[], $2::text[], $3::float8[], $4::text[], $5::text[], $6::text[], $7::text[], $8::int[])
              as u(id, category, confidence, summary, language, priority, classifier, history_id)
        where t.id = u.id and t.classifier is distinct from 'human'
        returning t.id`,
      [
        todo.map((t) => t.id), results.map((r) => r.category), results.map((r) => clamp01(r.confidence)),
        results.map((r) => r.summary.slice(0, 500)), results.map((r) => r.language), priorities,
        results.map((r) => r.classifier), todo.map((t) => historyId.get(t.id)!), deps.minConfidence,
      ],
    );
    for (const row of updated) await ticketEvents.ticketClassified(tx, row.id, alerting.has(row.id) ? {} : { alert: false });
  });
  for (const r of results) deps.onResult?.(r);
}

const clamp01 = (n: number) => (Number.isFinite(n) ? Math.min(1, Math.max(0, n)) : 0);
