/**
 * Dockerfile and docker-compose.yml cannot run here (no Docker engine in CI): these checks read them for the
 * facts a user would otherwise find out the hard way.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import test from 'ava';

const root = path.resolve(import.meta.dirname, '../..');
const read = (file: string) => readFileSync(path.join(root, file), 'utf8');
const dockerfile = read('Dockerfile');
const compose = read('docker-compose.yml');
const dockerignore = read('.dockerignore').split('\n').map((l) => l.trim());
const noComments = (text: string) => text.split('\n').filter((l) => !l.trimStart().startsWith('#')).join('\n');

test('the image has what the Quick start uses: sources, migrations and the example tickets', (t) => {
  for (const dir of ['src', 'migrations', 'examples']) {
    t.regex(dockerfile, new RegExp(`^COPY ${dir} \\./${dir}$`, 'm'), dir);
    t.false(dockerignore.includes(dir), `${dir} is not left out of the build context`);
  }
});

test('the health check follows PORT instead of a fixed port', (t) => {
  const healthcheck = dockerfile.split('\n').find((l) => l.startsWith('HEALTHCHECK'));
  t.truthy(healthcheck);
  t.regex(healthcheck!, /process\.env\.PORT/);
  t.notRegex(healthcheck!, /127\.0\.0\.1:8000/);
  t.regex(dockerfile, /^ENV PORT=8000$/m);
});

test('compose builds one image and runs it twice', (t) => {
  const code = noComments(compose);
  t.is(code.match(/^\s+build:/gm)?.length, 1, 'one build');
  t.regex(code, /^x-app: &app\n(?:.*\n)*?  image: support-triage:local$/m, 'the shared part names the image');
  t.regex(code, /^  app:\n    <<: \*app\n    build: \.\n/m);
  t.regex(code, /^  app2:\n    <<: \*app\n(?:    .*\n)*?    pull_policy: never$/m, 'the second instance never looks for it in a registry');
});

test('compose refuses to start without API_KEYS instead of restarting a refused service forever', (t) => {
  t.regex(noComments(compose), /^ {4}API_KEYS: "\$\{API_KEYS:\?API_KEYS is not set[^}]*\}"$/m);
});

test('compose gives the service longer to stop than its 25 s drain', (t) => {
  const grace = noComments(compose).match(/^ {2}stop_grace_period: (\d+)s$/m);
  t.truthy(grace, 'stop_grace_period in the shared part');
  t.true(Number(grace![1]) > 25);
});
