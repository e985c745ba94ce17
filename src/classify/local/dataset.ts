/**
 * The labelled ticket file (shape of shared/data/tickets-train.csv) as examples, the original
 * service's queue -> category rule, and the deterministic held-out split.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Category, Priority } from '../../domain/categories.ts';
import { normalizePriority } from '../../domain/categories.ts';
import { parseCsvRecords } from '../../lib/csv.ts';

export interface Example {
  subject: string;
  body: string;
  category: Category;
  priority: Priority | undefined;
  /** the language the file states, when it states one */
  language: string | undefined;
}

/** The training file beside the repository (../shared/data), resolved from this file's location. */
export const DEFAULT_TRAIN_FILE = fileURLToPath(new URL('../../../../shared/data/tickets-train.csv', import.meta.url));

/** The original service's mapping from a helpdesk queue to our three categories. */
export function categoryFromQueue(queue: string): Category {
  const q = queue.toLowerCase();
  if (q.includes('technical') || q.includes('it support')) return 'technical';
  if (q.includes('billing') || q.includes('payment')) return 'billing';
  return 'general';
}

export class DatasetError extends Error {
  override name = 'DatasetError';
}

/** Rows need `body` and either `category` or `queue`; `subject`, `priority`, `language` are optional. */
export function examplesFromCsv(text: string): Example[] {
  const records = parseCsvRecords(text);
  return records.map((r, i) => {
    const body = r.body ?? r.text ?? '';
    if (body.trim() === '') throw new DatasetError(`row ${i + 1}: empty body`);
    let category: Category;
    if (r.category !== undefined && r.category !== '') {
      const c = r.category.trim().toLowerCase();
      if (c !== 'technical' && c !== 'billing' && c !== 'general') {
        throw new DatasetError(`row ${i + 1}: category "${r.category}" is not technical, billing or general`);
      }
      category = c;
    } else if (r.queue !== undefined) {
      category = categoryFromQueue(r.queue);
    } else {
      throw new DatasetError(`row ${i + 1}: needs a category or a queue column`);
    }
    return {
      subject: r.subject ?? '',
      body,
      category,
      priority: normalizePriority(r.priority),
      language: r.language?.trim() || undefined,
    };
  });
}

/** What a labelled file needs, for the messages that ask a user for one. */
export const LABELLED_FILE_COLUMNS =
  'a CSV with a header row: body, and category (technical, billing or general) or queue; subject, priority and language optional';

/**
 * The training file when this checkout has it beside the repository (the project's own). A user's clone does
 * not: the bundled model works without it, and training or evaluating needs their own labelled tickets.
 */
export function defaultTrainFile(): string {
  if (existsSync(DEFAULT_TRAIN_FILE)) return DEFAULT_TRAIN_FILE;
  throw new DatasetError(`needs --file PATH: ${LABELLED_FILE_COLUMNS} (for example your own tickets exported from your helpdesk)`);
}

export function loadExamples(file: string): Example[] {
  return examplesFromCsv(readFileSync(file, 'utf8'));
}

/** A stable number in [0, 1) from the ticket text: same ticket, same split, on every machine. */
export function textBucket(e: Pick<Example, 'subject' | 'body'>, salt = ''): number {
  const digest = createHash('sha256').update(salt).update(e.subject).update('\u0000').update(e.body).digest();
  return digest.readUInt32BE(0) / 2 ** 32;
}

/** The held-out evaluation fraction. Training never sees these rows. */
export const EVAL_FRACTION = 0.2;

export function isHeldOut(e: Pick<Example, 'subject' | 'body'>): boolean {
  return textBucket(e) < EVAL_FRACTION;
}

export function splitHeldOut<T extends Pick<Example, 'subject' | 'body'>>(rows: T[]): { train: T[]; heldOut: T[] } {
  const train: T[] = [];
  const heldOut: T[] = [];
  for (const r of rows) (isHeldOut(r) ? heldOut : train).push(r);
  return { train, heldOut };
}
