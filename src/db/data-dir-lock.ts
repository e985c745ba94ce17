/**
 * An exclusive lock on the embedded database's directory. PGlite is one process's database: a second process
 * opening the same files (a seed or a migration beside the running service) corrupts them. The lock is a file
 * next to the directory holding the holder's pid, host, command and start time, created atomically (written
 * under a temporary name, then hard-linked into place, which fails if the file exists). A lock whose pid is
 * not alive on this host, or a lock from another host whose holder stopped refreshing it, is stale and taken
 * over. Released on close and on process exit; after a SIGKILL it is stale and the next opener takes it.
 */
import { randomBytes } from 'node:crypto';
import { linkSync, readFileSync, renameSync, statSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { StartupError } from '../lib/startup-error.ts';

export interface LockHolder {
  pid: number;
  host: string;
  command: string;
  since: string;
  token: string;
}

export interface DataDirLock {
  readonly file: string;
  readonly holder: LockHolder;
  /** Removes the lock file if it is still ours. Idempotent. */
  release(): void;
}

/** The holder refreshes the file's mtime this often, so a lock from another host can be judged stale. */
const HEARTBEAT_MS = 10_000;
/** A lock from another host untouched for this long is stale (its holder is gone). */
export const FOREIGN_STALE_MS = 60_000;

export class DataDirLockedError extends StartupError {
  readonly holder: LockHolder;
  constructor(dataDir: string, file: string, holder: LockHolder) {
    const where = holder.host === hostname() ? '' : ` on host ${holder.host}`;
    super(
      `${dataDir} is in use by pid ${holder.pid}${where} (${holder.command}, since ${holder.since}): stop it first, ` +
        `or set DATABASE_URL to share one PostgreSQL between processes (lock file ${file})`,
    );
    this.name = 'DataDirLockedError';
    this.holder = holder;
  }
}

/** Directories locked by this process: a second open in the same process is refused too. */
const held = new Map<string, DataDirLock>();

export function lockFileFor(dataDir: string): string {
  return `${path.resolve(dataDir)}.lock`;
}

export function lockDataDir(dataDir: string, command = describeCommand()): DataDirLock {
  const file = lockFileFor(dataDir);
  const mine = held.get(file);
  if (mine) throw new DataDirLockedError(dataDir, file, mine.holder);

  const holder: LockHolder = { pid: process.pid, host: hostname(), command, since: new Date().toISOString(), token: randomBytes(8).toString('hex') };
  const content = `${JSON.stringify(holder)}\n`;
  const temp = `${file}.${process.pid}.${holder.token}.tmp`;
  writeFileSync(temp, content);
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        linkSync(temp, file);
        break;
      } catch (error) {
        if (code(error) !== 'EEXIST' || attempt >= 10) throw error;
      }
      const raw = readOrNull(file);
      if (raw === null) continue; // released meanwhile: try again
      const other = parseHolder(raw);
      if (other && !isStale(other, file)) throw new DataDirLockedError(dataDir, file, other);
      takeOver(file, raw);
    }
  } finally {
    unlinkQuietly(temp);
  }

  const heartbeat = setInterval(() => {
    const now = new Date();
    try {
      utimesSync(file, now, now);
    } catch {
      // The file is gone (removed by hand): nothing to refresh; release() copes.
    }
  }, HEARTBEAT_MS);
  heartbeat.unref();
  const onExit = () => lock.release();
  const lock: DataDirLock = {
    file,
    holder,
    release() {
      if (held.get(file) !== lock) return;
      held.delete(file);
      clearInterval(heartbeat);
      process.off('exit', onExit);
      // Only our own file: if someone removed ours and took the directory, theirs stays.
      if (readOrNull(file) === content) unlinkQuietly(file);
    },
  };
  held.set(file, lock);
  process.on('exit', onExit);
  return lock;
}

function isStale(holder: LockHolder, file: string): boolean {
  if (holder.host !== hostname()) {
    const age = Date.now() - (statOrNull(file)?.mtimeMs ?? 0);
    return age > FOREIGN_STALE_MS;
  }
  // Our own pid in a lock we do not hold: left by an earlier life of this pid (a container restart).
  if (holder.pid === process.pid) return true;
  return !pidAlive(holder.pid);
}

/**
 * Moves the stale file aside under a unique name (atomic: of several processes taking over at once, one
 * moves it), then checks that what it moved is the file it judged; if it moved a fresh lock instead (another
 * process took over in between), it puts that one back.
 */
function takeOver(file: string, judged: string): void {
  const aside = `${file}.stale-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    renameSync(file, aside);
  } catch (error) {
    if (code(error) === 'ENOENT') return;
    throw error;
  }
  if (readOrNull(aside) !== judged) {
    try {
      linkSync(aside, file);
    } catch {
      // A third process created a lock in the instant the file was away. Only three processes taking over
      // the same stale lock within microseconds get here; the lock does not claim to cover that.
    }
  }
  unlinkQuietly(aside);
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to another user.
    return code(error) === 'EPERM';
  }
}

function parseHolder(raw: string): LockHolder | null {
  try {
    const value = JSON.parse(raw) as Partial<LockHolder>;
    if (typeof value.pid === 'number' && typeof value.host === 'string') {
      return { pid: value.pid, host: value.host, command: String(value.command ?? '?'), since: String(value.since ?? '?'), token: String(value.token ?? '') };
    }
  } catch {
    // Not a lock we wrote (empty or damaged): treated as stale.
  }
  return null;
}

/** "node src/cli/seed.ts --file x.csv": what an operator recognises in `ps`. */
function describeCommand(): string {
  const script = process.argv[1] ? path.relative(process.cwd(), process.argv[1]) || process.argv[1] : '';
  return [path.basename(process.execPath), script, ...process.argv.slice(2)].filter(Boolean).join(' ').slice(0, 200);
}

const code = (error: unknown) => (error as NodeJS.ErrnoException | undefined)?.code;

function readOrNull(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    if (code(error) === 'ENOENT') return null;
    throw error;
  }
}

function statOrNull(file: string) {
  try {
    return statSync(file);
  } catch {
    return null;
  }
}

function unlinkQuietly(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    // Already gone.
  }
}
