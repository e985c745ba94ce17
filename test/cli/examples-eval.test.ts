/**
 * The README's Quick start reports how the bundled local model does on examples/tickets.csv. These are the
 * figures it states; a retrained model or rewritten examples must bring the README along.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { loadExamples } from '../../src/classify/local/dataset.ts';
import { detectLanguage } from '../../src/classify/language.ts';
import { root, run } from './harness.ts';

const examples = path.join(root, 'examples/tickets.csv');
const readme = readFileSync(path.join(root, 'README.md'), 'utf8');

test('classifier:eval on the examples prints what the README says: 10 of 24 right, keyword rule 13, 13 below 0.6, priority 12', async (t) => {
  const r = await run(['src/cli/classifier-eval.ts', '--file', examples, '--threshold', '0.6'], {});
  t.is(r.code, 0, r.stderr);
  const cells = (start: string) => r.stdout.split('\n').find((l) => l.startsWith(start))?.trim().split(/\s{2,}/).slice(1);
  t.regex(r.stdout, /^rows: 24$/m);
  t.deepEqual(cells('accuracy  '), ['41.7%', '54.2%'], '10/24 and 13/24');
  t.deepEqual(cells('coverage at conf >= 0.6'), ['45.8%', '37.5%'], '11 of 24 at or above 0.6: 13 below');
  t.regex(r.stdout, /^priority \(local-nb@\S+, n=24\): accuracy 50\.0%$/m, '12 of 24');
  t.regex(readme, /gets 10 of the 24 categories right \(42%; the original service's keyword rule 13,\s+54%\), puts 13 below the confidence threshold \(0\.6\)/);
  t.regex(readme, /the priority right for 12/);
});

test('the examples are in the languages and categories the README lists, and each is detected in its language', (t) => {
  const rows = loadExamples(examples);
  const count = (key: (e: (typeof rows)[number]) => string | undefined) => rows.reduce<Record<string, number>>((a, e) => ({ ...a, [key(e)!]: (a[key(e)!] ?? 0) + 1 }), {});
  t.deepEqual(count((e) => e.language), { en: 13, de: 6, es: 2, fr: 2, pt: 1 });
  t.deepEqual(count((e) => e.category), { technical: 11, billing: 5, general: 8 });
  t.regex(readme, /13 English, 6 German, 2 Spanish, 2 French,\s+1 Portuguese; 11 technical, 5 billing, 8 general/);
  t.deepEqual(rows.filter((e) => detectLanguage(`${e.subject}\n${e.body}`) !== e.language).map((e) => e.subject), []);
});
