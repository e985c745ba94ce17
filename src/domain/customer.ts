/**
 * Customers: one person across every door. What identifies them (an e-mail address, a door's id of the person)
 * and the shapes REST and the card show. Pure: src/ingest/customers.ts resolves people, src/db stores them.
 */
import { normalizeEmailDomain } from './company-domain.ts';
import type { HelpdeskCompany } from './inbound-message.ts';

/** A door's own id of the person (a helpdesk's requester id, a Slack user id). */
export interface ExternalPerson {
  door: string;
  id: string;
}

/** A message's sender, as ingest sees it. Any field may be missing; with neither address nor id, nobody is known. */
export interface Person {
  email?: string | null;
  name?: string | null;
  external?: ExternalPerson | null;
  /** The company a helpdesk says the person belongs to, keyed within that door. */
  company?: ({ door: string } & HelpdeskCompany) | null;
}

/** An identity key: kind 'email' (the address in lower case) or a door's name with its id. */
export interface IdentityKey {
  kind: string;
  value: string;
}

export const IDENTITY_VALUE_MAX = 320;

/** The keys a person is known by, most specific first (a door's id before an address, which people share less rarely). */
export function identityKeys(person: Person): IdentityKey[] {
  const keys: IdentityKey[] = [];
  const id = person.external?.id?.trim();
  if (person.external && id && [...id].length <= IDENTITY_VALUE_MAX) keys.push({ kind: person.external.door.toLowerCase(), value: id });
  // One spelling of the address: Ana@MÜNCHEN.de and ana@xn--mnchen-3ya.de are one person.
  const email = person.email?.trim() ? normalizeEmailDomain(person.email.trim()) : null;
  if (email && email.includes('@') && [...email].length <= IDENTITY_VALUE_MAX) keys.push({ kind: 'email', value: email });
  return keys;
}

export const keyString = (k: IdentityKey) => `${k.kind}\u0000${k.value}`;

export interface Customer {
  id: number;
  name: string | null;
  emails: string[];
  /** Door ids of the person: [{door: 'zendesk', id: '123'}]. */
  externalIds: ExternalPerson[];
  firstSeenAt: Date;
  lastSeenAt: Date;
  createdAt: Date;
  updatedAt: Date;
}
