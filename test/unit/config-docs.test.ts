/**
 * The variables operators read about are the variables the service reads: .env.example and README's
 * configuration table name every declared variable (src/config/) and nothing else.
 */
import { readFileSync } from 'node:fs';
import test from 'ava';
import { CONFIG_VARIABLES } from '../../src/config.ts';
import { variablesOf } from '../../src/config/variable.ts';

const root = new URL('../../', import.meta.url);
const declared = variablesOf(CONFIG_VARIABLES).map((v) => v.name);

/** `NAME=value` lines, commented out or not. */
function documentedInEnvExample(text: string): string[] {
  return [...text.matchAll(/^#?[ \t]*([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]!);
}

/** Backticked `NAME` or `NAME=value` in the table rows of README's Configuration section. */
function documentedInReadme(text: string): string[] {
  const section = text.split(/^## /m).find((s) => s.startsWith('Configuration\n'));
  if (!section) return [];
  const rows = section.split('\n').filter((line) => line.startsWith('|'));
  return rows.flatMap((row) => [...row.matchAll(/`([A-Z][A-Z0-9_]*[A-Z0-9])(?:=[^`]*)?`/g)].map((m) => m[1]!));
}

function compare(t: import('ava').ExecutionContext, where: string, documented: string[]) {
  const known = new Set(declared);
  const seen = new Set(documented);
  t.deepEqual(declared.filter((name) => !seen.has(name)), [], `declared but missing from ${where}`);
  t.deepEqual([...seen].filter((name) => !known.has(name)), [], `in ${where} but not declared in src/config/`);
}

test('every variable is declared once, each with a purpose', (t) => {
  t.true(declared.length > 50, `only ${declared.length} variables found`);
  t.deepEqual(declared.filter((name, i) => declared.indexOf(name) !== i), []);
  for (const v of variablesOf(CONFIG_VARIABLES)) t.true(v.doc.trim().length > 5, `${v.name} has no doc`);
});

test('.env.example documents exactly the declared variables, each once', (t) => {
  const documented = documentedInEnvExample(readFileSync(new URL('.env.example', root), 'utf8'));
  t.deepEqual(documented.filter((name, i) => documented.indexOf(name) !== i), [], 'documented twice');
  compare(t, '.env.example', documented);
});

test("README's configuration table names exactly the declared variables", (t) => {
  compare(t, 'README.md', documentedInReadme(readFileSync(new URL('README.md', root), 'utf8')));
});

test('the checks see what they are meant to see (an extra, a missing and a commented-out variable)', (t) => {
  t.deepEqual(documentedInEnvExample('# PORT=8000\nHOST=0.0.0.0\n# Comment with NOT_A_VAR in it\n#   LOG_LEVEL=info  # x\n'), ['PORT', 'HOST', 'LOG_LEVEL']);
  const readme = '## Configuration\n\ntext `NOT_IN_TABLE`\n\n| a | b |\n|---|---|\n| x | `PORT` (8000), `NODE_ENV=production`, `X-Forwarded-For`, `INBOX` |\n\n## Next\n| y | `OTHER_SECTION` |\n';
  t.deepEqual(documentedInReadme(readme), ['PORT', 'NODE_ENV', 'INBOX']);
});
