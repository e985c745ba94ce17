/**
 * The log writer against real pipes: a reader that is slow never blocks the writer and gets every line
 * whole and in order; one that stalls costs bounded memory; one that is gone makes the writer drop lines
 * instead of failing or retrying.
 */
import { spawn } from 'node:child_process';
import test from 'ava';
import { streamDestination } from '../../src/lib/log-destination.ts';
import { waitFor } from '../kit/wait.ts';

/** A child whose stdin is a pipe: the logger writes to it as to its own stdout when that is a pipe. */
function pipeTo(command: string, args: string[]) {
  const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'ignore'] });
  return { child, pipe: child.stdin! };
}

const lineOf = (i: number) => `${JSON.stringify({ i, msg: 'x'.repeat(200) })}\n`;

test('a reader that does not read yet: writes return at once, and later every line arrives whole, in order', async (t) => {
  // cat stops reading its stdin while nobody reads its stdout: our pipe fills up.
  const { child, pipe } = pipeTo('cat', []);
  child.stdout!.pause();
  const destination = streamDestination(pipe);
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
  const { child, pipe } = pipeTo('sleep', ['60']);
  const destination = streamDestination(pipe);
  destination.write(lineOf(0));
  child.kill('SIGKILL');
  await new Promise((resolve) => child.on('close', resolve));
  // The first write after the reader left fails (EPIPE, reported once, asynchronously), unless Node saw the
  // pipe close first...
  t.notThrows(() => destination.write(lineOf(1)));
  await waitFor(() => destination.closed, { what: 'the write error' });
  // ...and from then on every line is dropped at once.
  for (let i = 2; i <= 100; i++) t.notThrows(() => destination.write(lineOf(i)));
  t.true(destination.dropped >= 99, String(destination.dropped));
});

test('a reader that stalls for good costs a bounded amount of memory: past it, new lines are dropped', (t) => {
  const { child, pipe } = pipeTo('sleep', ['60']);
  t.teardown(() => child.kill('SIGKILL'));
  const destination = streamDestination(pipe);
  const count = 30_000; // ~6.6 MB, more than the 4 MB the writer keeps
  for (let i = 0; i < count; i++) destination.write(lineOf(i));
  t.false(destination.closed);
  t.true(destination.dropped > 0 && destination.dropped < count, String(destination.dropped));
  t.true(pipe.writableLength <= 4 * 1024 * 1024 + lineOf(0).length);
});
