/**
 * A real Dovecot IMAP server for tests and benchmarks: written config in a temp folder, loopback only,
 * passwd-file auth (plaintext allowed, no TLS), maildir in the temp folder. When we run as root the login
 * processes run as `dovenull` and mail access as `nobody`; otherwise everything runs as the current user.
 * It can be stopped and started again on the same port with the same data ("server goes away").
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ImapFlow } from 'imapflow';
import { freePort, waitForPort } from './net.ts';

const DOVECOT_BIN = ['/usr/sbin/dovecot', '/usr/local/sbin/dovecot'].find((p) => existsSync(p));

export interface Dovecot {
  host: string;
  port: number;
  /** Implicit-TLS port (only with `tls: true`). */
  tlsPort: number | undefined;
  dir: string;
  /**
   * Adds a login (idempotent, one passwd file per user) and resolves once Dovecot accepts it (normally at
   * the first try; retried for a while in case a loaded machine makes Dovecot slow).
   */
  addUser(user: string, password: string): Promise<void>;
  /** A connected client for `user` (caller logs out). */
  client(user: string, password: string): Promise<ImapFlow>;
  /** Appends raw messages to a mailbox (created when missing) through one IMAP session; returns their UIDs. */
  append(user: string, password: string, mailbox: string, messages: Array<string | Buffer>, flags?: string[]): Promise<number[]>;
  /** Stops the server (connections drop); `start()` brings it back on the same port and data. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** SIGSTOP / SIGCONT every Dovecot process: connections stay open but nothing answers (a dead IDLE). */
  freeze(): void;
  thaw(): void;
  /** Stops and removes every file. */
  destroy(): Promise<void>;
}

export function dovecotAvailable(): string | undefined {
  return DOVECOT_BIN ? undefined : 'dovecot not installed (apt-get install dovecot-imapd; .ci/apt-packages.txt lists it)';
}

function uidOf(name: string): { uid: number; gid: number } | undefined {
  const r = spawnSync('id', ['-u', name], { encoding: 'utf8' });
  const g = spawnSync('id', ['-g', name], { encoding: 'utf8' });
  if (r.status !== 0 || g.status !== 0) return undefined;
  return { uid: Number(r.stdout.trim()), gid: Number(g.stdout.trim()) };
}

export interface DovecotOptions {
  users?: Record<string, string>;
  /** Enables XOAUTH2/OAUTHBEARER: Dovecot POSTs `token=...` here and expects `{active, username}`. */
  oauth2IntrospectionUrl?: string;
  /** Self-signed TLS: STARTTLS on `port`, implicit TLS on `tlsPort`. */
  tls?: boolean;
  /** Leave IDLE out of the capabilities, like servers that have none (clients must poll). */
  noIdle?: boolean;
}

export async function startDovecot(options: DovecotOptions = {}): Promise<Dovecot> {
  if (!DOVECOT_BIN) throw new Error(dovecotAvailable());
  const dir = mkdtempSync(path.join(tmpdir(), 'dovecot-test-'));
  chmodSync(dir, 0o755); // the unprivileged mail user must traverse it
  const port = await freePort();
  const asRoot = process.getuid?.() === 0;
  const loginUser = asRoot ? 'dovenull' : (process.env.USER ?? String(process.getuid?.()));
  const internalUser = asRoot ? (uidOf('dovecot') ? 'dovecot' : 'dovenull') : loginUser;
  const mailIds = asRoot ? (uidOf('nobody') ?? { uid: 65534, gid: 65534 }) : { uid: process.getuid!(), gid: process.getgid!() };
  const mailRoot = path.join(dir, 'mail');
  mkdirSync(mailRoot, { recursive: true });
  if (asRoot) chownSync(mailRoot, mailIds.uid, mailIds.gid);
  // One passwd file per user (passdb path `passwd.d/%u`). With one shared file, a user appended to it is
  // only seen once Dovecot re-stats the file, which it does at most once per second; until then logins fail,
  // and every failed login from 127.0.0.1 makes Dovecot delay the next authentication from there
  // (auth penalty: 2, 4, 8, up to 15 s), which under load pushed addUser past its deadline. A new user's own
  // file is read on its first lookup, so its first login already works.
  const passwdDir = path.join(dir, 'passwd.d');
  mkdirSync(passwdDir);
  chmodSync(passwdDir, 0o755);

  const oauthConf = path.join(dir, 'dovecot-oauth2.conf.ext');
  if (options.oauth2IntrospectionUrl) {
    writeFileSync(oauthConf, `introspection_mode = post\nintrospection_url = ${options.oauth2IntrospectionUrl}\nusername_attribute = username\nactive_attribute = active\nactive_value = true\n`);
    chmodSync(oauthConf, 0o644);
  }
  const oauthPassdb = options.oauth2IntrospectionUrl
    ? `passdb {\n  driver = oauth2\n  mechanisms = xoauth2 oauthbearer\n  args = ${oauthConf}\n}\n`
    : '';
  const tlsPort = options.tls ? await freePort() : undefined;
  if (options.tls) {
    const made = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost',
      '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem')], { encoding: 'utf8' });
    if (made.status !== 0) throw new Error(`openssl failed: ${made.stderr}`);
  }
  const conf = path.join(dir, 'dovecot.conf');
  writeFileSync(
    conf,
    `# written by test/kit/dovecot.ts
base_dir = ${dir}/run
state_dir = ${dir}/state
instance_name = dovecot-test-${port}
listen = 127.0.0.1
protocols = imap
${options.tls ? `ssl = yes\nssl_cert = <${dir}/cert.pem\nssl_key = <${dir}/key.pem` : 'ssl = no'}
disable_plaintext_auth = no
auth_mechanisms = plain login${options.oauth2IntrospectionUrl ? ' xoauth2 oauthbearer' : ''}
auth_failure_delay = 0
log_path = ${dir}/dovecot.log
default_internal_user = ${internalUser}
default_internal_group = ${asRoot ? internalUser : (spawnSync('id', ['-gn'], { encoding: 'utf8' }).stdout.trim() || internalUser)}
default_login_user = ${loginUser}
mail_location = maildir:${mailRoot}/%u
mail_uid = ${mailIds.uid}
mail_gid = ${mailIds.gid}
first_valid_uid = ${Math.min(mailIds.uid, 1)}
first_valid_gid = 0
mail_privileged_group =
mailbox_list_index = yes
imap_idle_notify_interval = 1 secs
shutdown_clients = yes
${options.noIdle ? 'imap_capability = IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE LITERAL+ UIDPLUS MOVE NAMESPACE CHILDREN\n' : ''}${oauthPassdb}passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${passwdDir}/%u
}
userdb {
  driver = static
  args = uid=${mailIds.uid} gid=${mailIds.gid} home=${mailRoot}/%u
}
namespace inbox {
  inbox = yes
  separator = /
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = ${port}
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = ${tlsPort ?? 0}
${tlsPort ? '    ssl = yes\n' : ''}  }
${asRoot ? '' : '  chroot =\n'}}
${asRoot ? '' : 'service auth {\n  user = $default_internal_user\n}\nservice anvil {\n  chroot =\n}\n'}service stats {
  unix_listener stats-reader {
    mode = 0600
  }
  unix_listener stats-writer {
    mode = 0666
  }
}
`,
  );

  let child: ChildProcess | undefined;
  let output = '';

  const start = async () => {
    if (child) return;
    const proc = spawn(DOVECOT_BIN, ['-F', '-c', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    proc.stdout?.on('data', (d) => { output += d; });
    proc.stderr?.on('data', (d) => { output += d; });
    proc.once('exit', () => { if (child === proc) child = undefined; });
    try {
      await waitForPort(port, true, 15_000, `dovecot port ${port}`);
    } catch (err) {
      const log = existsSync(path.join(dir, 'dovecot.log')) ? readFileSync(path.join(dir, 'dovecot.log'), 'utf8') : '';
      throw new Error(`${(err as Error).message}\n${output}\n${log}`);
    }
  };

  const stop = async () => {
    const proc = child;
    if (!proc) return;
    // Every process, so open sessions die too (the master alone would leave running imap processes).
    const tree = processTree();
    const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    proc.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
    if (proc.exitCode === null && proc.signalCode === null) {
      proc.kill('SIGKILL');
      await exited;
    }
    for (const pid of tree.slice(1)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    child = undefined;
    await waitForPort(port, false, 15_000, `dovecot port ${port}`);
  };

  const writeUser = (user: string, password: string) => {
    if (!/^[A-Za-z0-9._@+-]+$/.test(user) || user.startsWith('.')) throw new Error(`user name not usable as a passwd file name: ${user}`);
    if (/[:\n]/.test(password)) throw new Error('password must not contain ":" or newlines');
    const file = path.join(passwdDir, user);
    if (existsSync(file)) return;
    // Written under another name and renamed, so Dovecot never reads a half-written file.
    writeFileSync(`${file}.tmp`, `${user}:{PLAIN}${password}::::::\n`, { mode: 0o644 });
    renameSync(`${file}.tmp`, file);
  };
  const addUser = async (user: string, password: string) => {
    writeUser(user, password);
    if (!child) return;
    // A safety net only: the first login normally works (see passwdDir). Generous, because a failed login
    // here costs an auth-penalty delay of its own and a loaded CI machine is slow anyway.
    const deadline = Date.now() + 30_000;
    for (let attempt = 1; ; attempt++) {
      // Our own throwaway server: its self-signed certificate (tls option) is trusted here, and only here.
      const c = new ImapFlow({ host: '127.0.0.1', port, secure: false, auth: { user, pass: password }, logger: false, verifyOnly: true, tls: { rejectUnauthorized: false } });
      c.on('error', () => {});
      try {
        await c.connect();
        return;
      } catch (error) {
        if (Date.now() > deadline) {
          const e = error as Error & { serverResponseCode?: string; code?: string };
          throw new Error(`dovecot addUser(${user}): login still failing after ${attempt} attempts: ${e.message} (${e.serverResponseCode ?? e.code ?? 'no code'})`, { cause: error });
        }
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  };

  const client = async (user: string, password: string) => {
    const c = new ImapFlow({ host: '127.0.0.1', port, secure: false, auth: { user, pass: password }, logger: false, disableAutoIdle: true, tls: { rejectUnauthorized: false } });
    await c.connect();
    return c;
  };

  const append: Dovecot['append'] = async (user, password, mailbox, messages, flags = []) => {
    const c = await client(user, password);
    try {
      if (mailbox.toUpperCase() !== 'INBOX') {
        try { await c.mailboxCreate(mailbox); } catch { /* exists */ }
      }
      const uids: number[] = [];
      for (const m of messages) {
        const res = await c.append(mailbox, typeof m === 'string' ? Buffer.from(m) : m, flags);
        if (res && res.uid) uids.push(res.uid);
      }
      return uids;
    } finally {
      await c.logout().catch(() => c.close());
    }
  };

  const processTree = (): number[] => {
    if (!child?.pid) return [];
    const all: number[] = [child.pid];
    for (let i = 0; i < all.length; i++) {
      const r = spawnSync('ps', ['-o', 'pid=', '--ppid', String(all[i])], { encoding: 'utf8' });
      for (const p of r.stdout.split('\n').map((l) => Number(l.trim())).filter((n) => n > 0)) all.push(p);
    }
    return all;
  };
  const signalAll = (sig: NodeJS.Signals) => {
    for (const pid of processTree()) {
      try {
        process.kill(pid, sig);
      } catch {
        // exited meanwhile
      }
    }
  };

  for (const [u, p] of Object.entries(options.users ?? {})) writeUser(u, p);
  await start();

  return {
    host: '127.0.0.1',
    port,
    tlsPort,
    dir,
    addUser,
    client,
    append,
    stop,
    start,
    freeze: () => signalAll('SIGSTOP'),
    thaw: () => signalAll('SIGCONT'),
    async destroy() {
      signalAll('SIGCONT');
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
