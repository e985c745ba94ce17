/**
 * A misspelt name in .env (PORTT=9000) is not ignored without a word: every command, the service included,
 * says on stderr which line and what it probably meant, and goes on.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import test from 'ava';
import { root, run } from './harness.ts';

function workdir(t: { teardown(fn: () => void): void }, dotenv: string): string {
  const cwd = mkdtempSync(path.join(tmpdir(), 'st-misspelt-'));
  t.teardown(() => rmSync(cwd, { recursive: true, force: true }));
  writeFileSync(path.join(cwd, '.env'), dotenv);
  return cwd;
}

test('the service warns about PORTT in .env, naming PORT, before its own start-up messages', async (t) => {
  // PORT=eighty in the environment stops start-up at the configuration, right after the .env warning.
  const cwd = workdir(t, '# local settings\nPORTT=9000\nHOME_PAGE=x\n');
  const r = await run([path.join(root, 'src/main.ts')], { PORT: 'eighty' }, { cwd });
  t.is(r.code, 2);
  const lines = r.stderr.trim().split('\n');
  t.is(lines[0], 'support-triage: warning: .env: PORTT is not a setting and is ignored; did you mean PORT?');
  t.false(r.stderr.includes('HOME_PAGE'), 'names far from ours are none of our business');
  t.regex(r.stderr, /PORT/);
});

test('a command warns too and goes on with its work', async (t) => {
  const cwd = workdir(t, 'log_level=debug\n');
  writeFileSync(path.join(cwd, 'labelled.csv'), 'body,category\n"Please refund the double charge",billing\n');
  const r = await run([path.join(root, 'src/cli/classifier-eval.ts'), '--file', 'labelled.csv', '--threshold', '0.5'], {}, { cwd });
  t.is(r.code, 0, r.stderr);
  t.is(r.stderr.trim(), 'classifier:eval: warning: .env: log_level is not a setting and is ignored; did you mean LOG_LEVEL?');
  t.regex(r.stdout, /rows: 1/);
});

test('a .env with only our settings and other programs\' variables gives no warning', async (t) => {
  const cwd = workdir(t, 'LOG_LEVEL=warn\nPOSTGRES_PASSWORD=secret\nCOMPOSE_PROJECT_NAME=triage\n');
  writeFileSync(path.join(cwd, 'labelled.csv'), 'body,category\n"Please refund the double charge",billing\n');
  const r = await run([path.join(root, 'src/cli/classifier-eval.ts'), '--file', 'labelled.csv', '--threshold', '0.5'], {}, { cwd });
  t.is(r.code, 0, r.stderr);
  t.is(r.stderr, '');
});
