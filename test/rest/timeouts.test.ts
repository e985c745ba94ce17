import { connect, type Socket } from 'node:net';
import test from 'ava';
import { loadConfig } from '../../src/config.ts';
import { startTestService, type TestService } from '../kit/service.ts';

// Short deadlines so the test is quick; Node's own defaults would hold these sockets 60 s (headers) / 5 min (body).
const HEADERS_MS = 1000;
const REQUEST_MS = 2000;
// Generous on a loaded machine, still far below Node's defaults: a cut-off here is the configured one.
const CUT_OFF_WITHIN_MS = 20_000;

let svc: TestService;
test.before(async () => {
  svc = await startTestService({ API_KEYS: 'key-one', HTTP_HEADERS_TIMEOUT_MS: String(HEADERS_MS), HTTP_REQUEST_TIMEOUT_MS: String(REQUEST_MS) });
});
test.after.always(async () => svc?.stop());

interface Session {
  received: string;
  closedAfterMs: number;
}

/** Opens a raw socket, runs `talk`, resolves when the server closes it (or rejects after the deadline). */
function session(talk: (socket: Socket) => void): Promise<Session> {
  const port = Number(new URL(svc.baseUrl).port);
  return new Promise((resolve, reject) => {
    const started = Date.now();
    let received = '';
    const socket = connect(port, '127.0.0.1', () => talk(socket));
    const deadline = setTimeout(() => {
      socket.destroy();
      reject(new Error(`still open after ${CUT_OFF_WITHIN_MS} ms; received: ${received}`));
    }, CUT_OFF_WITHIN_MS);
    socket.on('data', (chunk) => {
      received += chunk.toString('latin1');
    });
    socket.on('error', () => undefined); // a reset is a cut-off too
    socket.on('close', () => {
      clearTimeout(deadline);
      resolve({ received, closedAfterMs: Date.now() - started });
    });
  });
}

/** Writes `chunk` every 200 ms until the socket closes. */
function trickle(socket: Socket, chunk: string) {
  const timer = setInterval(() => (socket.destroyed ? clearInterval(timer) : socket.write(chunk)), 200);
  socket.on('close', () => clearInterval(timer));
}

test('headers trickled one line at a time are cut off with 408 after HTTP_HEADERS_TIMEOUT_MS', async (t) => {
  const s = await session((socket) => {
    socket.write('GET /health HTTP/1.1\r\nHost: triage\r\n');
    trickle(socket, 'X-Padding: still-coming\r\n');
  });
  t.log(`closed after ${s.closedAfterMs} ms`);
  t.true(s.received === '' || s.received.startsWith('HTTP/1.1 408'), s.received);
  t.true(s.closedAfterMs >= HEADERS_MS - 100, 'not before the configured time');
});

test('a body trickled a byte at a time is cut off with 408 after HTTP_REQUEST_TIMEOUT_MS; nothing is stored', async (t) => {
  const s = await session((socket) => {
    socket.write('POST /api/v1/requests HTTP/1.1\r\nHost: triage\r\nX-API-Key: key-one\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n{"text":"');
    trickle(socket, 'a');
  });
  t.log(`closed after ${s.closedAfterMs} ms`);
  t.true(s.received === '' || s.received.startsWith('HTTP/1.1 408'), s.received);
  t.true(s.closedAfterMs >= REQUEST_MS - 100);
  const [row] = await svc.service.db.sql.query<{ n: number }>('select count(*)::int as n from tickets');
  t.is(row!.n, 0);
});

test('an idle keep-alive connection is not a slow request: a second request after both deadlines is served', async (t) => {
  const s = await session((socket) => {
    socket.write('GET /health HTTP/1.1\r\nHost: triage\r\n\r\n');
    setTimeout(() => socket.write('GET / HTTP/1.1\r\nHost: triage\r\nConnection: close\r\n\r\n'), REQUEST_MS + 1500);
  });
  t.is(s.received.match(/HTTP\/1\.1 200 OK/g)?.length, 2, s.received.slice(0, 300));
});

test('the timeouts are configuration: defaults 30 s / 10 s, headers no longer than the request', (t) => {
  const http = loadConfig({}).http;
  t.is(http.requestTimeoutMs, 30_000);
  t.is(http.headersTimeoutMs, 10_000);
  t.throws(() => loadConfig({ HTTP_REQUEST_TIMEOUT_MS: '5000', HTTP_HEADERS_TIMEOUT_MS: '6000' }), { message: /HTTP_HEADERS_TIMEOUT_MS/ });
  t.throws(() => loadConfig({ HTTP_REQUEST_TIMEOUT_MS: '0' }), { message: /HTTP_REQUEST_TIMEOUT_MS/ });
});
