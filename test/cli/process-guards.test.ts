import { EventEmitter } from 'node:events';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import test from 'ava';
import { installProcessGuards } from '../../src/cli/process-guards.ts';
import { lockFileFor } from '../../src/db/data-dir-lock.ts';
import { createLogger } from '../../src/lib/logger.ts';
import { api } from '../kit/service.ts';
import { waitFor } from '../kit/wait.ts';
import { startService } from './harness.ts';

function capture() {
  const lines: Record<string, any>[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { lines, logger: createLogger('info', stream) };
}

test('an unhandled rejection is logged with its error and origin, and nothing stops', (t) => {
  const { lines, logger } = capture();
  const target = new EventEmitter();
  let fatal = 0;
  installProcessGuards({ logger, onFatal: () => fatal++, target });
  target.emit('unhandledRejection', new Error('nobody awaited me'), Promise.resolve());
  target.emit('unhandledRejection', 'a bare string reason', Promise.resolve());
  t.is(fatal, 0);
  t.is(lines.length, 2);
  t.like(lines[0], { level: 50, origin: 'unhandledRejection', err: { message: 'nobody awaited me', type: 'Error' } });
  t.regex(lines[0]!.err.stack, /nobody awaited me\n\s+at /);
  t.like(lines[1], { origin: 'unhandledRejection', err: 'a bare string reason' });
});

test('an uncaught exception is logged as fatal and asks for the shutdown once', (t) => {
  const { lines, logger } = capture();
  const target = new EventEmitter();
  const fatal: Error[] = [];
  const remove = installProcessGuards({ logger, onFatal: (e) => fatal.push(e), target });
  const first = new Error('thrown in a timer');
  target.emit('uncaughtException', first, 'uncaughtException');
  target.emit('uncaughtException', new Error('thrown while stopping'), 'uncaughtException');
  t.deepEqual(fatal, [first]);
  t.like(lines[0], { level: 60, origin: 'uncaughtException', err: { message: 'thrown in a timer' } });
  t.like(lines[1], { level: 50, err: { message: 'thrown while stopping' } });
  remove();
  t.is(target.listenerCount('uncaughtException') + target.listenerCount('unhandledRejection'), 0);
});

test('the real service survives an unhandled rejection; an uncaught exception stops it gracefully with exit code 1', async (t) => {
  t.timeout(600_000);
  const dir = mkdtempSync(path.join(tmpdir(), 'st-guards-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const dataDir = path.join(dir, 'pglite');
  const service = await startService(
    { PGLITE_DATA_DIR: dataDir, LOG_LEVEL: 'info' },
    { nodeArgs: ['--import', path.resolve(import.meta.dirname, 'fixtures/escape-on-signal.ts')] },
  );
  t.teardown(() => void service.process.kill('SIGKILL'));
  const logs = () => service.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));

  service.process.kill('SIGUSR2');
  const logged = await waitFor(() => logs().find((l) => l.origin === 'unhandledRejection'), { timeoutMs: 60_000, what: 'the rejection in the log' });
  t.is(logged.err.message, 'escaped rejection from the test');
  t.is(logged.level, 50);
  // Still serving: health, and a ticket is accepted and stored.
  t.is((await api(service.baseUrl, '/health')).status, 200);
  const created = await api(service.baseUrl, '/api/v1/requests', { method: 'POST', json: { text: 'after the escaped rejection' } });
  t.is(created.status, 201);
  t.is((await api(service.baseUrl, `/api/v1/requests/${created.json.id}`)).status, 200);

  service.process.kill('SIGHUP');
  const exited = await service.done;
  t.is(exited.code, 1, exited.stderr);
  const fatal = logs().find((l) => l.origin === 'uncaughtException');
  t.like(fatal, { level: 60, err: { message: 'escaped exception from the test' } });
  t.true(logs().some((l) => l.msg === 'support triage stopped'), 'stopped through the graceful path');
  t.false(existsSync(lockFileFor(dataDir)), 'the data directory was released');
});
