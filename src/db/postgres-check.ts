/**
 * One connection to PostgreSQL before anything else uses it, so a wrong DATABASE_URL stops start-up with a
 * line saying what is wrong and what to do (never the password), not a stack trace from the first query.
 */
import pg from 'pg';
import { StartupError } from '../lib/startup-error.ts';

const CONNECT_TIMEOUT_MS = 10_000;

export async function checkPostgres(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
  // A connection that fails after connect() resolved emits 'error'; without a listener it would crash the process.
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('select 1');
  } catch (error) {
    throw new StartupError(describePostgresError(url, error), { cause: error });
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** What went wrong connecting to `url`, and what to do, in one line. */
export function describePostgresError(url: string, error: unknown): string {
  const { host, port, database, user } = target(url);
  const at = `PostgreSQL at ${host}:${port}`;
  const e = error as { code?: string; message?: string };
  switch (e.code) {
    case 'ECONNREFUSED':
      return `${at} refuses connections (ECONNREFUSED): start PostgreSQL, or fix the host and port in DATABASE_URL`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `cannot resolve the PostgreSQL host "${host}" (${e.code}): fix the host in DATABASE_URL`;
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return `${at} is unreachable (${e.code}): check the network or firewall, or fix DATABASE_URL`;
    case '3D000':
      return `database "${database}" does not exist on ${at}: create it (createdb -h ${host} -p ${port} -U ${user} ${database}) or fix the database name in DATABASE_URL`;
    case '28000':
      if (user === '(default)') return `DATABASE_URL names no user: add one (postgres://USER:PASSWORD@HOST:PORT/DATABASE); ${at} said: ${e.message}`;
      return `${at} refused user "${user}" (${e.message ?? 'no such role'}): create the role (createuser ${user}) or fix the user in DATABASE_URL`;
    case '28P01':
      return `password authentication failed for user "${user}" on ${at}: fix the password in DATABASE_URL`;
    case '57P03':
      return `${at} is starting up or shutting down: try again in a moment`;
    case '53300':
      return `${at} has no free connections (too many clients): raise max_connections or run fewer instances`;
  }
  if (/timeout/i.test(e.message ?? '')) {
    return `${at} did not answer within ${CONNECT_TIMEOUT_MS / 1000} s: check that it runs and is reachable, or fix DATABASE_URL`;
  }
  return `cannot use ${at} as user "${user}", database "${database}"${e.code ? ` (${e.code})` : ''}: ${e.message ?? String(error)}`;
}

function target(url: string) {
  const u = new URL(url);
  return {
    host: decodeURIComponent(u.hostname) || 'localhost',
    port: u.port || '5432',
    database: decodeURIComponent(u.pathname.replace(/^\//, '')) || '(default)',
    user: decodeURIComponent(u.username) || '(default)',
  };
}
