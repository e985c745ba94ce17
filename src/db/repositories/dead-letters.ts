/**
 * Dead letters: jobs that exhausted their retries wait in "<queue>.dead" (pg-boss copies them there, and the
 * alert worker parks alerts there itself). An operator lists them and, once the cause is fixed, replays them:
 * each replay moves a job back to its queue in one transaction (delete from the dead queue + send), so two
 * replays at once, or a crash half-way, never run it twice or lose it. The handler's own guards (the
 * slack_posts claim, "classify only when not classified") still hold for the replayed run.
 */
import { fromKysely } from 'pg-boss';
import type { Sql } from '../sql.ts';
import type { JobQueue } from '../queue.ts';

export const DEAD_SUFFIX = '.dead';

export interface DeadLetter {
  id: string;
  /** The queue the job failed on (where a replay sends it). */
  queue: string;
  data: Record<string, unknown>;
  /** Why it failed last, when the failure recorded it. */
  error: string | null;
  /** When it was parked. */
  deadSince: Date;
}

export interface ReplayRequest {
  queue?: string;
  /** Only these dead-letter ids; without it, every dead letter (of `queue`, when given). */
  ids?: string[];
}

export class UnknownQueueError extends Error {
  readonly queue: string;
  readonly known: string[];
  constructor(queue: string, known: string[]) {
    super(`no dead-letter queue for "${queue}" (known: ${known.join(', ') || 'none'})`);
    this.name = 'UnknownQueueError';
    this.queue = queue;
    this.known = known;
  }
}

type Transaction = <T>(fn: (tx: Sql) => Promise<T>) => Promise<T>;

/** More than this many waiting in one queue is reported as this many (a listing is for reading, not a dump). */
export const LIST_LIMIT = 1000;

/** Retry bookkeeping that handlers keep in a job's data: a replayed job starts with a fresh budget. */
const BOOKKEEPING = ['attempt', 'error'];

export function createDeadLetters(queue: JobQueue, transaction: Transaction) {
  const sourceQueues = async (): Promise<string[]> => {
    const queues = await queue.boss.getQueues();
    const names = new Set(queues.map((q) => q.name));
    return queues
      .map((q) => q.name)
      .filter((n) => n.endsWith(DEAD_SUFFIX) && names.has(n.slice(0, -DEAD_SUFFIX.length)))
      .map((n) => n.slice(0, -DEAD_SUFFIX.length))
      .sort();
  };

  const pick = async (name: string | undefined): Promise<string[]> => {
    const all = await sourceQueues();
    if (name === undefined) return all;
    if (!all.includes(name)) throw new UnknownQueueError(name, all);
    return [name];
  };

  const list = async (name?: string): Promise<DeadLetter[]> => {
    const out: DeadLetter[] = [];
    for (const source of await pick(name)) {
      const jobs = await queue.boss.findJobs<Record<string, unknown>>(source + DEAD_SUFFIX, { queued: true, limit: LIST_LIMIT });
      for (const job of jobs) {
        const data = (job.data ?? {}) as Record<string, unknown>;
        // Alerts park their error in the data; pg-boss keeps it on the failed original job (while retained).
        let error = typeof data.error === 'string' ? data.error : null;
        if (error === null && job.sourceId) {
          const [original] = await queue.boss.findJobs(source, { id: job.sourceId, limit: 1 });
          const output = original?.output as { message?: unknown; value?: { message?: unknown } } | null | undefined;
          const message = output?.message ?? output?.value?.message;
          error = typeof message === 'string' ? message : null;
        }
        out.push({ id: job.id, queue: source, data, error, deadSince: new Date(job.createdOn) });
      }
    }
    return out;
  };

  const choose = async (request: ReplayRequest): Promise<DeadLetter[]> => {
    const wanted = request.ids ? new Set(request.ids) : undefined;
    return (await list(request.queue)).filter((d) => !wanted || wanted.has(d.id));
  };

  return {
    /** The queues that have a dead-letter queue, with how many jobs wait in each. */
    async counts(): Promise<Record<string, number>> {
      const counts: Record<string, number> = {};
      for (const source of await sourceQueues()) {
        counts[source] = (await queue.boss.findJobs(source + DEAD_SUFFIX, { queued: true, limit: LIST_LIMIT })).length;
      }
      return counts;
    },
    list,
    /** Moves the chosen dead letters back to their queues; resolves with the ones this call moved. */
    async replay(request: ReplayRequest): Promise<DeadLetter[]> {
      const chosen = await choose(request);
      const moved: DeadLetter[] = [];
      for (const d of chosen) {
        const done = await transaction(async (tx) => {
          const db = fromKysely(tx.kysely);
          const removed = (await queue.boss.deleteJob(d.queue + DEAD_SUFFIX, d.id, { db })) as { affected?: number };
          // Someone else replayed (or deleted) it between our read and now: theirs is the one that runs.
          if (removed.affected !== 1) return false;
          const data = Object.fromEntries(Object.entries(d.data).filter(([k]) => !BOOKKEEPING.includes(k)));
          await queue.send(d.queue, data, {}, tx);
          return true;
        });
        if (done) moved.push(d);
      }
      return moved;
    },
    /**
     * Deletes the chosen dead letters for good (their cause will not be fixed, or they were handled by hand);
     * resolves with the ones this call deleted. One deleted meanwhile by another replay or discard is not counted.
     */
    async discard(request: ReplayRequest): Promise<DeadLetter[]> {
      const gone: DeadLetter[] = [];
      for (const d of await choose(request)) {
        const removed = (await queue.boss.deleteJob(d.queue + DEAD_SUFFIX, d.id)) as { affected?: number };
        if (removed.affected === 1) gone.push(d);
      }
      return gone;
    },
  };
}

export type DeadLetters = ReturnType<typeof createDeadLetters>;
