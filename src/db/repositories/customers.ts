/**
 * Customers and their identities (src/domain/customer.ts). The ingest half (identitiesOwned, insertCustomers,
 * claimIdentities, touchCustomers) is on the ticket hot path: set-based, one statement per step for a whole
 * group commit. Reading and REST's changes follow.
 */
import type { IdentityKey } from '../../domain/customer.ts';
import type { Sql } from '../sql.ts';

export interface OwnedIdentity extends IdentityKey {
  customerId: number;
}

/** Which of `keys` belong to a customer already. */
export async function identitiesOwned(tx: Sql, keys: IdentityKey[]): Promise<OwnedIdentity[]> {
  if (!keys.length) return [];
  const rows = await tx.query<{ kind: string; value: string; customer_id: number }>(
    `select i.kind, i.value, i.customer_id from customer_identities i
      join unnest($1::text[], $2::text[]) as k(kind, value) using (kind, value)`,
    [keys.map((k) => k.kind), keys.map((k) => k.value)],
  );
  return rows.map((r) => ({ kind: r.kind, value: r.value, customerId: r.customer_id }));
}

/** New customers, one per name given (null: no name known), ids in input order. */
export async function insertCustomers(tx: Sql, names: (string | null)[]): Promise<number[]> {
  if (!names.length) return [];
  const rows = await tx.query<{ id: number }>(
    `insert into customers (name) select n from unnest($1::text[]) with ordinality as v(n, i) order by i returning id`,
    [names],
  );
  // Ids come from one sequence in the order rows are inserted, so sorting restores the input order.
  return rows.map((r) => r.id).sort((a, b) => a - b);
}

/**
 * Gives each key to its customer unless another customer holds it already (a concurrent transaction on
 * PostgreSQL: the insert waits for it, then yields). Returns the keys given. Keys go in a fixed order so two
 * transactions claiming overlapping keys cannot deadlock.
 */
export async function claimIdentities(tx: Sql, claims: OwnedIdentity[]): Promise<IdentityKey[]> {
  if (!claims.length) return [];
  const sorted = [...claims].sort((a, b) => (a.kind === b.kind ? (a.value < b.value ? -1 : a.value > b.value ? 1 : 0) : a.kind < b.kind ? -1 : 1));
  return tx.query<IdentityKey>(
    `insert into customer_identities (customer_id, kind, value)
     select c, k, v from unnest($1::int[], $2::text[], $3::text[]) with ordinality as x(c, k, v, i) order by i
     on conflict (kind, value) do nothing returning kind, value`,
    [sorted.map((c) => c.customerId), sorted.map((c) => c.kind), sorted.map((c) => c.value)],
  );
}

/** Customers created for keys another transaction claimed first: nothing points at them yet. */
export async function deleteUnclaimedCustomers(tx: Sql, ids: number[]): Promise<void> {
  if (!ids.length) return;
  await tx.query(`delete from customers where id = any($1::int[])`, [ids]);
}

/**
 * A message from these customers arrived now. last_seen_at moves at most once a minute, and a name is only
 * filled in where none is known: a customer writing many messages at once does not make every transaction
 * wait on the same row.
 */
export async function touchCustomers(tx: Sql, seen: { id: number; name: string | null }[]): Promise<void> {
  if (!seen.length) return;
  const byId = new Map<number, string | null>();
  for (const s of seen) byId.set(s.id, byId.get(s.id) ?? s.name);
  const ids = [...byId.keys()].sort((a, b) => a - b);
  await tx.query(
    `update customers c set last_seen_at = now(), name = coalesce(c.name, v.name), updated_at = now()
       from unnest($1::int[], $2::text[]) as v(id, name)
      where c.id = v.id and (c.last_seen_at < now() - interval '1 minute' or (c.name is null and v.name is not null))`,
    [ids, ids.map((id) => byId.get(id) ?? null)],
  );
}
