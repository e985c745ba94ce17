/**
 * Where the shared mail corpus is, for the tests of `npm run test:corpus`: ../shared/data/mail-corpus beside the
 * repository (CI places shared/ there), or MAIL_CORPUS_DIR. The files are read in place, never copied.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
// MAIL_CORPUS_DIR: the corpus somewhere else than beside the repository.
export const corpus = path.resolve(repoRoot, process.env.MAIL_CORPUS_DIR || '../shared/data/mail-corpus');
export const corpusPresent = existsSync(path.join(corpus, 'README.md'));

/** The folders holding whole raw messages (reply_parser/ holds bodies only). */
export const MAIL_FOLDERS = ['sisimai', 'stalwart_mail_parser', 'mail_gem', 'mailparser'];

/**
 * `test` when the corpus is there. Without it the file registers one failing test instead, and its own tests are
 * not registered: `npm run test:corpus` is asked for by name, so a missing corpus fails, it does not skip.
 */
export function corpusTest(): typeof test {
  if (corpusPresent) return test;
  test('the mail corpus is present', (t) => t.fail(`${corpus} is absent (CI places shared/ beside the repository; MAIL_CORPUS_DIR points elsewhere)`));
  return (() => {}) as unknown as typeof test;
}

/** Every .eml under `dir`, in a stable order. */
export function emlFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const f of readdirSync(d).sort()) {
      const p = path.join(d, f);
      if (statSync(p).isDirectory()) walk(p);
      else if (f.endsWith('.eml')) out.push(p);
    }
  };
  walk(dir);
  return out;
}
