/** Loopback ports for tests and benchmarks: a free one, and waiting until one opens or closes. */
import { connect, createServer } from 'node:net';

/** A loopback port that nothing listens on right now (connection refused until someone does). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Resolves once a TCP connection to 127.0.0.1:port succeeds (up) or is refused (down). */
export async function waitForPort(port: number, up: boolean, timeoutMs = 15_000, what = `port ${port}`): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open === up) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${what} did not become ${up ? 'reachable' : 'free'} within ${timeoutMs} ms`);
}
