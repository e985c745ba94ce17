/**
 * The architecture check (scripts/lint-arch.ts with .dependency-cruiser.cjs) fires on each rule's deliberate
 * violation and stays quiet on its allowed neighbours, in a scratch project with the real rule file: a rule
 * that silently stopped matching (a renamed folder, a regex typo) would let CI pass on a broken boundary.
 * The real tree is checked by `npm run lint:arch` in .ci/run, not here.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import test from 'ava';
import { blankComments, countTypeImports, folderOf, importViolations, sourceViolations, type Violation } from '../../scripts/lint-arch.ts';
import { repoRoot } from '../kit/process.ts';

function project(files: Record<string, string>): string {
  const root = mkdtempSync(path.join(tmpdir(), 'arch-fixture-'));
  cpSync(path.join(repoRoot, '.dependency-cruiser.cjs'), path.join(root, '.dependency-cruiser.cjs'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    writeFileSync(path.join(root, name), text);
  }
  return root;
}

const edges = (violations: Violation[]) => violations.map((v) => `${v.rule}: ${v.from} → ${v.to}`).sort();

/** Every module the fixture's imports name, so nothing is unresolved. */
const leaves: Record<string, string> = {
  'src/domain/categories.ts': 'export const y = 1;\n',
  'src/lib/other.ts': 'export const z = 1;\n',
  'src/db/sql.ts': 'export const q = 1;\n',
  'src/db/database.ts': 'export interface Database { x: number }\nexport const open = () => 1;\n',
  'src/db/repositories/tickets.ts': "import { q } from '../sql.ts';\nexport const r = q;\n",
  'src/inbound/webhooks/b.ts': 'export const w = 1;\n',
  'src/inbound/rest/c.ts': 'export const s = 1;\n',
  'src/ingest/ingest.ts': 'export const ingest = 1;\n',
};

test('each import rule fires on its violation, and not on what it allows', async (t) => {
  const root = project({
    ...leaves,
    // domain-is-pure: lib is ours, and so is a type from db (types count); domain among itself is fine
    'src/domain/ticket.ts': "import { z } from '../lib/other.ts';\nimport type { Database } from '../db/database.ts';\nimport { y } from './categories.ts';\nexport const t: Database | number = z + y;\n",
    // lib-is-generic
    'src/lib/util.ts': "import { y } from '../domain/categories.ts';\nimport { z } from './other.ts';\nexport const u = y + z;\n",
    // doors-apart and doors-reach-db-through-repositories (the repository, types and its own door are fine)
    'src/inbound/rest/a.ts': [
      "import { w } from '../webhooks/b.ts';",
      "import { q } from '../../db/sql.ts';",
      "import { r } from '../../db/repositories/tickets.ts';",
      "import type { Database } from '../../db/database.ts';",
      "import { s } from './c.ts';",
      "import { ingest } from '../../ingest/ingest.ts';",
      'export const a: Database | number = w + q + r + s + ingest;',
      '',
    ].join('\n'),
    // `import { type X }` still loads the module at run time: it counts
    'src/inbound/imap/i.ts': "import { s } from '../rest/c.ts';\nimport { type Database } from '../../db/database.ts';\nexport const i: Database | number = s;\n",
    // classify-and-slack-not-inbound
    'src/classify/job.ts': "import { w } from '../inbound/webhooks/b.ts';\nimport { ingest } from '../ingest/ingest.ts';\nexport const j = w + ingest;\n",
    'src/slack/alerts.ts': "import { s } from '../inbound/rest/c.ts';\nexport const al = s;\n",
    // no-cycles: a runtime cycle fires, and so does a cycle through a type-only import
    'src/ingest/a.ts': "import { b } from './b.ts';\nexport const a = () => b;\n",
    'src/ingest/b.ts': "import { a } from './a.ts';\nexport const b = () => a;\n",
    'src/ingest/c.ts': "import type { D } from './d.ts';\nexport const c = (d: D) => d;\n",
    'src/ingest/d.ts': "import { c } from './c.ts';\nexport type D = number;\nexport const d = c;\n",
  });
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  t.deepEqual(edges(await importViolations(root)), [
    'classify-and-slack-not-inbound: src/classify/job.ts → src/inbound/webhooks/b.ts',
    'classify-and-slack-not-inbound: src/slack/alerts.ts → src/inbound/rest/c.ts',
    'domain-is-pure: src/domain/ticket.ts → src/db/database.ts',
    'domain-is-pure: src/domain/ticket.ts → src/lib/other.ts',
    'doors-apart: src/inbound/imap/i.ts → src/inbound/rest/c.ts',
    'doors-apart: src/inbound/rest/a.ts → src/inbound/webhooks/b.ts',
    'doors-reach-db-through-repositories: src/inbound/imap/i.ts → src/db/database.ts',
    'doors-reach-db-through-repositories: src/inbound/rest/a.ts → src/db/sql.ts',
    'lib-is-generic: src/lib/util.ts → src/domain/categories.ts',
    // one violation per cycle, named from the module dependency-cruiser met first
    'no-cycles: src/ingest/a.ts → src/ingest/b.ts → src/ingest/a.ts',
    'no-cycles: src/ingest/c.ts → src/ingest/d.ts → src/ingest/c.ts',
    // domain and lib import each other above
    'no-folder-cycles: src/domain/ → src/lib/ (src/domain/ticket.ts → src/lib/other.ts)',
    'no-folder-cycles: src/lib/ → src/domain/ (src/lib/util.ts → src/domain/categories.ts)',
  ]);
});

test('a type import across a boundary is caught, in every spelling: import type, import { type X }, export type ... from', async (t) => {
  const root = project({
    ...leaves,
    'src/config/imap.ts': "export type Mailbox = { id: string };\nexport const x = 1;\n",
    'src/inbound/imap/providers.ts': "export type Preset = { url: string };\nexport const p = 1;\n",
    'src/outbound/reply.ts': 'export type Draft = { text: string };\nexport interface Sender { send(): void }\n',
    'src/slack/cards.ts': 'export type Card = { id: number };\n',
    'src/http/host.ts': 'export type Host = { port: number };\n',
    // config-only-domain-and-lib: the three spellings, each from another module
    'src/config/one.ts': "import type { Preset } from '../inbound/imap/providers.ts';\nexport const one = (p: Preset) => p;\n",
    'src/config/two.ts': "import { type Draft } from '../outbound/reply.ts';\nexport const two = (d: Draft) => d;\n",
    'src/config.ts': "export type { Card } from './slack/cards.ts';\nexport type { Mailbox } from './config/imap.ts';\nexport const env = 1;\n",
    // ingest-only-db-domain-lib-config: a multi-line type import of outbound, a type of the host
    'src/ingest/replies.ts': "import type {\n  Draft,\n  Sender,\n} from '../outbound/reply.ts';\nimport type { Host } from '../http/host.ts';\nimport { q } from '../db/sql.ts';\nimport type { Mailbox } from '../config/imap.ts';\nexport const r = (d: Draft, s: Sender, h: Host, m: Mailbox) => [d, s, h, m, q];\n",
    // doors-reach-db-through-repositories sees runtime imports only: the handle's type is allowed to a door
    'src/inbound/rest/handle.ts': "import type { Database } from '../../db/database.ts';\nexport const h = (db: Database) => db;\n",
  });
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  const found = edges(await importViolations(root));
  for (const edge of [
    'config-only-domain-and-lib: src/config.ts → src/slack/cards.ts',
    'config-only-domain-and-lib: src/config/one.ts → src/inbound/imap/providers.ts',
    'config-only-domain-and-lib: src/config/two.ts → src/outbound/reply.ts',
    'ingest-only-db-domain-lib-config: src/ingest/replies.ts → src/http/host.ts',
    'ingest-only-db-domain-lib-config: src/ingest/replies.ts → src/outbound/reply.ts',
  ]) t.true(found.includes(edge), `${edge} not in\n${found.join('\n')}`);
  t.false(found.some((e) => e.includes('src/config/imap.ts') && !e.startsWith('no-folder-cycles')), 'config and db are what ingest may import');
  t.false(found.some((e) => e.includes('src/inbound/rest/handle.ts')), found.join('\n'));
});

test('two folders that import each other are a folder cycle, with the import that makes each edge', async (t) => {
  const root = project({
    ...leaves,
    'src/outbound/send.ts': "import type { Q } from '../ingest/queue.ts';\nexport const s = (q: Q) => q;\nexport type S = number;\n",
    'src/ingest/queue.ts': "import type { S } from '../outbound/send.ts';\nexport type Q = S;\n",
    // a longer loop: classify -> ops -> sla -> classify
    'src/classify/x.ts': "import { o } from '../ops/y.ts';\nexport const x = o;\n",
    'src/ops/y.ts': "import { z } from '../sla/z.ts';\nexport const o = z;\n",
    'src/sla/z.ts': "import type { X } from '../classify/w.ts';\nexport const z = 1 as unknown as X;\n",
    'src/classify/w.ts': 'export type X = number;\n',
    // one way only is fine
    'src/slack/a.ts': "import { ingest } from '../ingest/ingest.ts';\nexport const a = ingest;\n",
  });
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  const cycles = edges(await importViolations(root)).filter((e) => e.startsWith('no-folder-cycles'));
  t.deepEqual(cycles, [
    'no-folder-cycles: src/classify/ → src/ops/ (src/classify/x.ts → src/ops/y.ts)',
    'no-folder-cycles: src/ingest/ → src/outbound/ (src/ingest/queue.ts → src/outbound/send.ts)',
    'no-folder-cycles: src/ops/ → src/sla/ (src/ops/y.ts → src/sla/z.ts)',
    'no-folder-cycles: src/outbound/ → src/ingest/ (src/outbound/send.ts → src/ingest/queue.ts)',
    'no-folder-cycles: src/sla/ → src/classify/ (src/sla/z.ts → src/classify/w.ts)',
  ]);
});

test('type imports become imports before stripping; type declarations and local type exports stay types', (t) => {
  t.is(countTypeImports("import type { A } from './a.ts';"), "import { A } from './a.ts';");
  t.is(countTypeImports("import type A from './a.ts';"), "import A from './a.ts';");
  t.is(countTypeImports("import type * as A from './a.ts';"), "import * as A from './a.ts';");
  t.is(countTypeImports("export type { A } from './a.ts';"), "export { A } from './a.ts';");
  t.is(countTypeImports("export type * from './a.ts';"), "export * from './a.ts';");
  for (const kept of ['export type A = number;', 'export type { A };', "const s = 'import type { A } from x';"]) t.is(countTypeImports(kept), kept);
  t.is(folderOf('src/config.ts'), 'src/config/');
  t.is(folderOf('src/inbound/rest/routes/x.ts'), 'src/inbound/rest/');
  t.is(folderOf('src/slack/cards/x.ts'), 'src/slack/');
  t.is(folderOf('src/service.ts'), 'src/service.ts');
});

test('process.env only in config, .env only in the CLI bootstrap, SQL only in src/db: every spelling, no comment or string', (t) => {
  const root = project({
    'src/config.ts': "export const load = (source = process.env) => source;\nprocess.loadEnvFile('.env');\n",
    'src/config/extra.ts': 'export const home = process.env.HOME;\n',
    'src/ingest/env.ts': [
      'const a = process.env.A;', // 1
      "const b = process['env'];", // 2
      'const { env } = process;', // 3
      'const c = `x ${process.env.C} y`;', // 4: in a template's code
      'const url = /https?:\\/\\//.test(a ?? "") ? process?.env : 0;', // 5: after a regex holding //
      "import { env as e } from 'node:process';", // 6
      '// process.env in a comment',
      '/* and process.env in a block comment */',
      "const s = 'process.env in a string';",
      'const tpl = `process.env in template text`;',
      'export { a, b, env, c, url, e, s, tpl };',
      '',
    ].join('\n'),
    'src/cli/other.ts': "if (1) process.loadEnvFile('.env');\n",
    'src/db/repositories/tickets.ts': "export const all = (db: any) => db.query('select * from tickets');\n",
    'src/ingest/store.ts': [
      "export const one = (db: any) => db.sql.query<{ id: number }>('select 1');",
      'export const two = (db: any) => db.selectFrom("tickets").selectAll();',
      'export const three = (tx: any) => tx.query(`update tickets set x = 1`);',
      "// db.query('select in a comment')",
      "export const label = 'db.query(\"in a string\")';",
      'export const policy = (p: any) => p.execute(() => 1);',
      '',
    ].join('\n'),
  });
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  t.deepEqual(edges(sourceViolations(root)).map((e) => e.replace(/ → .*/, '')), [
    'env-file-only-in-config: src/cli/other.ts:1',
    'env-only-in-config: src/ingest/env.ts:1',
    'env-only-in-config: src/ingest/env.ts:2',
    'env-only-in-config: src/ingest/env.ts:3',
    'env-only-in-config: src/ingest/env.ts:4',
    'env-only-in-config: src/ingest/env.ts:5',
    'env-only-in-config: src/ingest/env.ts:6',
    'sql-only-in-db: src/ingest/store.ts:1',
    'sql-only-in-db: src/ingest/store.ts:2',
    'sql-only-in-db: src/ingest/store.ts:3',
  ]);
});

test('blanking keeps offsets and lines, and leaves code inside template interpolations', (t) => {
  const source = "const a = `t ${b('x')} u`; // c\n/* d\n e */ const f = '//g';\n";
  const { withStrings, code } = blankComments(source);
  t.is(withStrings.length, source.length);
  t.is(code.length, source.length);
  t.is(code.split('\n').length, source.split('\n').length);
  t.true(code.includes("${b(' ')}"), code);
  t.false(withStrings.includes('// c'));
  t.true(withStrings.includes("'//g'"), 'a string is not a comment');
  t.false(code.includes('//g'));
});

test('the command fails CI on a broken rule and passes a clean tree', (t) => {
  const clean = project({ ...leaves, 'src/config.ts': 'export const env = process.env;\n' });
  const broken = project({ ...leaves, 'src/lib/bad.ts': "import { y } from '../domain/categories.ts';\nexport const bad = y;\n" });
  t.teardown(() => {
    rmSync(clean, { recursive: true, force: true });
    rmSync(broken, { recursive: true, force: true });
  });
  const run = (root: string) =>
    spawnSync(process.execPath, ['--disable-warning=ExperimentalWarning', path.join(repoRoot, 'scripts/lint-arch.ts'), root], { encoding: 'utf8' });
  const ok = run(clean);
  t.is(ok.status, 0, ok.stdout + ok.stderr);
  t.regex(ok.stdout, /architecture: 0 error/);
  const bad = run(broken);
  t.is(bad.status, 1, bad.stdout + bad.stderr);
  t.regex(bad.stdout, /error lib-is-generic \(1\):\n {2}src\/lib\/bad\.ts → src\/domain\/categories\.ts/);
});

test('the Slack adapter keeps its inner shape: receiving, delivery and cards stand alone, jobs and interactions apart', async (t) => {
  const root = project({
    'src/slack/delivery/errors.ts': 'export const e = 1;\n',
    'src/slack/delivery/post-once.ts': "import { e } from './errors.ts';\nimport { card } from '../cards/card.ts';\nexport const post = e + card;\n",
    'src/slack/cards/format.ts': 'export const f = 1;\n',
    'src/slack/cards/card.ts': "import { f } from './format.ts';\nexport const card = f;\n",
    'src/slack/receiving/shape.ts': "import { e } from '../delivery/errors.ts';\nexport const shape = e;\n",
    // allowed: jobs and interactions use cards, delivery and their own folder; not: each other, receiving
    'src/slack/jobs/routing.ts': 'export const route = 1;\n',
    'src/slack/jobs/alerts.ts': "import { post } from '../delivery/post-once.ts';\nimport { card } from '../cards/card.ts';\nimport { route } from './routing.ts';\nimport { modal } from '../interactions/modal.ts';\nexport const alert = post + card + route + modal;\n",
    'src/slack/interactions/modal.ts': 'export const modal = 1;\n',
    'src/slack/interactions/actions.ts': "import { card } from '../cards/card.ts';\nimport { e } from '../delivery/errors.ts';\nimport { modal } from './modal.ts';\nimport { route } from '../jobs/routing.ts';\nimport { shape } from '../receiving/shape.ts';\nexport const click = () => card + e + modal + route + shape;\n",
    'src/slack/index.ts': "import { click } from './interactions/actions.ts';\nimport { alert } from './jobs/alerts.ts';\nimport { shape } from './receiving/shape.ts';\nexport const slack = [click, alert, shape];\n",
  });
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  const slackRules = edges(await importViolations(root)).filter((e) => e.startsWith('slack-'));
  t.deepEqual(slackRules, [
    'slack-jobs-and-interactions-apart: src/slack/interactions/actions.ts → src/slack/jobs/routing.ts',
    'slack-jobs-and-interactions-apart: src/slack/interactions/actions.ts → src/slack/receiving/shape.ts',
    'slack-jobs-and-interactions-apart: src/slack/jobs/alerts.ts → src/slack/interactions/modal.ts',
    'slack-parts-stand-alone: src/slack/delivery/post-once.ts → src/slack/cards/card.ts',
    'slack-parts-stand-alone: src/slack/receiving/shape.ts → src/slack/delivery/errors.ts',
  ]);
});
