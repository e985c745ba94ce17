/**
 * npm run classifier:train [-- --file tickets.csv] [--out dir] [--with-corrections]
 * Trains the local model on the file's rows outside the held-out split and writes the artifact. Without --file:
 * the project's training file beside the repository, or a one-line request for --file where there is none.
 * --with-corrections also learns from agents' corrections stored in the database (DATABASE_URL or PGlite;
 * the embedded database only while the service is stopped: its directory is locked while it runs).
 */
import { saveModel, DEFAULT_MODEL_DIR } from '../classify/local/artifact.ts';
import { DatasetError, defaultTrainFile, LABELLED_FILE_COLUMNS, loadExamples, splitHeldOut, type Example } from '../classify/local/dataset.ts';
import { trainModels } from '../classify/local/training.ts';
import { CsvError } from '../lib/csv.ts';
import { type CommandContext, options, runCommand, UsageError } from './bootstrap.ts';

const parse = options({
  file: { type: 'string' },
  out: { type: 'string', default: DEFAULT_MODEL_DIR },
  'with-corrections': { type: 'boolean', default: false },
});
type Args = ReturnType<typeof parse>['values'];

async function corrections(ctx: CommandContext): Promise<Example[]> {
  // Imported lazily: training from the file alone needs no database, config or ORM.
  const { openDatabase } = await import('../db/database.ts');
  const { loadCorrections } = await import('../classify/local/corrections.ts');
  const config = ctx.config();
  const db = await openDatabase(config.database, ctx.logger());
  try {
    if (config.database.migrateOnStart) await db.migrate();
    const { examples, skippedHeldOut } = await loadCorrections(db.sql);
    console.log(`corrections: ${examples.length} used, ${skippedHeldOut} skipped (held-out split)`);
    return examples;
  } finally {
    await db.close();
  }
}

async function train(values: Args, ctx: CommandContext): Promise<void> {
  const started = performance.now();
  const file = values.file ?? defaultTrainFile();
  const { train, heldOut } = splitHeldOut(loadExamples(file));
  let rows = train;
  if (values['with-corrections']) {
    const { mergeCorrections } = await import('../classify/local/corrections.ts');
    rows = mergeCorrections(train, await corrections(ctx));
  }
  console.log(`training on ${rows.length} rows (${heldOut.length} held out for evaluation) from ${file}`);
  const m = trainModels(rows);
  const date = new Date().toISOString().slice(0, 10);
  const name = `local-nb@${date}.${m.dataHash}`;
  const size = saveModel(
    values.out,
    {
      name,
      method: 'multinomial naive Bayes, hashed word 1-2 grams + char 3-5 grams, temperature-calibrated (5-fold out-of-fold)',
      features: m.features,
      trainedAt: new Date().toISOString(),
      training: { rows: m.counts.rows, heldOut: heldOut.length, byCategory: m.counts.byCategory, byPriority: m.counts.byPriority, withCorrections: values['with-corrections'] },
    },
    m.category,
    m.priority,
  );
  console.log(`wrote ${name} to ${values.out}: model.bin ${(size.binBytes / 1e6).toFixed(2)} MB, model.json ${size.jsonBytes} B`);
  console.log(`temperature: category ${m.category.temperature.toFixed(3)}, priority ${m.priority.temperature.toFixed(3)}; ${Math.round(performance.now() - started)} ms`);
}

await runCommand({
  name: 'classifier:train',
  usage: `npm run classifier:train [-- --file tickets.csv] [--out DIR] [--with-corrections]; tickets.csv: ${LABELLED_FILE_COLUMNS}`,
  parse: (argv) => parse(argv).values,
  async run(values, ctx) {
    try {
      await train(values, ctx);
    } catch (err) {
      // A bad training file is the user's to fix: say what is wrong, no stack trace.
      if (err instanceof CsvError || err instanceof DatasetError || (err as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new UsageError((err as Error).message);
      }
      throw err;
    }
  },
});
