/**
 * The HTTP port is bound before the database is opened: a port in use must stop start-up before migrations
 * run (binding is the check, so there is no window for another process to take the port in between). Until
 * the service attaches its app, the listener answers 503 with Retry-After.
 */
import { createServer, type Server, type ServerOptions } from 'node:http';
import { StartupError } from '../lib/startup-error.ts';

export async function bindListener(port: number, host: string, options: ServerOptions = {}): Promise<Server> {
  const server = createServer(options, (_req, res) => {
    res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '2', connection: 'close' });
    res.end(JSON.stringify({ detail: 'starting up', status: 503, title: 'Service Unavailable' }));
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    throw new StartupError(describeListenError(port, host, error), { cause: error });
  }
  return server;
}

export function describeListenError(port: number, host: string, error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  const where = `${host}:${port}`;
  switch (code) {
    case 'EADDRINUSE':
      return `port ${port} on ${host} is already in use (another process listens on ${where}): stop it, or set PORT to a free port`;
    case 'EACCES':
      return `not allowed to listen on ${where} (EACCES; ports below 1024 need privileges): set PORT to 1024 or above`;
    case 'EADDRNOTAVAIL':
      return `${host} is not an address of this machine (EADDRNOTAVAIL): set HOST to one of its addresses, or 0.0.0.0`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `cannot resolve HOST "${host}" (${code}): set HOST to an address or a resolvable name`;
    default:
      return `cannot listen on ${where}: ${(error as Error).message}`;
  }
}
