/**
 * Import boundaries of src/ (README "Architecture"), checked by `npm run lint:arch` (scripts/lint-arch.ts)
 * in .ci/run. Paths are relative to the project root; a rule names the layout it protects:
 *
 *   src/domain/     pure: imports nothing of ours outside domain
 *   src/lib/        generic helpers: import nothing of ours outside lib
 *   src/config/     (and src/config.ts) reads the environment: imports only domain and lib
 *   src/ingest/     the one entry every door calls: imports only db, domain, lib and config
 *   src/inbound/{rest,webhooks,imap}/   the doors: never each other, and of src/db/ only the repositories
 *   src/classify/, src/slack/           never src/inbound/
 *   no import cycles anywhere in src/, and no two folders of src/ importing each other (no-folder-cycles,
 *   computed by scripts/lint-arch.ts itself: src/<area>/, each door its own folder)
 *
 * Type imports count like any other: a type ties a module to the one that defines it (scripts/lint-arch.ts
 * turns `import type` and `export type ... from` into imports before it strips the types). The one exception
 * is listed in `runtimeOnly`: a door may name the database handle's types (Database, Sql) to pass the handle
 * to repositories, while its code reaches the database only through them.
 * No orphan rule: a module holding only types (src/domain/classification.ts) may be imported by types alone.
 * What no import graph shows (process.env only in src/config.ts, SQL only in src/db/) is checked by the same script.
 */
const DOORS = '(rest|webhooks|imap|survey)';

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
        'Doors hold no SQL: of src/db/ they import only src/db/repositories/ (and the handle types, see runtimeOnly), and unavailable.ts, which tells a database outage (503) from a bug.',
      severity: 'error',
      from: { path: `^src/inbound/${DOORS}/` },
      to: { path: '^src/db/', pathNot: '^src/db/(repositories/|unavailable[.](ts|js)$)' },
    },
    {
      name: 'config-only-domain-and-lib',
      comment: 'The configuration is read before anything else is built: it depends on the vocabulary (domain) and helpers (lib) only.',
      severity: 'error',
      from: { path: '^src/(config/|config[.](ts|js)$)' },
      to: { path: '^src/', pathNot: '^src/(config/|config[.](ts|js)$|domain/|lib/)' },
    },
    {
      name: 'ingest-only-db-domain-lib-config',
      comment: 'Ingest decides for every door: it stores through db and reads domain, lib and config, never a door, an adapter or the host.',
      severity: 'error',
      from: { path: '^src/ingest/' },
      to: { path: '^src/', pathNot: '^src/(ingest/|db/|domain/|lib/|config/|config[.](ts|js)$)' },
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
      name: 'slack-jobs-and-interactions-apart',
      comment: 'Slack jobs (what we post) and interactions (what agents do) both build on cards/ and delivery/, never on each other or on receiving/.',
      severity: 'error',
      from: { path: '^src/slack/(jobs|interactions)/' },
      to: { path: '^src/slack/(jobs|interactions|receiving)/', pathNot: '^src/slack/$1/' },
    },
    {
      name: 'no-cycles',
      comment: 'Import cycles make start-up order and reading order depend on who imported first.',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
  ],
  /** Rules checked on the runtime graph only (type imports erased): read by scripts/lint-arch.ts, not dependency-cruiser. */
  runtimeOnly: ['doors-reach-db-through-repositories'],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '\\.d\\.ts$' },
    moduleSystems: ['es6'],
  },
};
