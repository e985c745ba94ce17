/**
 * Customers and their identities (src/domain/customer.ts). The ingest half (identitiesOwned, insertCustomers,
 * claimIdentities, touchCustomers) is on the ticket hot path: set-based, one statement per step for a whole
 * group commit. Reading and REST's changes follow.
 */
import type { IdentityKey } from '../../domain/customer.ts';
import { sql } from 'kysely';
import { type Sql, ticketNotDeleted } from '../sql.ts';

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

/**
 * New customers with their keys, in one statement: each slot gets a customer (its name; the company holding the
 * domain of its address, when one does) and its keys, unless another transaction holds a key already (on
 * PostgreSQL the insert waits for it, then yields). Returns each slot's id and the keys given.
 */
export async function insertCustomers(
  tx: Sql,
  slots: { name: string | null; emailDomain: string | null }[],
  keys: { slot: number; kind: string; value: string }[],
): Promise<{ ids: number[]; claimed: IdentityKey[] }> {
  if (!slots.length) return { ids: [], claimed: [] };
  const sorted = [...keys].sort(byKey);
  const rows = await tx.query<{ slot: number | null; id: number | null; kind: string | null; value: string | null }>(
    `with slots as (
       select i::int - 1 as slot, nextval(pg_get_serial_sequence('customers', 'id'))::int as id, n as name, d as domain
         from unnest($1::text[], $2::text[]) with ordinality as s(n, d, i)),
     made as (
       insert into customers (id, name, company_id, company_match)
       select s.id, s.name, cd.company_id, case when cd.company_id is null then null else 'domain' end
         from slots s left join company_domains cd on cd.domain = s.domain
        order by s.slot returning id),
     given as (
       insert into customer_identities (customer_id, kind, value)
       select s.id, k.kind, k.value from unnest($3::int[], $4::text[], $5::text[]) with ordinality as k(slot, kind, value, i)
         join slots s on s.slot = k.slot
        where exists (select 1 from made) order by k.i
       on conflict (kind, value) do nothing returning kind, value)
     select s.slot, s.id, null as kind, null as value from slots s
     union all select null, null, g.kind, g.value from given g`,
    [slots.map((s) => s.name), slots.map((s) => s.emailDomain), sorted.map((k) => k.slot), sorted.map((k) => k.kind), sorted.map((k) => k.value)],
  );
  const ids: number[] = [];
  const claimed: IdentityKey[] = [];
  for (const r of rows) {
    if (r.slot !== null && r.id !== null) ids[r.slot] = r.id;
    else if (r.kind !== null && r.value !== null) claimed.push({ kind: r.kind, value: r.value });
  }
  return { ids, claimed };
}

const byKey = (a: IdentityKey, b: IdentityKey) => (a.kind === b.kind ? (a.value < b.value ? -1 : a.value > b.value ? 1 : 0) : a.kind < b.kind ? -1 : 1);

/**
 * Gives each key to its customer unless another customer holds it already (a concurrent transaction on
 * PostgreSQL: the insert waits for it, then yields). Returns the keys given. Keys go in a fixed order so two
 * transactions claiming overlapping keys cannot deadlock.
 */
export async function claimIdentities(tx: Sql, claims: OwnedIdentity[]): Promise<IdentityKey[]> {
  if (!claims.length) return [];
  const sorted = [...claims].sort(byKey);
  return tx.query<IdentityKey>(
    `insert into customer_identities (customer_id, kind, value)
     select c, k, v from unnest($1::int[], $2::text[], $3::text[]) with ordinality as x(c, k, v, i) order by i
     on conflict (kind, value) do nothing returning kind, value`,
    [sorted.map((c) => c.customerId), sorted.map((c) => c.kind), sorted.map((c) => c.value)],
  );
}

/** Every identity of `from` (a customer created in this transaction) now belongs to `to`. */
export async function moveIdentities(tx: Sql, from: number, to: number): Promise<void> {
  await tx.query(`update customer_identities set customer_id = $2 where customer_id = $1`, [from, to]);
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

// --- Reading and REST's changes ---

export interface CustomerRow {
  id: number;
  name: string | null;
  emails: string[];
  externalIds: { door: string; id: string }[];
  company: { id: number; name: string; tier: string | null } | null;
  companyMatch: string | null;
  firstSeenAt: Date;
  lastSeenAt: Date;
  createdAt: Date;
  updatedAt: Date;
}

function selectCustomers(db: Sql) {
  return db.kysely
    .selectFrom('customers as c')
    .leftJoin('companies as co', 'co.id', 'c.company_id')
    .select(['c.id', 'c.name', 'c.company_match', 'c.first_seen_at', 'c.last_seen_at', 'c.created_at', 'c.updated_at', 'co.id as company_id', 'co.name as company_name', 'co.tier as company_tier'])
    .select((eb) =>
      eb
        .selectFrom('customer_identities as i')
        .whereRef('i.customer_id', '=', 'c.id')
        .select(sql<{ kind: string; value: string }[] | null>`json_agg(json_build_object('kind', i.kind, 'value', i.value) order by i.kind, i.value)`.as('x'))
        .as('identities'),
    );
}
type CustomerSelect = Awaited<ReturnType<ReturnType<typeof selectCustomers>['executeTakeFirstOrThrow']>>;

const toCustomer = (r: CustomerSelect): CustomerRow => {
  const identities = r.identities ?? [];
  return {
    id: r.id,
    name: r.name,
    emails: identities.filter((i) => i.kind === 'email').map((i) => i.value),
    externalIds: identities.filter((i) => i.kind !== 'email').map((i) => ({ door: i.kind, id: i.value })),
    company: r.company_id === null || r.company_name === null ? null : { id: r.company_id, name: r.company_name, tier: r.company_tier },
    companyMatch: r.company_match,
    firstSeenAt: new Date(r.first_seen_at),
    lastSeenAt: new Date(r.last_seen_at),
    createdAt: new Date(r.created_at),
    updatedAt: new Date(r.updated_at),
  };
};

export async function getCustomer(db: Sql, id: number): Promise<CustomerRow | null> {
  const row = await selectCustomers(db).where('c.id', '=', id).executeTakeFirst();
  return row ? toCustomer(row) : null;
}

/** Customers by name or identity (substring, any case), newest first, `limit` after the id `before` (keyset). */
export async function listCustomers(db: Sql, q: { search?: string; companyId?: number; before?: number; limit: number }): Promise<CustomerRow[]> {
  let query = selectCustomers(db).orderBy('c.id', 'desc').limit(q.limit);
  if (q.before !== undefined) query = query.where('c.id', '<', q.before);
  if (q.companyId !== undefined) query = query.where('c.company_id', '=', q.companyId);
  if (q.search) {
    const like = `%${q.search.replace(/[\\%_]/g, (m) => `\\${m}`)}%`;
    query = query.where((eb) =>
      eb.or([eb('c.name', 'ilike', like), eb.exists(eb.selectFrom('customer_identities as i').whereRef('i.customer_id', '=', 'c.id').where('i.value', 'ilike', like).select('i.id'))]),
    );
  }
  return (await query.execute()).map(toCustomer);
}

/** Tickets of a customer: how many, how many not resolved. */
export async function customerTicketCounts(db: Sql, id: number): Promise<{ total: number; open: number }> {
  const row = await db.kysely
    .selectFrom('tickets')
    .select((eb) => [eb.fn.countAll<string>().as('total'), sql<string>`count(*) filter (where status <> 'resolved')`.as('open')])
    .where('customer_id', '=', id)
    .where(ticketNotDeleted)
    .executeTakeFirstOrThrow();
  return { total: Number(row.total), open: Number(row.open) };
}

/** A customer made by hand with its keys; null (nothing stored) when another customer holds one of them. */
export async function createCustomerByHand(tx: Sql, name: string | null, keys: IdentityKey[]): Promise<number | null> {
  const { id } = await tx.kysely.insertInto('customers').values({ name }).returning('id').executeTakeFirstOrThrow();
  const claimed = await claimIdentities(tx, keys.map((k) => ({ ...k, customerId: id })));
  return claimed.length === keys.length ? id : null;
}

/** Adds keys to a customer; returns the keys another customer holds (then nothing is added by the caller's rollback). */
export async function addIdentities(tx: Sql, customerId: number, keys: IdentityKey[]): Promise<IdentityKey[]> {
  const claimed = new Set((await claimIdentities(tx, keys.map((k) => ({ ...k, customerId })))).map((k) => `${k.kind}\u0000${k.value}`));
  const mine = new Set((await identitiesOwned(tx, keys)).filter((o) => o.customerId === customerId).map((k) => `${k.kind}\u0000${k.value}`));
  return keys.filter((k) => !claimed.has(`${k.kind}\u0000${k.value}`) && !mine.has(`${k.kind}\u0000${k.value}`));
}

export async function renameCustomer(db: Sql, id: number, name: string | null): Promise<boolean> {
  const r = await db.kysely.updateTable('customers').set({ name, updated_at: new Date() }).where('id', '=', id).executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}
