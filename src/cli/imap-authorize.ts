/**
 * `npm run imap:authorize`: the first sign-in of the support mailbox for OAuth2 with a refresh token
 * (Google, Entra ID delegated, generic). Prints the consent URL, takes the answer from the browser's
 * redirect to a loopback address this command listens on, or from a pasted redirect URL / code on stdin
 * (a server without a browser), exchanges the code (PKCE), stores the refresh token encrypted, checks the
 * IMAP login and says what to do next.
 *   --id ID             the mailbox to sign in (with several mailboxes)
 *   --port N            loopback port to listen on (default: any free one)
 *   --redirect-uri URL  the redirect URI registered with the provider (default http://127.0.0.1:PORT/callback)
 *   --no-listen         only read the answer from stdin
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import { ImapFlow } from 'imapflow';
import type { Config } from '../config.ts';
import { openDatabase } from '../db/database.ts';
import { accountOf } from '../inbound/imap/credentials.ts';
import { AuthorizeError, startConsent, storeAuthorizedToken } from '../inbound/imap/oauth/authorize.ts';
import { type CommandContext, CommandError, options, runCommand, UsageError } from './bootstrap.ts';

const parseOptions = options({ id: { type: 'string' }, port: { type: 'string' }, 'redirect-uri': { type: 'string' }, 'no-listen': { type: 'boolean', default: false } });

function parse(argv: string[]) {
  const { values } = parseOptions(argv);
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535 || values.port?.trim() === '') throw new UsageError('--port must be a port number');
  let wanted: URL | undefined;
  try {
    wanted = values['redirect-uri'] ? new URL(values['redirect-uri']) : undefined;
  } catch {
    throw new UsageError(`--redirect-uri "${values['redirect-uri']}" is not a URL`);
  }
  const loopback = !wanted || ['127.0.0.1', 'localhost', '[::1]'].includes(wanted.hostname);
  const listen = !values['no-listen'] && loopback;
  if (!listen && !wanted) throw new UsageError('--no-listen needs --redirect-uri (the redirect URI registered with the provider)');
  return { id: values.id, port, wanted, listen };
}

type Args = ReturnType<typeof parse>;

/** The mailbox to sign in (--id, or the only one that uses OAuth2) and its OAuth2 settings, or what is missing. */
function oauthMailbox(config: Config, id: string | undefined) {
  const all = config.mailboxes;
  if (!all.length) throw new UsageError('IMAP is not configured (set IMAP_HOST, IMAP_USER and IMAP_OAUTH_*, or IMAP_MAILBOXES_FILE)');
  const withOAuth = all.filter((m) => m.auth.kind === 'oauth2');
  const ids = (list: typeof all) => list.map((m) => m.id).join(', ');
  let imap;
  if (id !== undefined) {
    imap = all.find((m) => m.id === id);
    if (!imap) throw new UsageError(`no configured mailbox "${id}" (configured: ${ids(all)})`);
  } else if (all.length === 1) imap = all[0]!;
  else if (withOAuth.length === 1) imap = withOAuth[0]!;
  else throw new UsageError(`several mailboxes are configured: choose one with --id (${ids(withOAuth.length ? withOAuth : all)})`);
  const auth = imap.auth;
  if (auth.kind !== 'oauth2') {
    throw new UsageError(`IMAP_OAUTH_PROVIDER is not set (nor "oauth2" for mailbox ${imap.id}): there is nothing to authorise for a password or a fixed access token`);
  }
  return { imap, auth };
}

async function authorize({ id, port, wanted, listen }: Args, ctx: CommandContext): Promise<void> {
  const config = ctx.config();
  const { imap, auth } = oauthMailbox(config, id);

  // The loopback listener receives the browser's redirect (RFC 8252); its address is the redirect URI.
  let server: Server | undefined;
  let fromBrowser: ((url: URL) => void) | undefined;
  let redirectUri = wanted?.href ?? 'urn:ietf:wg:oauth:2.0:oob';
  if (listen) {
    server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', redirectUri);
      if (url.pathname !== new URL(redirectUri).pathname || !(url.searchParams.has('code') || url.searchParams.has('error'))) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end('Support Triage received the authorisation. You can close this window.\n');
      fromBrowser?.(url);
    });
    const listenPort = wanted ? Number(wanted.port || 80) : port;
    await new Promise<void>((resolve, reject) => {
      server!.once('error', (e) => reject(e));
      server!.listen(listenPort, '127.0.0.1', () => resolve());
    }).catch((e: Error) => {
      throw new CommandError(`cannot listen on 127.0.0.1:${listenPort} (${e.message}); pick another --port or use --no-listen`);
    });
    const bound = (server.address() as AddressInfo).port;
    redirectUri = wanted?.href ?? `http://127.0.0.1:${bound}/callback`;
  }

  const account = accountOf(imap);
  try {
    const consent = await startConsent(auth, { redirectUri, loginHint: imap.user.includes('@') ? imap.user : undefined });
    console.log(`Sign in as ${imap.user} (${auth.provider}) and allow mail access:\n\n  ${consent.url.href}\n`);
    console.log(listen
      ? `Waiting for the browser to come back to ${redirectUri} ...\n(Browser on another machine? Paste the URL it ended on, or the code, here and press Enter.)`
      : 'After consenting, paste the URL the browser ended on (or the code) here and press Enter:');

    const answer = await new Promise<string | URL>((resolve, reject) => {
      fromBrowser = resolve;
      const lines = createInterface({ input: process.stdin });
      let answered = false;
      lines.on('line', (line) => {
        if (line.trim()) {
          answered = true;
          lines.close();
          resolve(line.trim());
        }
      });
      // Without a listener, stdin is the only way an answer can come: its end means none will.
      lines.on('close', () => {
        if (!answered && !listen) reject(new CommandError('stdin ended without the redirect URL or code; run the command again and paste it'));
      });
    });
    server?.close();
    const tokens = await consent.exchange(answer);

    // Checked first, while the new access token is fresh (opening the database can take a while).
    const check = new ImapFlow({ host: imap.host, port: imap.port, secure: imap.secure, auth: { user: imap.user, accessToken: tokens.accessToken }, logger: false, verifyOnly: true });
    check.on('error', () => {});
    try {
      await check.connect();
      console.log(`\nIMAP login as ${imap.user} at ${imap.host}: ok.`);
    } catch (error) {
      const e = error as { message?: string; response?: string };
      console.log(`\nIMAP login as ${imap.user} at ${imap.host} FAILED: ${e.response ?? e.message}\n` +
        '(Is IMAP enabled for the mailbox, and does the token\'s user own it? See docs/imap.md.)');
    }
    const db = await openDatabase(config.database, ctx.logger(), { poolSize: 2 });
    let keyId: string;
    try {
      if (config.database.migrateOnStart) await db.migrate();
      keyId = await storeAuthorizedToken(db.sql, auth, account, tokens.refreshToken);
    } finally {
      await db.close();
    }
    console.log(`Stored the refresh token for ${account} (encrypted, key ${keyId}).`);

    console.log('\nNext: start or restart the service (npm start). A running service picks the new token up at its next\n' +
      'renewal or retry. IMAP_OAUTH_REFRESH_TOKEN is not needed any more; the stored token renews itself.');
  } catch (error) {
    server?.close();
    if (error instanceof AuthorizeError) throw new CommandError(error.message);
    throw error;
  }
}

await runCommand({
  name: 'imap:authorize',
  usage: 'npm run imap:authorize -- [--id ID] [--port N] [--redirect-uri URL] [--no-listen]',
  parse,
  async run(args, ctx) {
    await authorize(args, ctx);
    // stdin (the pasted answer) would keep the process alive.
    process.exit(0);
  },
});
