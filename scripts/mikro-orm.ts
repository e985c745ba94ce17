/**
 * `npm run mikro-orm -- <command>` (migration:list, migration:check, migration:up, migration:create, debug):
 * MikroORM's own CLI with the project's mikro-orm.config.ts. Node runs that TypeScript file itself, so the CLI
 * looks for no TypeScript loader ("preferTs": false in package.json) and is told the file: `--config` goes
 * last, because the CLI's option takes every word after it as another file.
 */
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const config = fileURLToPath(new URL('../mikro-orm.config.ts', import.meta.url));
if (!process.argv.slice(2).some((arg) => arg === '--config' || arg.startsWith('--config='))) process.argv.push('--config', config);
const cli = path.join(path.dirname(fileURLToPath(import.meta.resolve('@mikro-orm/cli/package.json'))), 'cli.js');
await import(pathToFileURL(cli).href);
