/**
 * How to tell a flood of one problem from the day's other tickets (issue 22, "decide by measurement"): a
 * labelled burst built from the ticket set, 300 near-duplicates of one real ticket among 700 other real tickets
 * over 5 minutes, grouped online by three similarity measures at several thresholds; prints precision and recall
 * of the incident (the group holding most near-duplicates) and how many other groups of 3 or more formed.
 *   node bench/incident-grouping.ts [--file tickets.csv] [--seed 7]
 * Without --file: ../shared/data/tickets-train.csv when present, else it says so and exits 0 with nothing measured.
 * The near-duplicates are the seed ticket as customers would each write it: their own greeting, sign-off, name
 * and account number, a sentence left out or moved, words said another way, typos. The grouper: a ticket joins the
 * group of the most similar ticket of the last 10 minutes in its category when the similarity reaches the
 * threshold, else starts its own (single-link, as src/ingest/incident-grouping.ts groups). The MinHash measure is
 * the service's own signature (src/domain/minhash.ts).
 */
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DEFAULT_TRAIN_FILE, type Example, loadExamples } from '../src/classify/local/dataset.ts';
import { minhash, similarity, wordsOf } from '../src/domain/minhash.ts';
import { seededRandom } from './lib.ts';

const { values } = parseArgs({ options: { file: { type: 'string' }, seed: { type: 'string', default: '7' } } });
const file = values.file ?? DEFAULT_TRAIN_FILE;
if (!existsSync(file)) {
  console.log(`No labelled file at ${file}: nothing measured (give --file PATH).`);
  process.exit(0);
}

// The same burst on every run.
const random = seededRandom(Number(values.seed) >>> 0 || 7);
const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)]!;

const all = loadExamples(file).filter((e) => e.body.length > 80);
const english = all.filter((e) => e.language === 'en');
// The seed: an English technical ticket of middling length (a real one, read in place).
const seed = english.filter((e) => e.category === 'technical' && e.body.length > 200 && e.body.length < 500)[Number(values.seed) % 50]!;

const GREETINGS = ['Hi,', 'Hello,', 'Dear Support,', 'Hello team,', 'Good morning,', ''];
const SIGN_OFFS = ['Thanks', 'Best regards', 'Kind regards', 'Thank you', 'Cheers', ''];
const NAMES = ['Ana', 'Ben', 'Chloe', 'Dmitri', 'Eva', 'Farid', 'Grace', 'Hiro', 'Ines', 'Jon', 'Kemal', 'Lena'];
const SAID_OTHERWISE: Record<string, string[]> = {
  cannot: ["can't", 'am unable to', 'could not'], error: ['problem', 'failure', 'issue'], issue: ['problem', 'trouble'],
  please: ['kindly', 'could you'], urgent: ['critical', 'pressing'], experiencing: ['having', 'seeing'], help: ['assist', 'support'],
  system: ['platform', 'service'], access: ['reach', 'open'], data: ['information', 'records'], since: ['from'], now: ['currently'],
};

function nearDuplicate(e: Example): Example {
  let sentences = e.body.split(/(?<=[.!?])\s+/).filter(Boolean);
  if (sentences.length > 2 && random() < 0.4) sentences.splice(Math.floor(random() * sentences.length), 1);
  if (sentences.length > 2 && random() < 0.3) {
    const i = Math.floor(random() * (sentences.length - 1));
    [sentences[i], sentences[i + 1]] = [sentences[i + 1]!, sentences[i]!];
  }
  sentences = sentences.map((s) =>
    s.split(' ').map((w) => {
      const key = w.toLowerCase().replace(/[^a-z]/g, '');
      if (SAID_OTHERWISE[key] && random() < 0.5) return pick(SAID_OTHERWISE[key]);
      if (w.length > 4 && random() < 0.03) {
        const i = 1 + Math.floor(random() * (w.length - 3));
        return w.slice(0, i) + w[i + 1] + w[i] + w.slice(i + 2);
      }
      return w;
    }).join(' '));
  const name = pick(NAMES);
  const body = [pick(GREETINGS), ...sentences, `My account is ACC-${Math.floor(random() * 90000) + 10000}.`, `${pick(SIGN_OFFS)}${random() < 0.5 ? `, ${name}` : ''}`].filter(Boolean).join(' ');
  const subject = random() < 0.3 ? `Re: ${e.subject}` : random() < 0.5 ? e.subject : `${pick(['Urgent: ', 'Help: ', ''])}${e.subject.toLowerCase()}`;
  return { ...e, subject, body };
}

interface Arrival { at: number; text: string; category: string; dupe: boolean }
const others = all.filter((e) => e !== seed).sort(() => random() - 0.5).slice(0, 700);
const burst: Arrival[] = [
  ...Array.from({ length: 300 }, () => nearDuplicate(seed)).map((e) => ({ at: random() * 300_000, text: `${e.subject} ${e.body}`, category: e.category, dupe: true })),
  ...others.map((e) => ({ at: random() * 300_000, text: `${e.subject} ${e.body}`, category: e.category, dupe: false })),
].sort((a, b) => a.at - b.at);

// ---- the measures ----
type Sig = unknown;
interface Measure { name: string; sign(text: string): Sig; similarity(a: Sig, b: Sig): number }

/** pg_trgm's trigrams: lower-case words of letters and digits, each padded with two spaces before and one after. */
function trigrams(text: string): Set<string> {
  const out = new Set<string>();
  for (const word of text.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter(Boolean)) {
    const w = `  ${word} `;
    for (let i = 0; i + 3 <= w.length; i++) out.add(w.slice(i, i + 3));
  }
  return out;
}
const jaccard = (a: Set<string>, b: Set<string>) => {
  let inter = 0;
  for (const x of a) if (b.has(x)) inter++;
  return inter / (a.size + b.size - inter || 1);
};
const words = wordsOf;


const df = new Map<string, number>();
for (const e of all) for (const w of new Set(words(`${e.subject} ${e.body}`))) df.set(w, (df.get(w) ?? 0) + 1);
const idf = (w: string) => Math.log((all.length + 1) / ((df.get(w) ?? 0) + 1));

const MEASURES: Measure[] = [
  { name: 'trigram Jaccard (pg_trgm similarity)', sign: trigrams, similarity: (a, b) => jaccard(a as Set<string>, b as Set<string>) },
  // The service's own signature (src/domain/minhash.ts): what is measured here is what groups incidents.
  { name: 'MinHash of word 3-shingles (64)', sign: (text) => minhash(text), similarity: (a, b) => similarity(a as number[], b as number[]) },
  {
    name: 'TF-IDF cosine of words',
    sign: (text) => {
      const v = new Map<string, number>();
      for (const w of words(text)) v.set(w, (v.get(w) ?? 0) + idf(w));
      const norm = Math.sqrt([...v.values()].reduce((s, x) => s + x * x, 0)) || 1;
      for (const [k, x] of v) v.set(k, x / norm);
      return v;
    },
    similarity: (a, b) => {
      const [x, y] = [a as Map<string, number>, b as Map<string, number>];
      let dot = 0;
      for (const [k, v] of x) dot += v * (y.get(k) ?? 0);
      return dot;
    },
  },
];

const WINDOW_MS = 10 * 60_000;

function group(m: Measure, threshold: number) {
  const signed = burst.map((a) => ({ ...a, sig: m.sign(a.text), group: -1 }));
  let groups = 0;
  for (let i = 0; i < signed.length; i++) {
    const t = signed[i]!;
    let best = -1;
    let bestSim = threshold;
    for (let j = i - 1; j >= 0 && t.at - signed[j]!.at <= WINDOW_MS; j--) {
      const o = signed[j]!;
      if (o.category !== t.category) continue;
      const sim = m.similarity(t.sig, o.sig);
      if (sim >= bestSim) [best, bestSim] = [j, sim];
    }
    t.group = best >= 0 ? signed[best]!.group : groups++;
  }
  const sizes = new Map<number, { n: number; dupes: number }>();
  for (const t of signed) {
    const g = sizes.get(t.group) ?? { n: 0, dupes: 0 };
    g.n++;
    if (t.dupe) g.dupes++;
    sizes.set(t.group, g);
  }
  const incident = [...sizes.entries()].sort((a, b) => b[1].dupes - a[1].dupes)[0]!;
  const others = [...sizes.entries()].filter(([id, g]) => id !== incident[0] && g.n >= 3);
  return {
    precision: incident[1].dupes / incident[1].n,
    recall: incident[1].dupes / 300,
    otherGroups: others.length,
    inOtherGroups: others.reduce((s, [, g]) => s + g.n, 0),
  };
}

const started = performance.now();
console.log(`Burst: ${burst.length} tickets over 5 minutes, 300 near-duplicates of one ${seed.category} ticket (${seed.body.length} characters), 700 others from the ticket set; 10-minute window, same category.\n`);
console.log('| measure | threshold | precision | recall | other groups of 3+ (their tickets) |');
console.log('|---|---|---|---|---|');
for (const m of MEASURES) {
  for (const threshold of [0.2, 0.25, 0.3, 0.4, 0.5, 0.6]) {
    const r = group(m, threshold);
    console.log(`| ${m.name} | ${threshold} | ${(r.precision * 100).toFixed(1)}% | ${(r.recall * 100).toFixed(1)}% | ${r.otherGroups} (${r.inOtherGroups}) |`);
  }
}
console.log(`\n(${((performance.now() - started) / 1000).toFixed(1)} s for all)`);
