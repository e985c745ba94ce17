/**
 * `npm test [-- --postgres] [ava arguments]`: the whole suite on a machine that has Node and nothing else.
 * 1. The system packages the tests use (.ci/apt-packages.txt: PostgreSQL's initdb/pg_ctl, Dovecot, ...): when
 *    one is missing it is installed with apt-get as root; otherwise one line says what to install, exit 1.
 * 2. A throw-away PostgreSQL cluster of its own (temp directory, free port, trust auth), removed at the end,
 *    also on Ctrl-C. Tests that need a PostgreSQL server get it as TEST_POSTGRES_URL. A server of your own in
 *    TEST_DATABASE_URL (which also means --postgres) or TEST_POSTGRES_URL is used instead: no cluster then.
 * 3. ava, with the remaining arguments. By default the service under test runs on the embedded database
 *    (PGlite); `--postgres` runs it on PostgreSQL (TEST_DATABASE_URL). The exit code is ava's.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { findPgBinDir, type PgCluster, startPgCluster } from '../test/kit/pg-cluster.ts';

const root = path.resolve(import.meta.dirname, '..');
const AVA = path.join(root, 'node_modules/ava/entrypoints/cli.js');

const onPath = (tool: string) => spawnSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' }).status === 0;
const succeeds = (fn: () => unknown) => {
  try {
    fn();
    return true;
  } catch {
    return false;
  }
};

/** How to tell that a package of .ci/apt-packages.txt is there without asking dpkg (which may not exist). */
const PRESENT: Record<string, () => boolean> = {
  postgresql: () => succeeds(findPgBinDir),
  'dovecot-imapd': () => ['/usr/sbin/dovecot', '/usr/local/sbin/dovecot'].some(existsSync),
  openssl: () => onPath('openssl'),
  procps: () => onPath('ps'),
  chromium: () => ['/usr/bin/chromium', '/usr/bin/chromium-browser'].some(existsSync) || onPath('chromium'),
};

function missingPackages(): string[] {
  const listed = readFileSync(path.join(root, '.ci/apt-packages.txt'), 'utf8')
    .split('\n')
    .map((line) => line.replace(/#.*/, '').trim())
    .filter(Boolean);
  const present = (p: string) => (PRESENT[p] ? PRESENT[p]() : spawnSync('dpkg', ['-s', p], { stdio: 'ignore' }).status === 0);
  return listed.filter((p) => !present(p));
}

/** Installs what is missing as root with apt-get; anywhere else says in one line what to install and exits. */
function ensurePackages(): void {
  const missing = missingPackages();
  if (!missing.length) return;
  const command = `apt-get install ${missing.join(' ')}`;
  if (process.getuid?.() !== 0 || !onPath('apt-get')) {
    console.error(`npm test needs ${missing.join(', ')}: install them (Debian/Ubuntu: sudo ${command}), or run npm test as root to have them installed`);
    process.exit(1);
  }
  console.log(`npm test: installing ${missing.join(' ')} (apt-get)`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const apt = (args: string[]) => spawnSync('apt-get', args, { stdio: ['ignore', 'ignore', 'inherit'], env }).status === 0;
  if (!apt(['update', '-qq']) || !apt(['install', '-y', '-qq', '--no-install-recommends', ...missing])) {
    console.error(`npm test: "${command}" failed; install them by hand and run npm test again`);
    process.exit(1);
  }
}

/** The cluster's `test` database: what a test connecting to "the server" uses. */
async function createTestDatabase(serverUrl: string): Promise<string> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query('create database test');
  } finally {
    await client.end();
  }
  const url = new URL(serverUrl);
  url.pathname = '/test';
  return url.toString();
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  // A server of your own: TEST_DATABASE_URL (the service under test on it, as --postgres), or TEST_POSTGRES_URL
  // (only for the tests that need a server; the service under test stays on PGlite).
  const ownDatabase = process.env.TEST_DATABASE_URL || undefined;
  const own = ownDatabase ?? (process.env.TEST_POSTGRES_URL || undefined);
  const postgresPass = args.includes('--postgres') || ownDatabase !== undefined;
  const avaArgs = args.filter((a) => a !== '--postgres');
  ensurePackages();

  let cluster: PgCluster | undefined;
  const removeCluster = () => {
    cluster?.destroy();
    cluster = undefined;
  };
  // Whatever ends this process, the cluster goes with it (destroy is synchronous, so it runs on 'exit' too).
  process.on('exit', removeCluster);
  let serverUrl = own;
  if (!own) {
    // As many connections as the PostgreSQL the suite grew up with: concurrent tests each open pools.
    cluster = await startPgCluster({ maxConnections: 500 });
    serverUrl = await createTestDatabase(cluster.url);
  }
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    TEST_POSTGRES_URL: serverUrl,
    TEST_DATABASE_URL: postgresPass ? serverUrl : '',
    // Every test file is a process of its own and many tests start the commands as processes: V8's compiled
    // code kept on disk saves each of them ~0.5 s of CPU loading the same modules (measured: 1.4 -> 0.9 s).
    NODE_COMPILE_CACHE: process.env.NODE_COMPILE_CACHE || path.join(root, 'node_modules/.cache/node-compile-cache'),
  };
  console.log(`npm test: the service under test on ${postgresPass ? 'PostgreSQL' : 'the embedded database (PGlite)'}; PostgreSQL for the tests at ${serverUrl}${cluster ? ' (a throw-away cluster)' : ''}`);

  const ava = spawn(process.execPath, [AVA, ...avaArgs], { cwd: root, env, stdio: 'inherit' });
  let interrupted = 0;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      // The first Ctrl-C lets ava stop its workers (the terminal sent it the same signal); a second ends now.
      if (interrupted++) process.exit(130);
      ava.kill(signal);
    });
  }
  const code = await new Promise<number>((resolve) => ava.on('close', (c, signal) => resolve(c ?? (signal ? 130 : 1))));
  removeCluster();
  return code;
}

try {
  process.exitCode = await main();
} catch (error) {
  console.error(`npm test: ${(error as Error).message}`);
  process.exitCode = 1;
}
