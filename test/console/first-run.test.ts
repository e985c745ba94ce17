/**
 * The way in without Slack, as an operator meets it: `npm run console:link` prints a link that signs in once,
 * and `npm start` on the embedded database without Sign in with Slack logs a link of its own.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import test from 'ava';
import { run, startService } from '../cli/harness.ts';
import { signInWithLink } from '../kit/console.ts';

test('console:link prints a link, and the first start on the embedded database logs one; each signs in once', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'console-link-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const env = { PGLITE_DATA_DIR: path.join(dir, 'db') };

  const bad = await run(['src/cli/console-link.ts', '--role', 'owner'], env);
  t.is(bad.code, 2);
  t.regex(bad.stderr, /--role "owner" is not one of admin, agent, viewer/);
  const printed = await run(['src/cli/console-link.ts', '--minutes', '5'], { ...env, PORT: '8123' });
  t.is(printed.code, 0, printed.stderr);
  const link = /^http:\/\/localhost:8123\/console\/sign-in\/link\?token=([\w-]{43})$/m.exec(printed.stdout);
  t.truthy(link, printed.stdout);

  const service = await startService({ ...env, LOG_LEVEL: 'info' });
  t.teardown(() => service.stop());
  const logged = /"url":"http:\/\/localhost:\d+\/console\/sign-in\/link\?token=([\w-]{43})"/.exec(service.stdout);
  t.truthy(logged, 'the start logs a link');
  for (const token of [link![1]!, logged![1]!]) {
    t.truthy((await signInWithLink(service.baseUrl, token)).cookie);
    t.is((await signInWithLink(service.baseUrl, token)).status, 401, 'used once');
  }
});
