/**
 * Every command checks its arguments first (src/cli/bootstrap.ts): a wrong one is one line naming it, then
 * the usage, exit code 2, no stack trace, and nothing else happens: .env is not read (it holds an invalid
 * value here, which would be reported instead) and no database is opened or created.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import test from 'ava';
import { root, run } from './harness.ts';

const COMMANDS: Record<string, string> = {
  'support-triage': 'src/main.ts',
  seed: 'src/cli/seed.ts',
  'db:migrate': 'src/cli/migrate.ts',
  'imap:replay': 'src/cli/imap-replay.ts',
  'imap:authorize': 'src/cli/imap-authorize.ts',
  'classifier:train': 'src/cli/classifier-train.ts',
  'classifier:eval': 'src/cli/classifier-eval.ts',
  'dead-letters': 'src/cli/dead-letters.ts',
};

/** [command, arguments, what the first line must say] */
const CASES: [string, string[], RegExp][] = [
  // imap:replay parses its own arguments (src/inbound/imap/replay.ts) and words it so.
  ...Object.keys(COMMANDS).map((name): [string, string[], RegExp] => [name, ['--bogus'], /Unknown option '--bogus'$|unknown argument --bogus; usage/]),
  ['seed', ['--FILE', 'x.csv'], /Unknown option '--FILE'$/],
  ['seed', ['-f', 'x.csv'], /Unknown option '-f'$/],
  ['seed', ['--file'], /Option '--file <value>' argument missing$/],
  ['seed', ['--file', 'x.csv', 'extra'], /Unexpected argument 'extra'$/],
  ['seed', ['--file', 'x.csv', '--limit=-3'], /--limit must be at least 1$/],
  ['seed', ['--file', 'x.csv', '--limit', '1e400'], /--limit must be a whole number$/],
  ['seed', ['--file', 'x.csv', '--hf', 'some/dataset'], /give exactly one of --file PATH or --hf DATASET$/],
  ['seed', ['--alert=yes', '--file', 'x.csv'], /Option '--alert' does not take an argument$/],
  ['db:migrate', ['down'], /unknown command "down"/],
  ['db:migrate', ['up', '--initial'], /--initial belongs to create$/],
  ['imap:replay', ['--since', 'last tuesday'], /--since needs a date/],
  ['imap:authorize', ['--port', '70000'], /--port must be a port number$/],
  ['imap:authorize', ['--redirect-uri', 'not a url'], /--redirect-uri "not a url" is not a URL$/],
  ['imap:authorize', ['--no-listen'], /--no-listen needs --redirect-uri/],
  ['classifier:eval', ['--threshold', ''], /--threshold must be a number from 0 to 1$/],
  ['classifier:eval', ['--threshold', 'NaN'], /--threshold must be a number from 0 to 1$/],
  ['dead-letters', ['list', '--queue', "x'; drop table tickets;--"], /is not a queue name/],
  ['support-triage', ['serve'], /Unexpected argument 'serve'$/],
];

test('a wrong argument: one line naming it, the usage, exit code 2, before .env or any database', async (t) => {
  t.timeout(300_000);
  const cwd = mkdtempSync(path.join(tmpdir(), 'st-args-'));
  t.teardown(() => rmSync(cwd, { recursive: true, force: true }));
  const dataDir = path.join(cwd, 'db');
  // Read first, this would stop every command with "Invalid configuration" (and a valid one would open dataDir).
  writeFileSync(path.join(cwd, '.env'), 'PORT=eighty\n');
  const env = { PGLITE_DATA_DIR: dataDir };
  for (let i = 0; i < CASES.length; i += 4) {
    await Promise.all(
      CASES.slice(i, i + 4).map(async ([name, args, first]) => {
        const r = await run([path.join(root, COMMANDS[name]!), ...args], env, { cwd });
        const what = `${name} ${args.join(' ')}: ${r.stderr}`;
        t.is(r.code, 2, what);
        const [line, ...rest] = r.stderr.trimEnd().split('\n');
        t.regex(line!, new RegExp(`^${name}: `), what);
        t.regex(line!, first, what);
        t.regex(rest.join('\n') || line!, /usage: (npm run|npm start)/, what);
        t.notRegex(r.stderr, /Invalid configuration|\n\s+at /, what);
        t.is(r.stdout, '', what);
      }),
    );
  }
  t.false(existsSync(dataDir), 'no database was opened');
});

test('--help prints the usage and exits 0 without reading the configuration', async (t) => {
  t.timeout(120_000);
  const cwd = mkdtempSync(path.join(tmpdir(), 'st-help-'));
  t.teardown(() => rmSync(cwd, { recursive: true, force: true }));
  writeFileSync(path.join(cwd, '.env'), 'PORT=eighty\n');
  const r = await run([path.join(root, COMMANDS.seed!), '--help'], {}, { cwd });
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /^usage: npm run seed -- /);
  t.is(r.stderr, '');
});

test('valid arguments still reach the configuration: an invalid .env is reported after them', async (t) => {
  t.timeout(120_000);
  const cwd = mkdtempSync(path.join(tmpdir(), 'st-args-ok-'));
  t.teardown(() => rmSync(cwd, { recursive: true, force: true }));
  writeFileSync(path.join(cwd, '.env'), 'PORT=eighty\n');
  const r = await run([path.join(root, COMMANDS['dead-letters']!), 'list', '--json'], {}, { cwd });
  t.is(r.code, 2, r.stderr);
  t.regex(r.stderr, /^dead-letters: Invalid configuration:\n  - PORT: must be an integer/);
  t.false(existsSync(path.join(cwd, 'data')));
});
