/**
 * Blocking a sender: an address, or a whole domain (its subdomains too), whose messages are kept as spam and make
 * no ticket. What may be blocked: never one of our own support addresses or their domains (the replies would
 * block themselves), never a public suffix (`com`, `co.uk`) or a domain anyone can have an address at (gmail.com:
 * block the address instead). Pure; src/ingest/sender-blocks.ts keeps the list and decides per message.
 */
import { companyDomainProblem, emailDomain, normalizeDomain, normalizeEmailDomain } from './company-domain.ts';

export const BLOCK_KINDS = ['email', 'domain'] as const;
export type BlockKind = (typeof BLOCK_KINDS)[number];

export interface BlockSubject {
  kind: BlockKind;
  /** An address in lower case with its domain in one spelling, or a domain (punycode, no trailing dot). */
  value: string;
}

export interface ActiveBlock extends BlockSubject {
  id: number;
}

/** Why a subject cannot be blocked: one static message per rule (the OpenAPI document names them). */
export const BLOCK_RULES = {
  notAnAddress: 'value must be an e-mail address (ana@example.com) when kind is email, a domain (example.com) when kind is domain',
  ours: 'that is one of our own support addresses or their domain: blocking it would drop our own mail',
  tooWide: 'a public suffix or a free-mail/disposable domain cannot be blocked whole: block the address instead',
} as const;

/** Why the Spam action refuses a ticket: it names no sender, or one a block cannot name (the REST door takes longer addresses). */
export const SPAM_RULES = {
  noSender: 'the ticket has no sender address to block',
  unblockable: "the ticket's sender address cannot be blocked: it is not an address a block can name (at most 64 characters before the @)",
} as const;

export class BlockRefused extends Error {
  override readonly name = 'BlockRefused';
}

const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,253}$/;
const DOMAIN = /^[a-z0-9-]+(?:\.[a-z0-9-]+)+$/;

/** The subject in its one spelling, checked; throws BlockRefused. `own`: our support addresses. */
export function parseBlockSubject(kind: string, raw: string, options: { own: readonly string[]; freeMail?: ReadonlySet<string> }): BlockSubject {
  const given = raw.trim();
  const ownAddresses = new Set(options.own.map((a) => normalizeEmailDomain(a.trim())));
  const ownDomains = new Set([...ownAddresses].map(emailDomain).filter((d): d is string => d !== null));
  if (kind === 'email') {
    if (!EMAIL.test(given)) throw new BlockRefused(BLOCK_RULES.notAnAddress);
    const value = normalizeEmailDomain(given);
    if (ownAddresses.has(value)) throw new BlockRefused(BLOCK_RULES.ours);
    return { kind, value };
  }
  if (kind === 'domain') {
    // A name the URL parser will not take (a.0 reads as an IP address) is still compared as written, in lower case.
    const value = normalizeDomain(given) ?? given.toLowerCase().replace(/^@/, '').replace(/\.$/, '');
    if (!DOMAIN.test(value)) throw new BlockRefused(BLOCK_RULES.notAnAddress);
    if ([...ownDomains].some((d) => d === value || d.endsWith(`.${value}`))) throw new BlockRefused(BLOCK_RULES.ours);
    if (companyDomainProblem(value, options.freeMail)) throw new BlockRefused(BLOCK_RULES.tooWide);
    return { kind, value };
  }
  throw new BlockRefused(BLOCK_RULES.notAnAddress);
}

/** The block that stops mail from `email`, if any: the address itself, else its domain or a parent domain. */
export function blockOf(email: string | null | undefined, blocks: readonly ActiveBlock[]): ActiveBlock | undefined {
  if (!email || !blocks.length) return undefined;
  const address = normalizeEmailDomain(email.trim());
  const domain = emailDomain(address);
  return (
    blocks.find((b) => b.kind === 'email' && b.value === address) ??
    (domain ? blocks.find((b) => b.kind === 'domain' && (domain === b.value || domain.endsWith(`.${b.value}`))) : undefined)
  );
}
