/**
 * A stand-in for curl, for tests that run README commands on a machine without curl: the options those
 * commands use (-s, -f, -w, -X, -H, -d and a URL), with curl's exit code 22 for an HTTP error under -f.
 * `curlOnPath()` returns a PATH that has curl: the system's, or a directory with this stand-in.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export function curlOnPath(currentPath = process.env.PATH ?? '', options: { standIn?: boolean } = {}): string {
  try {
    if (options.standIn) throw new Error('the stand-in asked for');
    execFileSync('curl', ['--version'], { stdio: 'ignore' });
    return currentPath;
  } catch {
    const dir = mkdtempSync(path.join(tmpdir(), 'curl-stand-in-'));
    writeFileSync(path.join(dir, 'curl'), `#!/bin/sh\nexec "${process.execPath}" "${import.meta.filename}" "$@"\n`);
    chmodSync(path.join(dir, 'curl'), 0o755);
    return `${dir}${path.delimiter}${currentPath}`;
  }
}

async function main(args: string[]): Promise<number> {
  let method: string | undefined;
  let data: string | undefined;
  let fail = false;
  let writeOut = '';
  let url = '';
  const headers: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '-X') method = args[++i];
    else if (a === '-H') {
      const [name, ...value] = args[++i]!.split(':');
      headers[name!.trim()] = value.join(':').trim();
    } else if (a === '-d') data = args[++i];
    else if (a === '-w') writeOut = args[++i]!.replaceAll('\\n', '\n');
    else if (/^-[sf]+$/.test(a)) fail ||= a.includes('f');
    else url = /^https?:\/\//.test(a) ? a : `http://${a}`;
  }
  const res = await fetch(url, { method: method ?? (data === undefined ? 'GET' : 'POST'), headers, body: data });
  if (fail && res.status >= 400) return 22;
  process.stdout.write(await res.text());
  process.stdout.write(writeOut);
  return 0;
}

if (import.meta.filename === process.argv[1]) process.exitCode = await main(process.argv.slice(2));
