/**
 * One reader per mailbox across instances. On PostgreSQL: a session advisory lock held on a dedicated
 * connection for as long as this instance reads the mailbox (if that connection dies, the lock is gone
 * and we stop reading). On PGlite there is only one process; readers sharing the Database object exclude
 * each other in memory.
 */
import type { Database } from '../database.ts';
import { sqlOf } from '../sql.ts';

export interface HeldLock {
  /** Resolves when the lock is gone (its connection died, or it was released); never rejects. */
  readonly lost: Promise<void>;
  release(): Promise<void>;
}

export interface MailboxLock {
  /** Takes the lock if free; null when another reader holds it. */
  tryAcquire(): Promise<HeldLock | null>;
}

const inProcess = new WeakMap<object, Set<string>>();

export function createMailboxLock(db: Database, key: string, options: { pingMs?: number } = {}): MailboxLock {
  if (db.kind === 'pglite') {
    return {
      async tryAcquire() {
        let held = inProcess.get(db.orm);
        if (!held) inProcess.set(db.orm, (held = new Set()));
        if (held.has(key)) return null;
        held.add(key);
        let released = false;
        return {
          lost: new Promise<void>(() => {}),
          async release() {
            if (released) return;
            released = true;
            held.delete(key);
          },
        };
      },
    };
  }

  const pingMs = options.pingMs ?? 15_000;
  return {
    tryAcquire() {
      const kysely = db.sql.kysely;
      if (!('connection' in kysely)) throw new Error('mailbox lock needs the pool, not a transaction');
      return new Promise<HeldLock | null>((resolveAcquire, rejectAcquire) => {
        let release!: () => void;
        const releaseRequested = new Promise<void>((r) => (release = r));
        let markLost!: () => void;
        const lost = new Promise<void>((r) => (markLost = r));
        let acquired = false;
        let done!: Promise<void>;
        done = kysely
          .connection()
          .execute(async (conn) => {
            const sql = sqlOf(conn);
            const [row] = await sql.query<{ ok: boolean }>('select pg_try_advisory_lock(hashtextextended($1, 0)) as ok', [key]);
            if (!row?.ok) {
              resolveAcquire(null);
              return;
            }
            acquired = true;
            resolveAcquire({
              lost,
              async release() {
                release();
                await done.catch(() => {});
              },
            });
            // Hold the connection (and so the lock) until released; a failing ping means the lock is gone.
            for (;;) {
              const stop = await Promise.race([
                releaseRequested.then(() => true),
                new Promise<boolean>((r) => setTimeout(() => r(false), pingMs).unref()),
              ]);
              if (stop) break;
              await sql.query('select 1');
            }
            await sql.query('select pg_advisory_unlock(hashtextextended($1, 0))', [key]);
          })
          .catch((err: unknown) => {
            if (!acquired) rejectAcquire(err);
          })
          .finally(() => markLost());
      });
    },
  };
}
