/**
 * Stopping the HTTP server (src/http/server-close.ts): a connection opened and never used, or kept alive
 * between requests, does not hold the stop; a request in flight still gets its whole answer.
 */
import { createServer } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import test from 'ava';
import { trackConnections } from '../../src/http/server-close.ts';
import { httpServerOptions, KEEP_ALIVE_TIMEOUT_MS } from '../../src/http/server-options.ts';

async function serve(handler: (done: () => void) => void) {
  const server = createServer(httpServerOptions({ headersTimeoutMs: 60_000, requestTimeoutMs: 120_000 }), (_req, res) => handler(() => res.end('whole answer')));
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  const closer = trackConnections(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, closer, port: (server.address() as AddressInfo).port };
}

const opened = (port: number) => new Promise<import('node:net').Socket>((resolve, reject) => {
  const socket = connect(port, '127.0.0.1', () => resolve(socket));
  socket.once('error', reject);
});

test('a connection that never sent a request and a kept-alive one do not hold the stop', async (t) => {
  const { closer, port } = await serve((done) => done());
  const silent = await opened(port);
  const keptAlive = await fetch(`http://127.0.0.1:${port}/`, { headers: { connection: 'keep-alive' } });
  t.is(await keptAlive.text(), 'whole answer');
  const started = Date.now();
  await closer.close();
  t.true(Date.now() - started < 5_000, `stopped after ${Date.now() - started} ms (the headers deadline is 60 s)`);
  await new Promise<void>((resolve) => (silent.destroyed ? resolve() : silent.once('close', () => resolve())));
  t.true(silent.destroyed);
});

test('a request in flight when the stop begins gets its whole answer, then the stop ends', async (t) => {
  let finish: () => void = () => undefined;
  const { closer, port } = await serve((done) => { finish = done; });
  const answer = fetch(`http://127.0.0.1:${port}/slow`).then((r) => r.text());
  await new Promise((r) => setTimeout(r, 200)); // the request is in the handler
  let stopped = false;
  const stopping = closer.close().then(() => { stopped = true; });
  await new Promise((r) => setTimeout(r, 800));
  t.false(stopped, 'the stop waits for the request in flight');
  finish();
  t.is(await answer, 'whole answer');
  await stopping;
  t.true(stopped);
});
