/**
 * A PostgreSQL server on 127.0.0.1 that speaks just enough of the wire protocol to refuse a password the
 * way PostgreSQL does: it asks for a cleartext password, reads it, and answers FATAL 28P01. (The local test
 * server trusts every connection, so it cannot produce this error.) It records the passwords it was sent.
 */
import { createServer, type Server, type Socket } from 'node:net';

export interface FakePostgres {
  port: number;
  passwords: string[];
  close(): Promise<void>;
}

function message(type: string, body: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head.write(type, 0, 'latin1');
  head.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([head, body]);
}

function errorResponse(fields: Record<string, string>): Buffer {
  const parts = Object.entries(fields).map(([k, v]) => Buffer.from(`${k}${v}\0`, 'utf8'));
  return message('E', Buffer.concat([...parts, Buffer.from([0])]));
}

export async function startFakePostgres(): Promise<FakePostgres> {
  const passwords: string[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let buffer = Buffer.alloc(0);
    let startup = true;
    let user = '';
    socket.on('data', (chunk) => {
      buffer = Buffer.concat([buffer, chunk]);
      for (;;) {
        if (startup) {
          if (buffer.length < 4) return;
          const length = buffer.readInt32BE(0);
          if (buffer.length < length) return;
          const packet = buffer.subarray(4, length);
          buffer = buffer.subarray(length);
          const code = packet.readInt32BE(0);
          if (code === 80877103) {
            socket.write('N'); // SSLRequest: no SSL here
            continue;
          }
          const params = packet.subarray(4).toString('utf8').split('\0');
          user = params[params.indexOf('user') + 1] ?? '';
          startup = false;
          const auth = Buffer.alloc(4);
          auth.writeInt32BE(3); // AuthenticationCleartextPassword
          socket.write(message('R', auth));
          continue;
        }
        if (buffer.length < 5) return;
        const length = buffer.readInt32BE(1);
        if (buffer.length < length + 1) return;
        const type = buffer.toString('latin1', 0, 1);
        const body = buffer.subarray(5, length + 1);
        buffer = buffer.subarray(length + 1);
        if (type === 'p') {
          passwords.push(body.toString('utf8').replace(/\0$/, ''));
          socket.end(errorResponse({ S: 'FATAL', V: 'FATAL', C: '28P01', M: `password authentication failed for user "${user}"` }));
          return;
        }
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    passwords,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
