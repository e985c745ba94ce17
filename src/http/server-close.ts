/**
 * Stopping the HTTP server without waiting on connections that hold nothing. server.close() waits for every
 * connection to end; closeIdleConnections() ends the kept-alive ones between requests, but not a connection
 * that was opened and never sent a request (a client's spare socket), which then held the stop until the
 * headers deadline (~60 s). Requests in flight still finish.
 */
import type { Server } from 'node:http';
import type { Socket } from 'node:net';

export interface ServerCloser {
  /** Stops accepting, ends idle and never-used connections (also those turning idle meanwhile), waits for the rest. */
  close(): Promise<void>;
}

export function trackConnections(server: Server): ServerCloser {
  const open = new Set<Socket>();
  const used = new WeakSet<Socket>();
  server.on('connection', (socket: Socket) => {
    open.add(socket);
    socket.once('close', () => open.delete(socket));
  });
  server.on('request', (req) => used.add(req.socket));
  const endUnused = () => {
    for (const socket of open) if (!used.has(socket)) socket.destroy();
    server.closeIdleConnections();
  };
  return {
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      endUnused();
      // A connection turning idle after close() (a request in flight, a browser's reconnect on a kept-alive
      // socket) would otherwise stay for the whole keep-alive timeout (65 s).
      const sweep = setInterval(endUnused, 250);
      await closed.finally(() => clearInterval(sweep));
    },
  };
}
