/**
 * Import boundaries of src/ (README "Architecture"), checked by `npm run lint:arch` (scripts/lint-arch.ts)
 * in .ci/run. Paths are relative to the project root; a rule names the layout it protects:
 *
 *   src/domain/     pure: imports nothing of ours outside domain
 *   src/lib/        generic helpers: import nothing of ours outside lib
 *   src/inbound/{rest,webhooks,imap}/   the doors: never each other, and of src/db/ only the repositories
 *                   (type-only imports are erased before the check: types may come from anywhere)
 *   src/classify/, src/slack/           never src/inbound/
 *   no import cycles anywhere in src/
 *
 * No orphan rule: in the runtime graph a module holding only types (src/domain/classification.ts) has no
 * importer, so "orphan" would flag the purest modules.
 * Only runtime imports count: scripts/lint-arch.ts strips the TypeScript types first (the installed
 * TypeScript 7 has no JavaScript API for dependency-cruiser to parse .ts with), so `import type` never
 * crosses a boundary; `import { type X }` still loads the module at run time and does count. What no import
 * graph shows (process.env only in src/config.ts, SQL only in src/db/) is checked by the same script.
 */
const DOORS = '(rest|webhooks|imap)';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'domain-is-pure',
      comment: 'src/domain/ holds the ticket vocabulary and rules; everything depends on it, it on nothing of ours.',
      severity: 'error',
      from: { path: '^src/domain/' },
      to: { path: '^src/', pathNot: '^src/domain/' },
    },
    {
      name: 'lib-is-generic',
      comment: 'src/lib/ is generic helpers that could be published on their own: nothing of ours outside lib.',
      severity: 'error',
      from: { path: '^src/lib/' },
      to: { path: '^src/', pathNot: '^src/lib/' },
    },
    {
      name: 'doors-apart',
      comment: 'A door (REST, webhooks, IMAP) never imports another door: what they share lives in ingest/, domain/ or lib/.',
      severity: 'error',
      from: { path: `^src/inbound/${DOORS}/` },
      to: { path: `^src/inbound/${DOORS}/`, pathNot: '^src/inbound/$1/' },
    },
    {
      name: 'doors-reach-db-through-repositories',
      comment:
        'Doors hold no SQL: of src/db/ they import only src/db/repositories/ (types are free), and unavailable.ts, which tells a database outage (503) from a bug.',
      severity: 'error',
      from: { path: `^src/inbound/${DOORS}/` },
      to: { path: '^src/db/', pathNot: '^src/db/(repositories/|unavailable[.](ts|js)$)' },
    },
    {
      name: 'classify-and-slack-not-inbound',
      comment: 'Classification and the Slack adapter are reached from the doors through ingest, never the other way.',
      severity: 'error',
      from: { path: '^src/(classify|slack)/' },
      to: { path: '^src/inbound/' },
    },
    {
      name: 'slack-parts-stand-alone',
      comment:
        'Inside the Slack adapter, receiving/ (Slack in), delivery/ (our calls out) and cards/ (what we show) use nothing of the adapter outside their own folder; index.ts composes them.',
      severity: 'error',
      from: { path: '^src/slack/(receiving|delivery|cards)/' },
      to: { path: '^src/slack/', pathNot: '^src/slack/$1/' },
    },
    {
      name: 'slack-jobs-below-interactions',
      comment: 'Slack jobs post through delivery/ and cards/; interactions/ (what agents do) may reuse jobs/, never the other way.',
      severity: 'error',
      from: { path: '^src/slack/jobs/' },
      to: { path: '^src/slack/(interactions|receiving)/' },
    },
    {
      name: 'no-cycles',
      comment: 'Import cycles make start-up order and reading order depend on who imported first.',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '\\.d\\.ts$' },
    moduleSystems: ['es6'],
  },
};
