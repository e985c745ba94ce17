/** One support mailbox as the configuration resolves it (from IMAP_* or the mailbox list): IMAP, credentials, SMTP. */
import type { Category } from '../domain/categories.ts';

export type ImapAuth =
  | { kind: 'password'; password: string }
  | { kind: 'token'; accessToken: string }
  | ImapOAuth2;

/** OAuth2 that renews itself (src/inbound/imap/oauth/): endpoints are already resolved from the provider preset. */
export interface ImapOAuth2 {
  kind: 'oauth2';
  provider: 'google' | 'microsoft' | 'generic';
  grant: 'refresh_token' | 'client_credentials';
  clientId: string;
  clientSecret: string | undefined;
  tokenUrl: string;
  /** Where an operator gives consent (npm run imap:authorize); refresh-token grant only. */
  authorizeUrl: string | undefined;
  /** The issuer the endpoints belong to (checked against an `iss` in the authorization response). */
  issuer: string;
  scope: string;
  /** The first refresh token (from imap:authorize elsewhere); a rotated one stored in the database wins. */
  refreshToken: string | undefined;
  /** AES-256-GCM key for the stored refresh token; required with the refresh-token grant. */
  encryptionKey: Buffer | undefined;
  /** Extra authorization-request parameters the provider needs to hand out a refresh token. */
  authorizeParams: Record<string, string>;
}

/** Where a mailbox's replies go out (src/outbound/email.ts); beside its IMAP settings. */
export interface SmtpSettings {
  host: string;
  port: number;
  /** TLS from the first byte (465); false: STARTTLS when offered. */
  secure: boolean;
  /** No login when unset (a relay that trusts this host). */
  user: string | undefined;
  password: string | undefined;
}

export interface ImapMailbox {
  /** Names the mailbox in /health, /metrics, logs and on its tickets (metadata.mailbox_id); `default` for IMAP_HOST. */
  id: string;
  host: string;
  port: number;
  secure: boolean;
  user: string;
  /** This mailbox's credentials. */
  auth: ImapAuth;
  /** The folder read (IMAP_MAILBOX / "folder"). */
  mailbox: string;
  processedMailbox: string | undefined;
  failedMailbox: string | undefined;
  pollCron: string;
  supportAddress: string | undefined;
  attachmentMaxBytes: number;
  /** Its tickets' category when the classifier is not confident (instead of triage). */
  defaultCategory: Category | undefined;
  /** Slack channel for its tickets' alerts, whatever their category. */
  slackChannel: string | undefined;
  /** How agents' replies to its tickets are sent; none: its tickets get no Reply button. */
  smtp: SmtpSettings | undefined;
}
