/**
 * Who wrote a message: the customer it belongs to, found by its identities (src/domain/customer.ts) or created,
 * inside the caller's transaction, so a ticket and its customer commit together. An address seen on a new door
 * joins the customer who already has it; a door's id of the person is tried before the address; the company a
 * helpdesk names for the person takes them in (companies.ts joinHelpdeskCompanies). Two people never merge by
 * accident: a message whose door id and address belong to two different customers goes to the door id's customer
 * and leaves the address where it is.
 *
 * Doors hand the person in with the message (requesterEmail, requesterName, requesterId); a door that needs the
 * customer before it has a message (a Slack door resolving a user) calls resolveCustomer.
 *
 * This runs for every ticket, so an instance remembers for a minute (CustomerMemo) the owners of identities it
 * read from committed rows and when it last marked a customer seen: a customer who writes again costs no query.
 * Customers are never deleted (only ones created by a transaction that lost every key to another, before any
 * commit), so a remembered owner is never a dangling id.
 */
import { joinHelpdeskCompanies, matchCustomersByDomain } from '../db/repositories/companies.ts';
import { claimIdentities, deleteUnclaimedCustomers, identitiesOwned, insertCustomers, moveIdentities, touchCustomers } from '../db/repositories/customers.ts';
import type { Sql } from '../db/sql.ts';
import { emailDomain } from '../domain/company-domain.ts';
import { type IdentityKey, identityKeys, keyString, type Person } from '../domain/customer.ts';
import type { InboundMessage } from '../domain/inbound-message.ts';

const MEMO_MS = 60_000;
const MEMO_MAX = 50_000;

/** What one instance remembers between transactions (see the file comment). */
export interface CustomerMemo {
  owner(key: string, now: number): number | undefined;
  remember(key: string, customerId: number, now: number): void;
  /**
   * True when the customer should be marked seen now: not done by this instance within the minute, or a name
   * came that this instance has not offered yet (it fills a customer known without one).
   */
  due(customerId: number, now: number, withName: boolean): boolean;
}

export function createCustomerMemo(): CustomerMemo {
  const owners = new Map<string, { id: number; at: number }>();
  const seen = new Map<number, number>();
  const named = new Set<number>();
  const bounded = <K, V>(map: Map<K, V>) => {
    if (map.size > MEMO_MAX) map.clear(); // a burst of new people: start over rather than grow
  };
  return {
    owner(key, now) {
      const hit = owners.get(key);
      return hit && now - hit.at < MEMO_MS ? hit.id : undefined;
    },
    remember(key, id, now) {
      bounded(owners);
      owners.set(key, { id, at: now });
    },
    due(id, now, withName) {
      const at = seen.get(id);
      const offerName = withName && !named.has(id);
      if (at !== undefined && now - at < MEMO_MS && !offerName) return false;
      bounded(seen);
      seen.set(id, now);
      if (offerName) {
        if (named.size > MEMO_MAX) named.clear();
        named.add(id);
      }
      return true;
    },
  };
}

/** A memo that remembers nothing (one-off callers). */
const noMemo: CustomerMemo = { owner: () => undefined, remember: () => {}, due: () => true };

/** The person who sent `msg`: its address and name, and the door's id of them when the door gives one. */
export function senderOf(msg: InboundMessage): Person {
  return {
    email: msg.requesterEmail ?? null,
    name: msg.requesterName ?? null,
    external: msg.requesterId ? { door: msg.source, id: msg.requesterId } : null,
    company: msg.requesterCompany ? { door: msg.source, ...msg.requesterCompany } : null,
  };
}

/** The customer id of each person (null: nothing identifies them), in input order, creating the unknown ones. */
export async function resolveCustomers(tx: Sql, people: Person[], memo: CustomerMemo = noMemo): Promise<(number | null)[]> {
  const now = Date.now();
  const keysOf = people.map(identityKeys);
  const owner = new Map<string, number>();
  const unknown = new Map<string, IdentityKey>();
  for (const k of keysOf.flat()) {
    const key = keyString(k);
    const id = memo.owner(key, now);
    if (id !== undefined) owner.set(key, id);
    else unknown.set(key, k);
  }
  if (!owner.size && !unknown.size) return people.map(() => null);
  for (const o of await identitiesOwned(tx, [...unknown.values()])) {
    owner.set(keyString(o), o.customerId);
    memo.remember(keyString(o), o.customerId, now); // read from committed rows: safe to remember
  }

  // People nobody knows yet: one new customer per person, or per group of people sharing a key in this batch.
  const slotOfKey = new Map<string, number>();
  const slots: { name: string | null; emailDomain: string | null }[] = [];
  const slotOfPerson = people.map((person, i) => {
    const keys = keysOf[i]!;
    if (!keys.length || keys.some((k) => owner.has(keyString(k)))) return null;
    const email = keys.find((k) => k.kind === 'email');
    const slot = keys.map((k) => slotOfKey.get(keyString(k))).find((s) => s !== undefined) ??
      slots.push({ name: person.name?.trim() || null, emailDomain: email ? emailDomain(email.value) : null }) - 1;
    for (const k of keys) if (!slotOfKey.has(keyString(k))) slotOfKey.set(keyString(k), slot);
    return slot;
  });
  const made = await insertCustomers(tx, slots, [...slotOfKey].map(([key, slot]) => ({ slot, ...unknown.get(key)! })));
  const claimed = new Set(made.claimed.map(keyString));
  for (const [key, slot] of slotOfKey) if (claimed.has(key)) owner.set(key, made.ids[slot]!);

  // Known people met with a key nobody owns (the address of someone known by their helpdesk id, or the
  // reverse): the key joins them. Rare, so a statement of its own.
  const extra = new Map<string, { customerId: number } & IdentityKey>();
  people.forEach((_, i) => {
    const keys = keysOf[i]!;
    const known = slotOfPerson[i] === null ? keys.map((k) => owner.get(keyString(k))).find((id) => id !== undefined) : undefined;
    if (known === undefined) return;
    for (const k of keys) if (!owner.has(keyString(k)) && !extra.has(keyString(k))) extra.set(keyString(k), { ...k, customerId: known });
  });
  const given = new Set((await claimIdentities(tx, [...extra.values()])).map(keyString));
  for (const [key, claim] of extra) if (given.has(key)) owner.set(key, claim.customerId);
  const joinedByAddress = [...extra].filter(([key, c]) => given.has(key) && c.kind === 'email').map(([, c]) => c.customerId);
  if (joinedByAddress.length) await matchCustomersByDomain(tx, [...new Set(joinedByAddress)]);

  // Keys another transaction claimed meanwhile: theirs wins. A new customer that lost any key is that
  // winner's person: the keys it did get move over and it goes again, so one person never ends up as two.
  const lost = [...slotOfKey.keys(), ...extra.keys()].filter((k) => !claimed.has(k) && !given.has(k));
  if (lost.length) {
    for (const o of await identitiesOwned(tx, lost.map((k) => unknown.get(k) ?? extra.get(k)!))) owner.set(keyString(o), o.customerId);
    const winnerOf = new Map<number, number>();
    for (const key of lost) {
      const slot = slotOfKey.get(key);
      const winner = owner.get(key);
      if (slot !== undefined && winner !== undefined && winner !== made.ids[slot]) winnerOf.set(made.ids[slot]!, winner);
    }
    for (const [loser, winner] of winnerOf) {
      await moveIdentities(tx, loser, winner);
      for (const [key, id] of owner) if (id === loser) owner.set(key, winner);
    }
    const used = new Set(owner.values());
    await deleteUnclaimedCustomers(tx, made.ids.filter((id) => !used.has(id)));
  }

  const result = keysOf.map((keys) => keys.map((k) => owner.get(keyString(k))).find((id) => id !== undefined) ?? null);
  await joinHelpdeskCompanies(tx, people.flatMap((p, i) => {
    const id = result[i];
    return p.company && id !== null && id !== undefined ? [{ customerId: id, source: p.company.door, key: p.company.key, name: p.company.name, tier: p.company.tier ?? null }] : [];
  }));
  const created = new Set(made.ids);
  await touchCustomers(
    tx,
    result.flatMap((id, i) => {
      if (id === null || created.has(id)) return [];
      const name = people[i]!.name?.trim() || null;
      // Marked seen at most once a minute per instance; a name is worth a statement only the first time.
      return memo.due(id, now, name !== null) ? [{ id, name }] : [];
    }),
  );
  return result;
}

/** One person's customer (see resolveCustomers). */
export async function resolveCustomer(tx: Sql, person: Person, memo?: CustomerMemo): Promise<number | null> {
  return (await resolveCustomers(tx, [person], memo))[0]!;
}
