/**
 * TLS is used and verified: against a Dovecot with a self-signed certificate, both implicit TLS
 * (IMAP_SECURE=true) and the STARTTLS upgrade of a plain connection (IMAP_SECURE=false) refuse the untrusted
 * certificate before any credential is sent, and /health names it as a configuration problem.
 */
import { waitFor } from '../kit/wait.ts';
import { openInbox, useDovecot } from './harness.ts';

const suite = useDovecot({ tls: true });
const serial = suite.serial;

for (const mode of ['implicit TLS', 'STARTTLS'] as const) {
  serial(`${mode}: an untrusted certificate is refused and reported as a configuration error`, async (t) => {
    const { reader } = await openInbox(t, suite.dovecot, {
      readerEnv: (box) => (mode === 'implicit TLS' ? { ...box.env, IMAP_SECURE: 'true', IMAP_PORT: String(suite.dovecot.tlsPort) } : box.env),
    });
    reader.start();
    const h = await waitFor(() => (reader.health().status === 'failing' ? reader.health() : null), { what: 'TLS failure', timeoutMs: 15_000 });
    t.is(h.last_error!.kind, 'config');
    t.regex(h.last_error!.message, /certificate|SELF_SIGNED/i);
  });
}
