/**
 * The classifier commands as a user's clone runs them: the repository without the project's training file
 * beside it. The clone is a copy of src/ (and package.json, node_modules) in a temporary directory, so
 * `../shared` resolves to nothing there, whatever this machine has.
 */
import { cpSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import test from 'ava';
import { root, run } from './harness.ts';

const clone = mkdtempSync(path.join(tmpdir(), 'fresh-clone-'));
const repo = path.join(clone, 'repo');
cpSync(path.join(root, 'src'), path.join(repo, 'src'), { recursive: true });
cpSync(path.join(root, 'package.json'), path.join(repo, 'package.json'));
symlinkSync(path.join(root, 'node_modules'), path.join(repo, 'node_modules'));
test.after.always(() => rmSync(clone, { recursive: true, force: true }));

const NEEDS_FILE = /^classifier:(train|eval): needs --file PATH: a CSV with a header row: body, and category \(technical, billing or general\) or queue; subject, priority and language optional/;

for (const [command, script] of [['classifier:train', 'src/cli/classifier-train.ts'], ['classifier:eval', 'src/cli/classifier-eval.ts']] as const) {
  test(`${command} without --file on a clone without the training file says what it needs in one line, exit 2`, async (t) => {
    const r = await run([script], {}, { cwd: repo });
    t.is(r.code, 2);
    t.regex(r.stderr, NEEDS_FILE);
    t.is(r.stderr.trim().split('\n').length, 1, r.stderr);
    t.notRegex(r.stderr, /ENOENT|at .*\.ts:\d+/);
  });

  test(`${command} --help on a clone names the columns a labelled file needs`, async (t) => {
    const r = await run([script, '--help'], {}, { cwd: repo });
    t.is(r.code, 0);
    t.regex(r.stdout, /--file/);
    t.regex(r.stdout, /body, and category \(technical, billing or general\) or queue/);
  });
}

test('classifier:eval with --file works on a clone without the training file (no rows skipped as trained on)', async (t) => {
  const file = path.join(clone, 'mine.csv');
  writeFileSync(file, 'subject,body,category\nRefund,"Please refund the double charge on my invoice",billing\nLogin,"I cannot log in since the update, the app crashes",technical\n');
  const r = await run([path.join(repo, 'src/cli/classifier-eval.ts'), '--file', file, '--threshold', '0.5'], {}, { cwd: repo });
  t.is(r.code, 0, r.stderr);
  t.true(r.stdout.includes('rows: 2'));
  t.false(r.stdout.includes('skipped'));
});

test('classifier:train with --file on a clone trains and writes a model where --out says', async (t) => {
  const file = path.join(clone, 'train.csv');
  const rows = ['subject,body,category,priority'];
  for (let i = 0; i < 30; i++) {
    rows.push(`Invoice ${i},"Please refund the charge on invoice ${i}, I was billed twice",billing,medium`);
    rows.push(`Crash ${i},"The app crashes with error ${i} when I log in",technical,high`);
    rows.push(`Hours ${i},"What are your opening hours on day ${i}?",general,low`);
  }
  writeFileSync(file, `${rows.join('\n')}\n`);
  const out = path.join(clone, 'model-out');
  const r = await run(['src/cli/classifier-train.ts', '--file', file, '--out', out], {}, { cwd: repo });
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, new RegExp(`training on \\d+ rows \\(\\d+ held out for evaluation\\) from ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  t.regex(r.stdout, /wrote local-nb@/);
});
