/**
 * Creates the embedded database's cluster (initdb) in a short-lived child process. In-process, PGlite's
 * initdb runs a second Postgres instance and copies its whole WebAssembly heap, and that memory stays in the
 * service's process long after (idle RSS ~490 MB instead of ~220 MB after a first start). In a child it is
 * given back when the child exits. The child builds the cluster beside the directory and it is renamed into
 * place only once complete, so a crash mid-initdb leaves no half-made cluster behind, only a stale
 * "<dir>.initdb-<pid>" that the next first start removes. (A directory that cannot be replaced, a mounted
 * volume, gets the files copied in, PG_VERSION, the mark of a complete cluster, last.)
 *   node src/db/pglite-initdb.ts TARGET   (run by initPgliteCluster, not by hand)
 */
import { spawn } from 'node:child_process';
import { accessSync, constants, cpSync, existsSync, readdirSync, renameSync, rmdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { pgliteStartParams } from './pglite-dialect.ts';

/** Whether `dataDir` already holds a cluster (PGlite then only opens it). */
export const hasCluster = (dataDir: string) => existsSync(path.join(dataDir, 'PG_VERSION'));

/**
 * Runs initdb for `dataDir` in a child process unless it already holds a cluster. `dataDir` must exist and be
 * empty or hold a cluster (the caller holds its lock, so no one else is creating it).
 */
export async function initPgliteCluster(dataDir: string): Promise<'created' | 'existed'> {
  if (hasCluster(dataDir)) return 'existed';
  const parent = path.dirname(path.resolve(dataDir));
  const stagingName = `${path.basename(path.resolve(dataDir))}.initdb-`;
  // Leftovers of an initdb that was killed before it finished, beside the directory or in it.
  removeStaging(parent, stagingName);
  removeStaging(dataDir, stagingName);
  // lost+found: the directory is a file system's root (a mounted volume), otherwise empty.
  if (readdirSync(dataDir).some((entry) => entry !== 'lost+found')) {
    throw new Error(`${dataDir} is not empty but holds no database (no PG_VERSION): move its files away or choose another PGLITE_DATA_DIR`);
  }
  // Beside the directory, so that it can be renamed into place; inside it when the parent is not ours to write.
  const besideIt = writable(parent);
  const staging = path.join(besideIt ? parent : dataDir, `${stagingName}${process.pid}`);
  await runChild(staging);
  if (besideIt && replaceable(dataDir)) {
    renameSync(staging, dataDir);
    return 'created';
  }
  // Not replaceable (a mounted volume, lost+found): the files are copied in, PG_VERSION, the mark of a
  // complete cluster, last.
  const marker = path.join(staging, 'PG_VERSION');
  cpSync(staging, dataDir, { recursive: true, filter: (source) => source !== marker });
  cpSync(marker, path.join(dataDir, 'PG_VERSION'));
  rmSync(staging, { recursive: true, force: true });
  return 'created';
}

function removeStaging(dir: string, name: string): void {
  for (const entry of readdirSync(dir)) if (entry.startsWith(name)) rmSync(path.join(dir, entry), { recursive: true, force: true });
}

function writable(dir: string): boolean {
  try {
    accessSync(dir, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** Removes the empty directory if it can be (not a mount point, nothing in it) so a rename can take its place. */
function replaceable(dir: string): boolean {
  try {
    rmdirSync(dir);
    return true;
  } catch {
    return false;
  }
}

function runChild(target: string): Promise<void> {
  return new Promise((resolve, reject) => {
    // The parent's V8 flags (--liftoff-only, see package.json) keep the child's peak low too.
    // (A debugger's or watcher's flags are not passed on: a second inspector would fight for the port.)
    const flags = process.execArgv.filter((flag) => !/^--(inspect|debug|watch)/.test(flag));
    const child = spawn(process.execPath, [...flags, import.meta.filename, target], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString('utf8')).slice(-2000)));
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`initdb of the embedded database failed (${signal ?? `exit code ${code}`}): ${stderr.trim().split('\n').at(-1) ?? ''}`));
    });
  });
}

if (import.meta.main) {
  const target = process.argv[2];
  if (!target) throw new Error('usage: node src/db/pglite-initdb.ts TARGET');
  const pglite = await PGlite.create({ dataDir: target, startParams: pgliteStartParams() });
  await pglite.close();
  // PGlite leaves a timer behind; nothing else is left to do.
  process.exit(0);
}
