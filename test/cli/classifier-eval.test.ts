import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import test from 'ava';

const run = promisify(execFile);
const cli = fileURLToPath(new URL('../../src/cli/classifier-eval.ts', import.meta.url));

function fixture(t: any, text: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'eval-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'labelled.csv');
  writeFileSync(file, text);
  return file;
}

test('eval on a labelled file prints both classifiers on the same rows; the keyword column is what its rule implies', async (t) => {
  // keyword rule: 1 technical (error, crash, server), 2 billing (refund, charge, invoice), 3 general (no list word),
  // 4 general although labelled technical -> 3 of 4 right, 75.0%; rows 1-2 reach conf >= 0.6, row 3-4 have 0.5
  const file = fixture(
    t,
    'subject,body,category,language\n' +
      'Down,"The server crashes with an error, again",technical,en\n' +
      'Money,"Please refund the charge on my invoice",billing,en\n' +
      'Hours,"What are your opening hours on Sunday?",general,en\n' +
      'Colour,"I love the new colour scheme, but it looks odd",technical,de\n',
  );
  const { stdout } = await run(process.execPath, [cli, '--file', file, '--threshold', '0.6']);
  const line = (start: string) => stdout.split('\n').find((l) => l.startsWith(start))?.trim().split(/\s{2,}/);
  t.true(stdout.includes('rows: 4'));
  t.is(line('accuracy ')?.at(-1), '75.0%');
  t.is(line('accuracy en (n=3)')?.at(-1), '100.0%');
  t.is(line('accuracy de (n=1)')?.at(-1), '0.0%');
  t.is(line('coverage at conf >= 0.6')?.at(-1), '50.0%');
  t.is(line('accuracy at conf >= 0.6')?.at(-1), '100.0%');
  t.regex(stdout, /== local-nb@\S+\nper class:/);
  t.regex(stdout, /== keyword\n/);
});

test('a file without labels is refused with a clear message and exit code 2', async (t) => {
  const file = fixture(t, 'subject,body\nHi,"No label here"\n');
  const err = await t.throwsAsync(run(process.execPath, [cli, '--file', file, '--threshold', '0.6']));
  t.is((err as any).code, 2);
  t.is((err as any).stderr.trim(), 'classifier:eval: row 1: needs a category or a queue column');
});
