/**
 * `npm run lint:arch`: the architecture rules of src/, as CI enforces them (.ci/run).
 *  1. Import boundaries (.dependency-cruiser.cjs) checked by dependency-cruiser. It cannot parse .ts with the
 *     installed TypeScript 7 (no JavaScript API), so the sources are copied to a scratch folder with their
 *     types stripped by Node's own stripper and `.ts` import specifiers renamed `.js`. Type imports count
 *     like any other (a type is a dependency on the module that defines it): before stripping, `import type`
 *     and `export type ... from` become plain imports and re-exports, which the stripper keeps, and
 *     `import { type X }` keeps its module as an import with the type names erased.
 *  2. What no import graph shows, found in the source text (comments and strings excluded): only
 *     src/config.ts (or src/config/) reads process.env, only src/config.ts loads a .env file (for every command, through src/cli/bootstrap.ts), and
 *     SQL is written only in src/db/ (a query call given SQL text, Kysely's sql tag or query builder).
 * Prints every violation with its rule and a count per rule; exits 1 when any rule of severity error broke.
 *   node scripts/lint-arch.ts [project root, default: this repository]
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire, stripTypeScriptTypes } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { cruise, type ICruiseResult, type IConfiguration } from 'dependency-cruiser';

export interface Violation {
  rule: string;
  severity: 'error' | 'warn' | 'info' | 'ignore';
  from: string;
  /** The imported module, the way back to `from` for a cycle (b → a), or the offending line of source rules. */
  to: string;
}

const here = path.resolve(import.meta.dirname, '..');

function sourceFiles(dir: string, root = dir): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? sourceFiles(full, root) : [path.relative(root, full)];
  });
}

const isCode = (file: string) => file.endsWith('.ts') && !file.endsWith('.d.ts');
const asJs = (file: string) => file.replace(/\.ts$/, '.js');
const asTs = (file: string) => file.replace(/\.js$/, '.ts');

/**
 * `import type X from`, `import type { X } from`, `import type * as X from` and `export type { X } from` as
 * runtime imports, so the stripper keeps them. A local `export type { X }` (no `from`) and type declarations
 * (`export type X = ...`) are left alone. Statements at the start of a line only: comments and strings that
 * mention them are not rewritten (a rewritten comment would change nothing anyway).
 */
export function countTypeImports(source: string): string {
  return source
    .replace(/^(\s*)import\s+type\s+(?=[\w${*])/gm, '$1import ')
    .replace(/^(\s*)export\s+type\s+(\*|\{[^}]*\}\s*from\b)/gm, '$1export $2');
}

/** The rules file: dependency-cruiser's `forbidden` list, plus the names of rules that see runtime imports only. */
type RuleFile = IConfiguration & { runtimeOnly?: string[] };

/**
 * Import boundaries: the rules of `<root>/.dependency-cruiser.cjs` over `<root>/src`, type imports counted,
 * except rules listed in its `runtimeOnly` (checked on the graph with types erased), plus folder cycles.
 */
export async function importViolations(root = here): Promise<Violation[]> {
  const config = createRequire(import.meta.url)(path.join(root, '.dependency-cruiser.cjs')) as RuleFile;
  const runtimeOnly = new Set(config.runtimeOnly ?? []);
  const rules = config.forbidden ?? [];
  const withTypes = await cruiseCopy(root, true, rules.filter((r) => !runtimeOnly.has(r.name ?? '')), config);
  const runtime = runtimeOnly.size ? await cruiseCopy(root, false, rules.filter((r) => runtimeOnly.has(r.name ?? '')), config) : undefined;
  return [...violationsOf(withTypes), ...(runtime ? violationsOf(runtime) : []), ...folderCycles(withTypes)];
}

/** Cruises a scratch copy of src/ as JavaScript, with type imports kept as imports or erased. */
async function cruiseCopy(root: string, countTypes: boolean, forbidden: NonNullable<IConfiguration['forbidden']>, config: IConfiguration): Promise<ICruiseResult> {
  const scratch = mkdtempSync(path.join(tmpdir(), 'lint-arch-'));
  try {
    for (const file of sourceFiles(path.join(root, 'src'))) {
      const from = path.join(root, 'src', file);
      const to = path.join(scratch, 'src', isCode(file) ? asJs(file) : file);
      mkdirSync(path.dirname(to), { recursive: true });
      if (!isCode(file)) {
        cpSync(from, to);
        continue;
      }
      const source = readFileSync(from, 'utf8');
      const js = stripTypeScriptTypes(countTypes ? countTypeImports(source) : source, { mode: 'strip' });
      // Relative specifiers only (packages keep their names); quotes kept as written.
      writeFileSync(to, js.replace(/(['"])(\.\.?\/[^'"\n]*?)\.ts\1/g, '$1$2.js$1'));
    }
    // src/service.ts imports its version from it
    if (existsSync(path.join(root, 'package.json'))) cpSync(path.join(root, 'package.json'), path.join(scratch, 'package.json'));
    const { output } = await cruise(['src'], { ...config.options, baseDir: scratch, validate: true, ruleSet: { forbidden } });
    return output as ICruiseResult;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

function violationsOf(result: ICruiseResult): Violation[] {
  return (result.summary.violations ?? []).map((v) => ({
    rule: v.rule.name,
    severity: v.rule.severity,
    from: asTs(v.from),
    // A cycle as the path from `from` back to it (dependency-cruiser lists it without the start).
    to: v.cycle?.length ? v.cycle.map((c) => asTs(c.name)).join(' → ') : asTs(v.to),
  }));
}

/**
 * The folder a module belongs to for the folder-cycle rule: src/<area>/ (src/config.ts is config's), the
 * doors one each (src/inbound/<door>/), a file directly in src/ its own.
 */
export function folderOf(module: string): string {
  const parts = module.split('/');
  if (parts[0] !== 'src') return module;
  if (parts.length === 2) return parts[1] === 'config.ts' || parts[1] === 'config.js' ? 'src/config/' : asTs(module);
  if (parts[1] === 'inbound' && parts.length > 3) return `src/inbound/${parts[2]}/`;
  return `src/${parts[1]}/`;
}

/**
 * no-folder-cycles: two folders of src/ that import each other, directly or round a longer loop (the strongly
 * connected parts of the folder graph). One violation per folder edge inside such a part, with one import
 * that makes the edge.
 */
function folderCycles(result: ICruiseResult): Violation[] {
  const example = new Map<string, string>(); // "a|b" -> one import from a to b
  const next = new Map<string, Set<string>>();
  for (const m of result.modules) {
    if (!m.source.startsWith('src/')) continue;
    const from = folderOf(m.source);
    for (const d of m.dependencies) {
      if (!d.resolved.startsWith('src/')) continue;
      const to = folderOf(d.resolved);
      if (from === to) continue;
      if (!next.has(from)) next.set(from, new Set());
      next.get(from)!.add(to);
      if (!example.has(`${from}|${to}`)) example.set(`${from}|${to}`, `${asTs(m.source)} → ${asTs(d.resolved)}`);
    }
  }
  const violations: Violation[] = [];
  for (const part of stronglyConnected(next)) {
    if (part.length < 2) continue;
    const members = new Set(part);
    for (const from of [...part].sort()) {
      for (const to of [...(next.get(from) ?? [])].sort()) {
        if (members.has(to)) violations.push({ rule: 'no-folder-cycles', severity: 'error', from, to: `${to} (${example.get(`${from}|${to}`)})` });
      }
    }
  }
  return violations;
}

/** Tarjan's strongly connected components of a directed graph. */
function stronglyConnected(next: Map<string, Set<string>>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const parts: string[][] = [];
  const visit = (v: string) => {
    index.set(v, index.size);
    low.set(v, index.get(v)!);
    stack.push(v);
    onStack.add(v);
    for (const w of next.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const part: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        part.push(w);
      } while (w !== v);
      parts.push(part);
    }
  };
  for (const v of next.keys()) if (!index.has(v)) visit(v);
  return parts;
}

/**
 * The text of TypeScript source with comments blanked and, in `code`, string and template text blanked too
 * (same length and line breaks, so offsets and line numbers stay). Enough of a lexer for our sources: a `/`
 * starts a regular expression where an operand is expected.
 */
export function blankComments(source: string): { withStrings: string; code: string } {
  const keep = source.split('');
  const code = source.split('');
  const blank = (from: number, to: number, arrays: string[][]) => {
    for (let i = from; i < to; i++) for (const a of arrays) if (a[i] !== '\n') a[i] = ' ';
  };
  const templateDepth: number[] = []; // brace depth at which each open `${` returns to its template
  let depth = 0;
  let last = ''; // last significant character outside strings and comments
  let i = 0;
  const n = source.length;
  const scanString = (quote: string) => {
    const start = i++;
    while (i < n && source[i] !== quote && source[i] !== '\n') i += source[i] === '\\' ? 2 : 1;
    blank(start + 1, i, [code]);
    i++;
  };
  const scanTemplate = () => {
    // i is at the opening backtick or at the `}` closing an interpolation
    const start = ++i;
    while (i < n && source[i] !== '`') {
      if (source[i] === '\\') i += 2;
      else if (source[i] === '$' && source[i + 1] === '{') {
        blank(start, i, [code]);
        templateDepth.push(depth);
        depth++;
        i += 2;
        last = '{';
        return;
      } else i++;
    }
    blank(start, i, [code]);
    i++;
    last = '`';
  };
  while (i < n) {
    const c = source[i]!;
    const next = source[i + 1];
    if (c === '/' && next === '/') {
      const end = source.indexOf('\n', i);
      const stop = end === -1 ? n : end;
      blank(i, stop, [keep, code]);
      i = stop;
    } else if (c === '/' && next === '*') {
      const end = source.indexOf('*/', i + 2);
      const stop = end === -1 ? n : end + 2;
      blank(i, stop, [keep, code]);
      i = stop;
    } else if (c === "'" || c === '"') {
      scanString(c);
      last = c;
    } else if (c === '`') {
      scanTemplate();
    } else if (c === '/' && (last === '' || /[(,=:[!&|?{};+\-*%<>~^]/.test(last) || /\b(return|typeof|case|of|in)\s*$/.test(source.slice(Math.max(0, i - 8), i)))) {
      // a regular expression literal
      const start = i++;
      let inClass = false;
      while (i < n && source[i] !== '\n' && (inClass || source[i] !== '/')) {
        if (source[i] === '\\') i++;
        else if (source[i] === '[') inClass = true;
        else if (source[i] === ']') inClass = false;
        i++;
      }
      blank(start + 1, i, [code]);
      i++;
      last = '/';
    } else {
      if (c === '{') depth++;
      if (c === '}') {
        depth--;
        if (templateDepth.length && templateDepth[templateDepth.length - 1] === depth) {
          templateDepth.pop();
          scanTemplate();
          continue;
        }
      }
      if (!/\s/.test(c)) last = c;
      i++;
    }
  }
  return { withStrings: keep.join(''), code: code.join('') };
}

/** Ways source code reaches the environment. Matched on code without comments, strings checked separately. */
const ENV_READS: RegExp[] = [
  /\bprocess\s*(?:\?\.|\.)\s*env\b/g, // process.env, process?.env, globalThis.process.env
  /\bprocess\s*(?:\?\.)?\s*\[\s*(['"`])env\1\s*\]/g, // process['env']
  /\{[^{}]*\benv\b[^{}]*\}\s*=\s*(?:globalThis\s*\.\s*)?process\b/g, // const { env } = process
  /\bimport\s*\{[^}]*\benv\b[^}]*\}\s*from\s*(['"])(?:node:)?process\1/g, // import { env } from 'node:process'
];
const ENV_FILE_LOADS: RegExp[] = [/\bprocess\s*(?:\?\.|\.)\s*loadEnvFile\b/g, /\bloadEnvFile\b/g];
/** SQL written in code: a query call given SQL text, Kysely's sql tag, a Kysely query builder started. */
const SQL_TEXT: RegExp[] = [
  /\.query\s*(?:<[^>()]*>)?\s*\(\s*['"`]/g,
  /\bsql\s*(?:<[^>()]*>)?\s*`/g,
  /\.(?:selectFrom|insertInto|updateTable|deleteFrom|replaceInto|mergeInto)\s*\(/g,
];

function findAll(text: string, code: string, patterns: RegExp[]): number[] {
  const at = new Set<number>();
  for (const pattern of patterns) {
    for (const m of text.matchAll(pattern)) {
      // The match must start in code: `process` blanked in `code` means it sat inside a string.
      if (code.slice(m.index, m.index + 3) === text.slice(m.index, m.index + 3)) at.add(m.index);
    }
  }
  return [...at].sort((a, b) => a - b);
}

/**
 * What the import graph cannot show, as violations (one per line): environment access outside the files
 * allowed to do it, and SQL written outside src/db/.
 */
export function sourceViolations(root = here): Violation[] {
  const violations: Violation[] = [];
  for (const file of sourceFiles(path.join(root, 'src')).filter(isCode)) {
    const name = `src/${file.split(path.sep).join('/')}`;
    const source = readFileSync(path.join(root, name), 'utf8');
    const { withStrings, code } = blankComments(source);
    const lines = source.split('\n');
    const report = (rule: string, offsets: number[]) => {
      for (const line of new Set(offsets.map((o) => withStrings.slice(0, o).split('\n').length))) {
        violations.push({ rule, severity: 'error', from: `${name}:${line}`, to: lines[line - 1]!.trim() });
      }
    };
    if (!/^src\/config(\.ts$|\/)/.test(name)) report('env-only-in-config', findAll(withStrings, code, ENV_READS));
    if (name !== 'src/config.ts') report('env-file-only-in-config', findAll(withStrings, code, ENV_FILE_LOADS));
    if (!name.startsWith('src/db/')) report('sql-only-in-db', findAll(withStrings, code, SQL_TEXT));
  }
  return violations;
}

export async function lintArchitecture(root = here): Promise<Violation[]> {
  return [...(await importViolations(root)), ...sourceViolations(root)];
}

if (import.meta.main) {
  const root = path.resolve(process.argv[2] ?? here);
  const violations = await lintArchitecture(root);
  const byRule = new Map<string, Violation[]>();
  for (const v of violations) byRule.set(v.rule, [...(byRule.get(v.rule) ?? []), v]);
  for (const [rule, list] of byRule) {
    console.log(`\n${list[0]!.severity} ${rule} (${list.length}):`);
    for (const v of list) console.log(`  ${v.from} → ${v.to}`);
  }
  const errors = violations.filter((v) => v.severity === 'error').length;
  console.log(`\narchitecture: ${errors} error(s), ${violations.length - errors} warning(s)${byRule.size ? ` — ${[...byRule].map(([r, l]) => `${r} ${l.length}`).join(', ')}` : ''}`);
  process.exitCode = errors ? 1 : 0;
}
