/**
 * `npm run seed -- --file tickets.csv --limit 100` loads labelled tickets through the same ingest entry as
 * every door (source "seed", original_queue/original_priority kept). Re-running is safe: each row's
 * external id is a hash of its text, so a row already seeded is a duplicate, not a second ticket.
 * `--hf DATASET` reads rows from the Hugging Face datasets API where the machine can reach it.
 * Seeded tickets are history: their classification posts no Slack alert unless `--alert` is given.
 * On the embedded database the service must be stopped (the data directory is locked while it runs).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseCsvRecords } from '../lib/csv.ts';
import type { InboundMessage } from '../domain/inbound-message.ts';
import { createService } from '../service.ts';
import { CommandError, options, runCommand, UsageError } from './bootstrap.ts';

interface SeedRow {
  subject?: string;
  body?: string;
  queue?: string;
  priority?: string;
  language?: string;
  tags?: string;
}

/** An input that cannot be read (exit code 1; wrong arguments are 2). */
function fail(message: string): never {
  throw new CommandError(message);
}

async function fromHuggingFace(dataset: string, split: string, max: number): Promise<SeedRow[]> {
  const rows: SeedRow[] = [];
  const pageSize = 100;
  for (let offset = 0; rows.length < max; offset += pageSize) {
    const url = new URL('https://datasets-server.huggingface.co/rows');
    url.search = new URLSearchParams({ dataset, config: 'default', split, offset: String(offset), length: String(Math.min(pageSize, max - rows.length)) }).toString();
    let res: Response;
    try {
      res = await fetch(url, { signal: AbortSignal.timeout(15_000) });
    } catch (error) {
      fail(`cannot reach the Hugging Face datasets API (${(error as Error).message}); download the CSV elsewhere and use --file`);
    }
    if (!res.ok) fail(`Hugging Face answered ${res.status} for ${dataset}: ${(await res.text()).slice(0, 200)}`);
    const page = (await res.json()) as { rows?: { row: SeedRow }[] };
    if (!page.rows?.length) break;
    rows.push(...page.rows.map((r) => r.row));
  }
  return rows;
}

function fromFile(path: string): SeedRow[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    fail(`cannot read ${path}: ${(error as Error).message}`);
  }
  const records = parseCsvRecords(text);
  if (records.length && !('body' in records[0]!)) fail(`${path} has no "body" column (expected the columns of shared/data/tickets-train.csv)`);
  return records;
}

function toMessage(row: SeedRow): InboundMessage | null {
  const body = row.body?.trim();
  if (!body) return null;
  return {
    source: 'seed',
    externalId: createHash('sha256').update(`${row.subject ?? ''}\n${body}`).digest('hex').slice(0, 40),
    subject: row.subject,
    body,
    originalQueue: row.queue,
    originalPriority: row.priority,
    tags: row.tags ? row.tags.split('|').map((t) => t.trim()).filter(Boolean) : [],
    metadata: row.language ? { dataset_language: row.language } : undefined,
  };
}

/** What the run did, in plain lines; jobs are mentioned only when tickets were created (a rerun queues none). */
function seedSummary(counts: { created: number; duplicate: number; followup: number; skipped: number }, alert: boolean): string {
  const parts = [`${counts.created} created`, `${counts.duplicate} already present`];
  if (counts.followup) parts.push(`${counts.followup} added to an existing ticket as follow-ups`);
  if (counts.skipped) parts.push(`${counts.skipped} rows without a body skipped`);
  const lines = [`seeded: ${parts.join(', ')}`];
  if (counts.created) {
    lines.push(
      `${counts.created} classification ${counts.created === 1 ? 'job' : 'jobs'} queued: the service classifies them when it runs (npm start)` +
        (alert ? ' and alerts Slack for each' : '; no Slack alerts for them (--alert to send them)'),
    );
  } else {
    lines.push('nothing new to classify');
  }
  return lines.join('\n');
}

const parseOptions = options({
  file: { type: 'string' },
  hf: { type: 'string' },
  split: { type: 'string', default: 'train' },
  limit: { type: 'string' },
  alert: { type: 'boolean', default: false },
});

function parse(argv: string[]) {
  const { values } = parseOptions(argv);
  const limit = values.limit === undefined ? Infinity : Number(values.limit);
  if (values.limit !== undefined && !Number.isSafeInteger(limit)) throw new UsageError('--limit must be a whole number');
  if (limit <= 0) throw new UsageError('--limit must be at least 1');
  if (!values.file === !values.hf) throw new UsageError('give exactly one of --file PATH or --hf DATASET');
  return { ...values, limit };
}

await runCommand({
  name: 'seed',
  usage: 'npm run seed -- (--file PATH | --hf DATASET [--split train]) [--limit N] [--alert]',
  plainOutput: true,
  parse,
  async run(values, ctx) {
    const { limit } = values;
    const config = ctx.config();
    const rows = values.hf ? await fromHuggingFace(values.hf, values.split, limit === Infinity ? 1000 : limit) : fromFile(values.file!);
    const service = await createService(config, { logger: ctx.logger() });
    const counts = { created: 0, duplicate: 0, followup: 0, skipped: 0 };
    try {
      for (const row of rows.slice(0, limit === Infinity ? undefined : limit)) {
        const msg = toMessage(row);
        if (!msg) {
          counts.skipped++;
          continue;
        }
        counts[(await service.ingest(msg, { alert: values.alert })).outcome]++;
      }
    } finally {
      await service.stop();
    }
    console.log(seedSummary(counts, values.alert));
  },
});
