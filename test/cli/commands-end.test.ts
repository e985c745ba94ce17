/**
 * Every command ends on its own once it has answered, on success and on error, also when the reader of
 * its output went away (`npm start | head -1`, `npm run dead-letters -- list | true`). Each run gets a
 * generous bound: a process still alive after it has hung, which is what these tests catch.
 */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { api } from '../kit/service.ts';
import { startFakeOAuth } from '../kit/fake-oauth.ts';
import { freePort } from '../kit/net.ts';
import { endsWithin, type RunOptions, start, startService } from './harness.ts';

const BOUND_MS = 120_000;
/** What bootstrap.ts prints when a finished command still held something open. */
const LINGERED = /stayed open/;

function tempDir(t: ExecutionContext): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'st-end-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const CSV =
  'subject,body,answer,type,queue,priority,language,tags,version\n' +
  'Invoice wrong,"My invoice lists a charge twice, please fix",,Problem,Billing and Payments,high,en,Billing,v4\n' +
  'VPN down,"The VPN client fails with error 809 since Monday",,Incident,Technical Support,critical,en,VPN,v4\n' +
  'Refund,"Please refund the second charge on my card",,Request,Billing and Payments,medium,en,Billing,v4\n' +
  'Printer,"The office printer crashes when I print a PDF",,Incident,Technical Support,low,en,Hardware,v4\n';

async function command(t: ExecutionContext, args: string[], env: Record<string, string>, options: RunOptions = { stdout: 'closed' }) {
  const result = await endsWithin(start(args, env, options), BOUND_MS, args.join(' '));
  t.notRegex(result.stderr, LINGERED);
  t.notRegex(result.stderr, /EPIPE/);
  return result;
}

test('the service, its stdout closed after the first line, keeps serving and ends on SIGTERM with exit code 0', async (t) => {
  t.timeout(300_000);
  const dir = tempDir(t);
  const service = await startService({ PGLITE_DATA_DIR: path.join(dir, 'db'), LOG_LEVEL: 'debug' }, { stdout: 'after-first-bytes' });
  // Every request logs a line nobody reads any more.
  for (let i = 0; i < 5; i++) {
    const res = await api(service.baseUrl, '/api/v1/requests', { method: 'POST', json: { text: `written after the reader left ${i}` } });
    t.is(res.status, 201);
  }
  service.process.kill('SIGTERM');
  const result = await endsWithin(service, BOUND_MS, 'the service after SIGTERM');
  t.is(result.code, 0, result.stderr);
  t.notRegex(result.stderr, /EPIPE/);
});

/** The fixture logging faster than anyone reads (stdout paused from the start), once it said it is ready. */
async function stalledLogger() {
  const child = start(['test/cli/fixtures/log-until-signal.ts'], {}, {});
  child.process.stdout!.pause();
  await new Promise<void>((resolve) => {
    const ready = () => (/ready/.test(child.stderr) ? resolve() : setTimeout(ready, 20));
    ready();
  });
  return child;
}

test('a process whose log reader left while lines were still waiting exits on SIGTERM', async (t) => {
  t.timeout(120_000);
  const child = await stalledLogger();
  child.process.stdout!.destroy();
  child.process.kill('SIGTERM');
  const result = await endsWithin(child, 60_000, 'the logging process after SIGTERM');
  t.is(result.code, 0, result.stderr);
});

test('a process whose log reader stalls keeps running its event loop and exits on SIGTERM', async (t) => {
  t.timeout(120_000);
  const child = await stalledLogger();
  child.process.kill('SIGTERM');
  const result = await endsWithin(child, 60_000, 'the logging process after SIGTERM');
  t.is(result.code, 0, result.stderr);
});

test('a command that leaves something open after answering says what on stderr and exits with its own code', async (t) => {
  t.timeout(120_000);
  const result = await endsWithin(start(['test/cli/fixtures/lingering-command.ts'], {}), 60_000, 'the lingering command');
  t.is(result.code, 3);
  t.regex(result.stdout, /answered/);
  t.regex(result.stderr, /^lingering: finished, but .*Timeout.* stayed open; exiting$/m);
});

test('dead-letters list and replay on the embedded database answer and end, output read or not', async (t) => {
  t.timeout(400_000);
  const env = { PGLITE_DATA_DIR: path.join(tempDir(t), 'db') };
  t.is((await command(t, ['src/cli/migrate.ts', 'up'], env)).code, 0);
  // Read: the answer arrives, then the process ends (it used to stay alive on a PGlite timer).
  const listed = await command(t, ['src/cli/dead-letters.ts', 'list'], env, {});
  t.is(listed.code, 0, listed.stderr);
  t.regex(listed.stdout, /no dead letters/);
  t.is((await command(t, ['src/cli/dead-letters.ts', 'list', '--json'], env)).code, 0);
  t.is((await command(t, ['src/cli/dead-letters.ts', 'replay', '--all'], env)).code, 0);
  // A failure ends too: an id that is not there.
  const missing = await command(t, ['src/cli/dead-letters.ts', 'replay', '--id', '00000000-0000-4000-8000-000000000000'], env);
  t.is(missing.code, 1);
});

test("MikroORM's CLI on the embedded database answers and ends, on a directory never migrated and after migrating", async (t) => {
  t.timeout(600_000);
  const env = { PGLITE_DATA_DIR: path.join(tempDir(t), 'db') };
  // Never migrated: it used to answer and then stay alive on a PGlite timer, since the CLI's close left the
  // embedded instance open.
  const pending = await command(t, ['scripts/mikro-orm.ts', 'migration:pending'], env, {});
  t.is(pending.code, 0, pending.stderr);
  t.regex(pending.stdout, /Migration\d/);
  const check = await command(t, ['scripts/mikro-orm.ts', 'migration:check'], env, {});
  t.is(check.code, 0, check.stderr);
  t.regex(check.stdout, /No changes required/);
  t.is((await command(t, ['scripts/mikro-orm.ts', 'migration:up'], env)).code, 0);
  t.is((await command(t, ['scripts/mikro-orm.ts', 'migration:list'], env)).code, 0);
});

test('db:migrate and seed end with their output closed, on success and on a missing file', async (t) => {
  t.timeout(400_000);
  const dir = tempDir(t);
  const env = { PGLITE_DATA_DIR: path.join(dir, 'db') };
  const csv = path.join(dir, 'tickets.csv');
  writeFileSync(csv, CSV);
  t.is((await command(t, ['src/cli/migrate.ts', 'up'], env)).code, 0);
  const seeded = await command(t, ['src/cli/seed.ts', '--file', csv], env, { stdout: 'after-first-bytes' });
  t.is(seeded.code, 0, seeded.stderr);
  t.regex(seeded.stdout, /^seeded/);
  t.is((await command(t, ['src/cli/seed.ts', '--file', path.join(dir, 'nope.csv')], env)).code, 1);
});

test('classifier:train and classifier:eval end with their output closed', async (t) => {
  t.timeout(300_000);
  const dir = tempDir(t);
  const csv = path.join(dir, 'labelled.csv');
  writeFileSync(
    csv,
    'subject,body,category,language\n' +
      'Down,"The server crashes with an error, again",technical,en\n' +
      'Money,"Please refund the charge on my invoice",billing,en\n' +
      'Hours,"What are your opening hours on Sunday?",general,en\n',
  );
  t.is((await command(t, ['src/cli/classifier-eval.ts', '--file', csv], {})).code, 0);
  const train = path.join(dir, 'train.csv');
  const topics = [
    ['Technical Support', 'The server crashes with error'],
    ['Billing and Payments', 'Please refund the double charge on invoice'],
    ['General Inquiry', 'What are your opening hours in week'],
  ];
  const rows = Array.from({ length: 36 }, (_, i) => `Case ${i},"${topics[i % 3]![1]} ${i}",${topics[i % 3]![0]},${['low', 'medium', 'high'][i % 3]}`);
  writeFileSync(train, `subject,body,queue,priority\n${rows.join('\n')}\n`);
  const out = path.join(dir, 'model');
  const trained = await command(t, ['src/cli/classifier-train.ts', '--file', train, '--out', out], {});
  t.is(trained.code, 0, trained.stderr);
  t.true(readdirSync(out).includes('model.json'));
});

test('imap:replay against a mail server that is down ends with exit code 1', async (t) => {
  t.timeout(300_000);
  const env = {
    PGLITE_DATA_DIR: path.join(tempDir(t), 'db'),
    IMAP_HOST: '127.0.0.1',
    IMAP_PORT: String(await freePort()),
    IMAP_SECURE: 'false',
    IMAP_USER: 'nobody',
    IMAP_PASSWORD: 'secret',
  };
  const result = await command(t, ['src/cli/imap-replay.ts', '--since', '2026-01-01'], env);
  t.is(result.code, 1, result.stderr);
});

test('imap:authorize --no-listen ends with a clear message when stdin ends without an answer', async (t) => {
  t.timeout(300_000);
  const fake = await startFakeOAuth();
  t.teardown(() => fake.close());
  const env = {
    PGLITE_DATA_DIR: path.join(tempDir(t), 'db'),
    IMAP_HOST: '127.0.0.1',
    IMAP_PORT: String(await freePort()),
    IMAP_SECURE: 'false',
    IMAP_USER: 'agent@example.com',
    IMAP_OAUTH_PROVIDER: 'generic',
    IMAP_OAUTH_TOKEN_URL: fake.tokenUrl,
    IMAP_OAUTH_AUTHORIZE_URL: fake.authorizeUrl,
    IMAP_OAUTH_CLIENT_ID: fake.clientId,
    IMAP_OAUTH_CLIENT_SECRET: fake.clientSecret,
    TOKEN_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'),
  };
  const child = start(['src/cli/imap-authorize.ts', '--no-listen', '--redirect-uri', 'https://triage.example.com/cb'], env, {});
  child.process.stdin!.end();
  const result = await endsWithin(child, BOUND_MS, 'imap:authorize');
  t.is(result.code, 1, result.stderr);
  t.regex(result.stderr, /stdin ended without the redirect URL or code/);
});
