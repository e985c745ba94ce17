/**
 * The embedded database every test service starts from: a fresh service's database (migrated, the job
 * queue's schema made), dumped once and kept in the temp directory under a name made of what shapes it (the
 * migrations, the locked package versions, the queue's set-up). A fresh in-memory PGlite runs initdb (~2 s of
 * CPU) and then the migrations; from the image a service is up in a fraction of that, so the suite's hundreds of
 * services cost seconds, not minutes. The service still migrates on start: an image missing a migration just
 * gets it applied. Tests of the first start itself (initdb, the start-up report) do not use it.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { loadConfig } from '../../src/config.ts';
import { createService } from '../../src/service.ts';

const root = path.resolve(import.meta.dirname, '../..');
const PREFIX = 'support-triage-pglite-image-';

function fingerprint(): string {
  const hash = createHash('sha256');
  const migrations = path.join(root, 'migrations');
  for (const name of readdirSync(migrations).sort()) hash.update(name).update(readFileSync(path.join(migrations, name)));
  for (const file of ['package-lock.json', 'src/db/queue.ts', 'src/db/queue-registry.ts', 'src/db/pglite-dialect.ts']) hash.update(readFileSync(path.join(root, file)));
  return hash.digest('hex').slice(0, 16);
}

async function build(): Promise<Uint8Array> {
  const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', PGLITE_DATA_DIR: 'memory://', PORT: '0' });
  const service = await createService(config, { logger: pino({ level: 'silent' }) });
  try {
    await service.db.sql.query('checkpoint');
    const dump = await service.db.pglite!.dumpDataDir('none');
    return new Uint8Array(await dump.arrayBuffer());
  } finally {
    await service.stop();
  }
}

let image: Promise<Blob> | undefined;

/** The image (built when this checkout's is not in the temp directory yet); one read per test process. */
export function pgliteImage(): Promise<Blob> {
  image ??= (async () => {
    const file = path.join(tmpdir(), `${PREFIX}${fingerprint()}.tar`);
    try {
      return new Blob([readFileSync(file)]);
    } catch {
      // Not there yet: build it. Two processes may build at once; each writes its own file and renames it into
      // place, so a reader never sees half an image.
    }
    const bytes = await build();
    const partial = `${file}.${process.pid}.partial`;
    writeFileSync(partial, bytes);
    renameSync(partial, file);
    removeOldImages(file);
    return new Blob([bytes]);
  })();
  return image;
}

/** Images of other checkouts' migrations, untouched for a day, are 40 MB each: gone. */
function removeOldImages(keep: string): void {
  const dir = path.dirname(keep);
  for (const name of readdirSync(dir)) {
    const file = path.join(dir, name);
    if (!name.startsWith(PREFIX) || file === keep) continue;
    try {
      if (Date.now() - statSync(file).mtimeMs > 86_400_000) rmSync(file, { force: true });
    } catch {
      // another process removed it first
    }
  }
}
