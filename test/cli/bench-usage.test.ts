import test from 'ava';
import { run } from './harness.ts';

test('npm run bench -- --help prints the usage and the benchmark names, no stack, exit 0, nothing measured', async (t) => {
  const r = await run(['bench/run.ts', '--help'], {});
  t.is(r.code, 0);
  t.regex(r.stdout, /^usage: npm run bench \[-- --only NAME,NAME,\.\.\.\]/);
  const names = /names: (.*)/.exec(r.stdout)?.[1]?.split(', ') ?? [];
  for (const name of ['rest', 'stats', 'classifier', 'eval', 'language', 'embedded', 'search', 'console']) t.true(names.includes(name), `${name} in ${names.join(', ')}`);
  t.is(r.stderr, '');
});

test('a wrong option or an unknown benchmark name is one line and the usage, exit 2', async (t) => {
  for (const [args, problem] of [[['--bogus'], "bench: Unknown option '--bogus'"], [['--only', 'rest,nope'], 'bench: unknown benchmark nope']] as const) {
    const r = await run(['bench/run.ts', ...args], {});
    t.is(r.code, 2);
    t.is(r.stderr.split('\n')[0], problem);
    t.regex(r.stderr, /\nusage: npm run bench/);
    t.notRegex(r.stderr, /at .*\.ts:\d+/);
  }
});
