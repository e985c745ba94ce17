/**
 * MikroORM's own CLI runs on mikro-orm.config.ts, the configuration the service uses. On the embedded database
 * it takes the data-directory lock like every command: while the service runs on the directory, the CLI
 * refuses (naming the holder) whichever way it is started, and the service's data stay intact; stopped, the
 * CLI lists the migrations the service applied and finds the schema up to date. Real processes throughout.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import test from 'ava';
import { lockFileFor } from '../../src/db/data-dir-lock.ts';
import { createTestDatabase } from '../kit/database.ts';
import { api } from '../kit/service.ts';
import { root, run, startService } from './harness.ts';

/** The migrations in the repository, by name (what the CLI lists once they ran). */
const MIGRATIONS = readdirSync(path.join(root, 'migrations')).filter((f) => /^Migration.*\.ts$/.test(f)).map((f) => f.replace(/\.ts$/, '')).sort();
/** The CLI's own entry, as `npx mikro-orm` runs it: told the config file explicitly. */
const CLI_BIN = path.join(root, 'node_modules/@mikro-orm/cli/cli.js');
const plain = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, '');

test('while the service runs on a data directory, the MikroORM CLI refuses, by npm script and by its own binary; afterwards it works', async (t) => {
  t.timeout(600_000);
  const dir = mkdtempSync(path.join(tmpdir(), 'st-orm-cli-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const dataDir = path.join(dir, 'pglite');
  const env = { PGLITE_DATA_DIR: dataDir };

  const service = await startService(env);
  t.teardown(() => void service.stop());
  const pid = service.process.pid!;
  const created = await api(service.baseUrl, '/api/v1/requests', { method: 'POST', json: { subject: 'Kept', body: 'Stored while the CLI is refused' } });
  t.is(created.status, 201);

  const refused = new RegExp(`${dataDir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is in use by pid ${pid} \\(node src/main\\.ts`);
  for (const args of [
    ['scripts/mikro-orm.ts', 'migration:up'],
    ['scripts/mikro-orm.ts', 'migration:list'],
    [CLI_BIN, 'migration:pending', '--config', 'mikro-orm.config.ts'],
  ]) {
    const cli = await run(args, env);
    t.not(cli.code, 0, `${args.join(' ')}: ${cli.stdout}${cli.stderr}`);
    t.regex(plain(cli.stdout + cli.stderr), refused, args.join(' '));
  }
  // debug reports instead of failing: the configuration is "not found", with the holder as the reason.
  const debug = await run(['scripts/mikro-orm.ts', 'debug'], env);
  t.regex(plain(debug.stdout), /configuration not found/);
  t.regex(plain(debug.stdout), refused);
  t.notRegex(plain(debug.stdout), /database connection successful/);
  t.like(JSON.parse(readFileSync(lockFileFor(dataDir), 'utf8')), { pid }, 'the service still holds its lock');
  const list = await api(service.baseUrl, '/api/v1/requests');
  t.deepEqual(list.json.items.map((i: { subject: string }) => i.subject), ['Kept'], 'the service is unharmed');
  const stopped = await service.stop();
  t.is(stopped.code, 0, stopped.stderr);

  // Stopped: the CLI sees what the service migrated, and the entities match the last snapshot.
  const listed = await run(['scripts/mikro-orm.ts', 'migration:list'], env);
  t.is(listed.code, 0, listed.stderr);
  for (const name of MIGRATIONS) t.true(plain(listed.stdout).includes(name), `${name} listed`);
  const pending = await run(['scripts/mikro-orm.ts', 'migration:pending'], env);
  t.is(pending.code, 0, pending.stderr);
  t.notRegex(plain(pending.stdout), /Migration\d/, 'nothing pending');
  const check = await run(['scripts/mikro-orm.ts', 'migration:check'], env);
  t.is(check.code, 0, check.stderr);
  t.regex(plain(check.stdout), /No changes required, schema is up-to-date/);
  t.false(existsSync(lockFileFor(dataDir)), 'the CLI released the lock when it exited');

  const again = await startService(env);
  t.teardown(() => void again.stop());
  t.deepEqual((await api(again.baseUrl, '/api/v1/requests')).json.items.map((i: { subject: string }) => i.subject), ['Kept']);
});

test('on PostgreSQL the CLI migrates a new database and lists what it applied (no lock: PostgreSQL serves many)', async (t) => {
  t.timeout(300_000);
  const db = await createTestDatabase();
  t.teardown(() => db.drop());
  const env = { DATABASE_URL: db.url };
  const up = await run(['scripts/mikro-orm.ts', 'migration:up'], env);
  t.is(up.code, 0, up.stdout + up.stderr);
  const listed = await run(['scripts/mikro-orm.ts', 'migration:list'], env);
  t.is(listed.code, 0, listed.stderr);
  for (const name of MIGRATIONS) t.true(plain(listed.stdout).includes(name), `${name} listed`);
  const check = await run(['scripts/mikro-orm.ts', 'migration:check'], env);
  t.is(check.code, 0, check.stderr);
  // The service starts on what the CLI migrated: nothing left for it to apply.
  const migrate = await run(['src/cli/migrate.ts', 'up'], env);
  t.is(migrate.code, 0, migrate.stderr);
  t.regex(migrate.stdout, /up to date/);
});
