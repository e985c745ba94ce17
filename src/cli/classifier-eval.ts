/**
 * npm run classifier:eval [-- --file labelled.csv] [--threshold 0.6] [--model dir] [--learning-curve]
 * Without --file: the held-out split of the training file (never trained on). With --file: every row of
 * that file except rows the model was trained on. The keyword baseline runs on the same rows. A clone
 * without the training file beside it needs --file.
 */
import { existsSync } from 'node:fs';
import { loadModel, DEFAULT_MODEL_DIR, ModelLoadError } from '../classify/local/artifact.ts';
import { DatasetError, DEFAULT_TRAIN_FILE, defaultTrainFile, LABELLED_FILE_COLUMNS, loadExamples, splitHeldOut, type Example } from '../classify/local/dataset.ts';
import { formatReport, runKeyword, runLocal } from '../classify/local/evaluation.ts';
import { accuracy, coverageAt } from '../classify/local/evaluation-metrics.ts';
import { LocalClassifier } from '../classify/local/local-classifier.ts';
import { trainModels } from '../classify/local/training.ts';
import { CsvError } from '../lib/csv.ts';
import { type CommandContext, options, runCommand, UsageError } from './bootstrap.ts';

const parseOptions = options({
  file: { type: 'string' },
  threshold: { type: 'string' },
  model: { type: 'string', default: DEFAULT_MODEL_DIR },
  'learning-curve': { type: 'boolean', default: false },
});

function parse(argv: string[]) {
  const { values } = parseOptions(argv);
  const threshold = values.threshold === undefined ? undefined : Number(values.threshold);
  if (threshold !== undefined && (values.threshold!.trim() === '' || !Number.isFinite(threshold) || threshold < 0 || threshold > 1)) {
    throw new UsageError('--threshold must be a number from 0 to 1');
  }
  return { ...values, threshold };
}

async function evaluate(values: ReturnType<typeof parse>, ctx: CommandContext): Promise<void> {
  let rows: Example[];
  if (values.file === undefined) {
    const file = defaultTrainFile();
    rows = splitHeldOut(loadExamples(file)).heldOut;
    console.log(`held-out split of ${file}`);
  } else {
    const all = loadExamples(values.file);
    const trained = new Set(existsSync(DEFAULT_TRAIN_FILE) ? splitHeldOut(loadExamples(DEFAULT_TRAIN_FILE)).train.map((e) => `${e.subject}\u0000${e.body}`) : []);
    rows = all.filter((e) => !trained.has(`${e.subject}\u0000${e.body}`));
    console.log(`${values.file}${rows.length < all.length ? ` (${all.length - rows.length} rows skipped: the model was trained on them)` : ''}`);
  }
  // Without --threshold: the service's own (CLASSIFIER_MIN_CONFIDENCE), so the report matches what it does.
  const t = values.threshold ?? ctx.config().classifier.minConfidence;
  const model = new LocalClassifier(loadModel(values.model));
  const local = runLocal(model, rows);
  console.log(formatReport([local.category, runKeyword(rows)], t));
  console.log('');
  console.log(`priority (${model.modelName}, n=${local.priority.rows.length}): accuracy ${(accuracy(local.priority.rows) * 100).toFixed(1)}%`);

  if (values['learning-curve']) {
    // Train on growing shares of the training split; always scored on the same held-out rows.
    const { train, heldOut } = splitHeldOut(loadExamples(defaultTrainFile()));
    console.log('\nlearning curve (train rows: held-out accuracy, en, de, accuracy/coverage at threshold):');
    for (const share of [0.1, 0.25, 0.5, 0.75, 1]) {
      const subset = train.slice(0, Math.round(train.length * share));
      const m = trainModels(subset);
      const clf = new LocalClassifier({
        meta: { format: 1, name: `curve-${share}`, method: 'nb', features: m.features, category: null!, priority: null!, trainedAt: '', training: {} },
        features: m.features,
        category: m.category,
        priority: m.priority,
      });
      const r = runLocal(clf, heldOut).category.rows;
      const lang = (l: string) => accuracy(r.filter((x) => x.language === l));
      const c = coverageAt(r, t);
      console.log(
        `  ${String(subset.length).padStart(5)}: ${(accuracy(r) * 100).toFixed(1)}%  en ${(lang('en') * 100).toFixed(1)}%  de ${(lang('de') * 100).toFixed(1)}%  ` +
          `${(c.accuracy * 100).toFixed(1)}% / ${(c.coverage * 100).toFixed(1)}%`,
      );
    }
  }
}

await runCommand({
  name: 'classifier:eval',
  usage: `npm run classifier:eval [-- --file labelled.csv] [--threshold 0.6] [--model DIR] [--learning-curve]; labelled.csv: ${LABELLED_FILE_COLUMNS}`,
  parse,
  async run(values, ctx) {
    try {
      await evaluate(values, ctx);
    } catch (err) {
      // Bad input files and a missing model are the user's to fix: say what is wrong, no stack trace.
      if (err instanceof CsvError || err instanceof DatasetError || err instanceof ModelLoadError || (err as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new UsageError((err as Error).message);
      }
      throw err;
    }
  },
});
