/**
 * Who wrote a message: the customer it belongs to, found by its identities (src/domain/customer.ts) or created,
 * inside the caller's transaction, so a ticket and its customer commit together. An address seen on a new door
 * joins the customer who already has it; a door's id of the person is tried before the address. Two people never
 * merge by accident: a message whose door id and address belong to two different customers goes to the door id's
 * customer and leaves the address where it is.
 *
 * Doors hand the person in with the message (requesterEmail, requesterName, requesterId); a door that needs the
 * customer before it has a message (a Slack door resolving a user) calls resolveCustomer.
 */
import { claimIdentities, deleteUnclaimedCustomers, identitiesOwned, insertCustomers, touchCustomers } from '../db/repositories/customers.ts';
import type { Sql } from '../db/sql.ts';
import { type IdentityKey, identityKeys, keyString, type Person } from '../domain/customer.ts';
import type { InboundMessage } from '../domain/inbound-message.ts';

/** The person who sent `msg`: its address and name, and the door's id of them when the door gives one. */
export function senderOf(msg: InboundMessage): Person {
  return {
    email: msg.requesterEmail ?? null,
    name: msg.requesterName ?? null,
    external: msg.requesterId ? { door: msg.source, id: msg.requesterId } : null,
  };
}

/** The customer id of each person (null: nothing identifies them), in input order, creating the unknown ones. */
export async function resolveCustomers(tx: Sql, people: Person[]): Promise<(number | null)[]> {
  const keysOf = people.map(identityKeys);
  const distinct = new Map<string, IdentityKey>();
  for (const k of keysOf.flat()) distinct.set(keyString(k), k);
  if (!distinct.size) return people.map(() => null);

  const owner = new Map<string, number>();
  for (const o of await identitiesOwned(tx, [...distinct.values()])) owner.set(keyString(o), o.customerId);

  // People nobody knows yet: one new customer per person, or per group of people sharing a key in this batch.
  const slotOfKey = new Map<string, number>();
  const newNames: (string | null)[] = [];
  const slotOfPerson = people.map((person, i) => {
    const keys = keysOf[i]!;
    if (!keys.length || keys.some((k) => owner.has(keyString(k)))) return null;
    const slot = keys.map((k) => slotOfKey.get(keyString(k))).find((s) => s !== undefined) ?? newNames.push(person.name?.trim() || null) - 1;
    for (const k of keys) if (!slotOfKey.has(keyString(k))) slotOfKey.set(keyString(k), slot);
    return slot;
  });
  const newIds = await insertCustomers(tx, newNames);

  // Every key nobody owns goes to its person's customer: a new one, or a known one met with a new key
  // (the address of someone known by their helpdesk id, the helpdesk id of someone known by address).
  const claims = new Map<string, { customerId: number } & IdentityKey>();
  people.forEach((_, i) => {
    const keys = keysOf[i]!;
    const known = keys.map((k) => owner.get(keyString(k))).find((id) => id !== undefined);
    const customerId = known ?? (slotOfPerson[i] === null ? undefined : newIds[slotOfPerson[i]!]);
    if (customerId === undefined) return;
    for (const k of keys) if (!owner.has(keyString(k)) && !claims.has(keyString(k))) claims.set(keyString(k), { ...k, customerId });
  });
  const claimed = new Set((await claimIdentities(tx, [...claims.values()])).map(keyString));
  for (const [key, claim] of claims) if (claimed.has(key)) owner.set(key, claim.customerId);

  // Keys another transaction claimed meanwhile: theirs wins; new customers left without any key go again.
  const lost = [...claims.keys()].filter((k) => !claimed.has(k));
  if (lost.length) {
    for (const o of await identitiesOwned(tx, lost.map((k) => claims.get(k)!))) owner.set(keyString(o), o.customerId);
    const used = new Set(owner.values());
    await deleteUnclaimedCustomers(tx, newIds.filter((id) => !used.has(id)));
  }

  const result = keysOf.map((keys) => keys.map((k) => owner.get(keyString(k))).find((id) => id !== undefined) ?? null);
  const created = new Set(newIds);
  await touchCustomers(
    tx,
    result.flatMap((id, i) => (id === null || created.has(id) ? [] : [{ id, name: people[i]!.name?.trim() || null }])),
  );
  return result;
}

/** One person's customer (see resolveCustomers). */
export async function resolveCustomer(tx: Sql, person: Person): Promise<number | null> {
  return (await resolveCustomers(tx, [person]))[0]!;
}
