/**
 * SQL lives in src/db only: elsewhere code calls a repository. Scans the sources for the ways a query can be
 * written (raw text through the handle, Kysely's builder or its sql tag) and for an untyped database handle.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import test from 'ava';

const SRC = path.resolve(import.meta.dirname, '../../src');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    return e.isDirectory() ? sources(full) : e.name.endsWith('.ts') ? [full] : [];
  });
}

const QUERY_SHAPES = [
  /\.query\s*(<[^>]*>)?\s*\(/, // raw text through the Sql handle
  /\.(selectFrom|insertInto|updateTable|deleteFrom)\s*\(/, // Kysely's builder
  /from 'kysely'/, // the sql tag, CompiledQuery, ...
  /\.kysely\b/, // the typed handle itself
];

test('no SQL outside src/db', (t) => {
  const offenders = sources(SRC)
    .filter((f) => !f.startsWith(path.join(SRC, 'db') + path.sep))
    .flatMap((f) =>
      readFileSync(f, 'utf8')
        .split('\n')
        .map((line, i) => ({ line, at: `${path.relative(SRC, f)}:${i + 1}` }))
        .filter(({ line }) => !/^\s*(\/\/|\*)/.test(line) && QUERY_SHAPES.some((re) => re.test(line))),
    )
    .map((o) => `${o.at}: ${o.line.trim()}`);
  t.deepEqual(offenders, []);
});

test('no untyped database handle', (t) => {
  const offenders = sources(SRC).filter((f) => /Kysely<any>|Transaction<any>/.test(readFileSync(f, 'utf8')));
  t.deepEqual(offenders.map((f) => path.relative(SRC, f)), []);
});
