/**
 * The log writer against real pipes: a reader that is slow never blocks the writer and gets every line
 * whole and in order; a reader that is gone makes the writer drop lines instead of failing or retrying.
 */
import { spawn } from 'node:child_process';
import test from 'ava';
import { fdDestination } from '../../src/lib/log-destination.ts';

/** A child whose stdin is a pipe we write to by its file descriptor, as the logger writes to stdout. */
function pipeTo(command: string, args: string[]) {
  const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'ignore'] });
  const fd = (child.stdin as unknown as { _handle: { fd: number } })._handle.fd;
  return { child, fd };
}

const lineOf = (i: number) => `${JSON.stringify({ i, msg: 'x'.repeat(200) })}\n`;

test('a reader that does not read yet: writes return at once, and later every line arrives whole, in order', async (t) => {
  // cat stops reading its stdin while nobody reads its stdout: our pipe fills up.
  const { child, fd } = pipeTo('cat', []);
  child.stdout!.pause();
  const destination = fdDestination(fd);
  const count = 2000; // ~450 KB, several times a pipe's buffer
  for (let i = 0; i < count; i++) destination.write(lineOf(i));
  t.false(destination.closed);
  t.is(destination.dropped, 0);
  let received = '';
  child.stdout!.on('data', (d) => (received += d));
  child.stdout!.resume();
  await new Promise<void>((resolve) => {
    const check = () => (received.split('\n').length > count ? resolve() : setTimeout(check, 20));
    check();
  });
  child.kill();
  const lines = received.trim().split('\n');
  t.is(lines.length, count);
  t.deepEqual(lines.map((l) => JSON.parse(l).i), Array.from({ length: count }, (_, i) => i));
});

test('a reader that has gone: the writer drops the lines, neither throwing nor retrying', async (t) => {
  const { child, fd } = pipeTo('sleep', ['60']);
  const destination = fdDestination(fd);
  destination.write(lineOf(0));
  child.kill('SIGKILL');
  await new Promise((resolve) => child.on('close', resolve));
  for (let i = 1; i <= 100; i++) t.notThrows(() => destination.write(lineOf(i)));
  t.true(destination.closed);
  t.true(destination.dropped >= 99);
});
