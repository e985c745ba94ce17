/**
 * Which domains may stand for a company. A company is matched by its customers' e-mail domains, so a domain
 * everybody can have an address at must never be one: free-mail providers (gmail.com, web.de, ...) and
 * disposable-address services, from maintained lists (free-email-domains-list, disposable-email-domains-js)
 * plus the few providers that list lacks (FREE_MAIL_MISSING) and the configured CUSTOMER_FREE_MAIL_DOMAINS;
 * and public suffixes (com, co.uk, github.io), from the Public Suffix List (tldts). Domains are compared in one
 * spelling: lower case, IDN as punycode (xn--...), no trailing dot.
 */
import { domainToASCII } from 'node:url';
import { disposableEmailBlocklistSet } from 'disposable-email-domains-js';
import { DOMAINS as FREE_MAIL } from 'free-email-domains-list';
import { getDomain, getPublicSuffix } from 'tldts';

const DISPOSABLE = disposableEmailBlocklistSet();
/**
 * Mass mailbox providers the free-mail package lacks, found in real mail: HiNet, Taiwan's largest internet
 * provider, gives its subscribers addresses at msa.hinet.net, ms1.hinet.net, ... (as sbcglobal.net or
 * comcast.net, which the package lists). Their registrable domain covers every such host.
 */
const FREE_MAIL_MISSING = new Set(['hinet.net']);

/** A domain in its one spelling, or null when it is not a domain name ("", "a b", "x@y", an IP literal's brackets). A single label (com) is a domain: the public-suffix rule refuses it. */
export function normalizeDomain(input: string): string | null {
  const trimmed = input.trim().replace(/^@/, '').replace(/\.$/, '');
  if (!trimmed || trimmed.length > 253 || /[\s/@:\[\]]/.test(trimmed)) return null;
  const ascii = domainToASCII(trimmed.toLowerCase());
  if (!ascii || ascii.length > 253 || !/^[a-z0-9.-]+$/.test(ascii) || ascii.split('.').some((l) => !l || l.length > 63)) return null;
  return ascii;
}

/** The domain of an address, normalized; null for an address without one. */
export function emailDomain(email: string): string | null {
  const at = email.lastIndexOf('@');
  return at < 0 ? null : normalizeDomain(email.slice(at + 1));
}

/** An address with its domain in the one spelling (the local part as given, in lower case). */
export function normalizeEmailDomain(email: string): string {
  const at = email.lastIndexOf('@');
  if (at < 0) return email.toLowerCase();
  const domain = normalizeDomain(email.slice(at + 1));
  return `${email.slice(0, at).toLowerCase()}@${domain ?? email.slice(at + 1).toLowerCase()}`;
}

/** Why `domain` (normalized) cannot be a company's, or null when it can. `freeMail`: the configured extra list. */
export function companyDomainProblem(domain: string, freeMail: ReadonlySet<string> = new Set()): string | null {
  const suffix = getPublicSuffix(domain, { allowPrivateDomains: true });
  if (!suffix || suffix === domain || !getDomain(domain, { allowPrivateDomains: true })) return `${domain} is a public suffix, not a company's domain`;
  const registrable = getDomain(domain, { allowPrivateDomains: true }) ?? domain;
  for (const d of new Set([domain, registrable])) {
    if (freeMail.has(d) || FREE_MAIL.has(d) || FREE_MAIL_MISSING.has(d)) return `${d} is a free-mail domain: anyone can have an address there`;
    if (DISPOSABLE.has(d)) return `${d} is a disposable-address domain`;
  }
  return null;
}

/** The configured free-mail list, normalized (entries that are no domain are dropped). */
export function freeMailSet(domains: readonly string[]): ReadonlySet<string> {
  return new Set(domains.map(normalizeDomain).filter((d): d is string => d !== null));
}
