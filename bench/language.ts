/**
 * Language detection accuracy by text length, against the labelled file's `language` column.
 *   node bench/language.ts [--file tickets.csv] [--candidates a,b,...]
 * Without --file: ../shared/data/tickets-train.csv when present (the project's checkout), else it says so and
 * exits 0 with nothing measured. Each row gives several texts: its subject, and its body cut at a word boundary
 * before 20, 50, 100 and 200 characters and whole; each text counts in the bucket of its own length. Each
 * candidate runs in its own process, so "memory" is the resident memory its import and first call add.
 * Candidates whose package is not installed are listed as such (the comparison in docs/benchmarks/language.md
 * installed them in a scratch directory). Prints Markdown.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DEFAULT_TRAIN_FILE, loadExamples } from '../src/classify/local/dataset.ts';

type Detect = (text: string) => string;

/** The languages the service expects (training data plus European neighbours), ISO 639-1. */
const LIKELY = ['en', 'de', 'es', 'fr', 'pt', 'it', 'nl', 'pl', 'sv', 'da', 'fi', 'cs', 'tr', 'ru'];
const ISO3: Record<string, string> = {
  eng: 'en', deu: 'de', spa: 'es', fra: 'fr', por: 'pt', ita: 'it', nld: 'nl', pol: 'pl', swe: 'sv', dan: 'da',
  fin: 'fi', ces: 'cs', tur: 'tr', rus: 'ru',
};

/** Each candidate: how to load it and turn its answer into ISO 639-1 ('und' when it has none). */
const CANDIDATES: Record<string, () => Promise<Detect>> = {
  'service (eld extrasmall 14)': async () => (await import('../src/classify/language.ts')).detectLanguage,
  'franc-min 14': async () => {
    const { franc } = await import(String('franc-min'));
    return (t) => ISO3[franc(t, { only: Object.keys(ISO3), minLength: 3 })] ?? 'und';
  },
  'franc 14': async () => {
    const { franc } = await import(String('franc'));
    return (t) => ISO3[franc(t, { only: Object.keys(ISO3), minLength: 3 })] ?? 'und';
  },
  'tinyld light': async () => {
    const { detect } = await import(String('tinyld/light'));
    return (t) => detect(t) || 'und';
  },
  'tinyld light 14': async () => {
    const { detect } = await import(String('tinyld/light'));
    return (t) => detect(t, { only: LIKELY }) || 'und';
  },
  'eld small 14': async () => {
    const { eld } = await import(String('eld/small'));
    eld.setLanguageSubset(LIKELY);
    return (t) => eld.detect(t).language || 'und';
  },
  'eld medium 14': async () => {
    const { eld } = await import(String('eld/medium'));
    eld.setLanguageSubset(LIKELY);
    return (t) => eld.detect(t).language || 'und';
  },
  'eld large 14': async () => {
    const { eld } = await import(String('eld/large'));
    eld.setLanguageSubset(LIKELY);
    return (t) => eld.detect(t).language || 'und';
  },
  lande: async () => {
    const { default: lande } = await import(String('lande'));
    return (t) => ISO3[lande(t)[0]?.[0]] ?? 'und';
  },
};

const BUCKETS = [
  { label: '< 20', max: 20 },
  { label: '20–49', max: 50 },
  { label: '50–99', max: 100 },
  { label: '100–199', max: 200 },
  { label: '≥ 200', max: Infinity },
];

/** The text up to the last space before `max` characters ('' when there is none). */
function cut(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length < max) return flat;
  const end = flat.lastIndexOf(' ', max - 1);
  return end > 0 ? flat.slice(0, end) : '';
}

function samples(file: string): { text: string; language: string }[] {
  const out: { text: string; language: string }[] = [];
  for (const e of loadExamples(file)) {
    if (!e.language) continue;
    const texts = new Set([e.subject.trim(), ...[20, 50, 100, 200].map((n) => cut(e.body, n)), e.body.replace(/\s+/g, ' ').trim()]);
    for (const text of texts) if (text.length >= 3) out.push({ text, language: e.language });
  }
  return out;
}

interface Result {
  name: string;
  installed: boolean;
  rows?: { bucket: string; n: number; right: number }[];
  perSecond?: number;
  memoryMb?: number;
}

async function measure(name: string, file: string): Promise<Result> {
  const rows = samples(file);
  const before = process.memoryUsage.rss();
  let detect: Detect;
  try {
    detect = await CANDIDATES[name]!();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND') return { name, installed: false };
    throw error;
  }
  detect('warm up');
  const memoryMb = (process.memoryUsage.rss() - before) / 2 ** 20;
  const counts = BUCKETS.map((b) => ({ bucket: b.label, n: 0, right: 0 }));
  const started = performance.now();
  for (const { text, language } of rows) {
    const c = counts[BUCKETS.findIndex((b) => text.length < b.max)]!;
    c.n++;
    if (detect(text.slice(0, 200)) === language) c.right++;
  }
  const perSecond = rows.length / ((performance.now() - started) / 1000);
  return { name, installed: true, rows: counts, perSecond, memoryMb };
}

const { values } = parseArgs({ options: { file: { type: 'string' }, candidates: { type: 'string' }, candidate: { type: 'string' } } });
const file = values.file ?? DEFAULT_TRAIN_FILE;

if (values.candidate) {
  // Child mode: one candidate, one JSON line.
  console.log(JSON.stringify(await measure(values.candidate, file)));
} else if (!existsSync(file)) {
  console.log(`No labelled file at ${file}: nothing measured. Give one with --file PATH (a CSV with body and language columns).`);
} else {
  const names = values.candidates ? values.candidates.split(',') : Object.keys(CANDIDATES);
  const unknown = names.filter((n) => !(n in CANDIDATES));
  if (unknown.length) throw new Error(`unknown candidates: ${unknown.join(', ')} (known: ${Object.keys(CANDIDATES).join(', ')})`);
  const results: Result[] = names.map((name) => {
    const child = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--candidate', name, '--file', file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
    if (child.status !== 0) throw new Error(`candidate ${name} failed (exit ${child.status})`);
    return JSON.parse(child.stdout.trim().split('\n').at(-1)!) as Result;
  });
  const measured = results.filter((r) => r.installed);
  const n = measured[0]?.rows?.map((r) => r.n) ?? [];
  const pct = (right: number, total: number) => `${((right / total) * 100).toFixed(1)}%`;
  console.log(`Texts from ${file}: per row its subject and its body cut before 20/50/100/200 characters and whole (first 200 characters detected).\n`);
  console.log(`| detector | ${BUCKETS.map((b, i) => `${b.label} (n=${n[i]})`).join(' | ')} | all | texts/s | memory |`);
  console.log(`|---|${BUCKETS.map(() => '---:').join('|')}|---:|---:|---:|`);
  for (const r of measured) {
    const all = r.rows!.reduce((a, x) => ({ n: a.n + x.n, right: a.right + x.right }), { n: 0, right: 0 });
    console.log(`| ${r.name} | ${r.rows!.map((x) => pct(x.right, x.n)).join(' | ')} | ${pct(all.right, all.n)} | ${Math.round(r.perSecond!)} | +${Math.round(r.memoryMb!)} MB |`);
  }
  const missing = results.filter((r) => !r.installed).map((r) => r.name);
  if (missing.length) console.log(`\nNot installed here (compared in docs/benchmarks/language.md): ${missing.join(', ')}.`);
}
