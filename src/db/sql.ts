/**
 * The typed database handle. `DB` is inferred from the MikroORM entities (MikroORM's Kysely integration), so
 * every builder query in src/db/repositories is checked against the schema the migrations create.
 */
import type { InferKyselyDB } from '@mikro-orm/sql';
import { CompiledQuery, expressionBuilder, type Kysely, type RawBuilder, sql } from 'kysely';
import type { entities } from './entities/index.ts';

type Inferred = InferKyselyDB<(typeof entities)[number]>;

/** The schema. MikroORM types a double as string | number; node-postgres and PGlite both return float8 as a number. */
export type DB = Inferred & {
  tickets: { confidence: number | null };
  classifications: { confidence: number };
};

/** The pool or one transaction (a Kysely `Transaction<DB>` is a `Kysely<DB>`). */
export interface Sql {
  /** Typed builder; pg-boss's `fromKysely` adapter takes it to enqueue in our transaction. */
  readonly kysely: Kysely<DB>;
  /**
   * Raw SQL with `$1` placeholders. For tests and for src/db only: code outside src/db calls a repository
   * (test/db/sql-boundary.test.ts fails when it does not).
   */
  query<R = Record<string, unknown>>(text: string, values?: readonly unknown[]): Promise<R[]>;
}

export function sqlOf(kysely: Kysely<DB>): Sql {
  return {
    kysely,
    async query<R>(text: string, values: readonly unknown[] = []) {
      const result = await kysely.executeQuery<R>(CompiledQuery.raw(text, [...values]));
      return result.rows as R[];
    },
  };
}

/** The one soft-delete predicate: a ticket people deleted is invisible everywhere but in the stats rollup. */
export const ticketNotDeleted = expressionBuilder<DB, 'tickets'>()('tickets.deleted_at', 'is', null);

/** Not deleted, or merged into another ticket (deleted as its own, but its thread continues in the target). */
export const ticketLiveOrMerged = expressionBuilder<DB, 'tickets'>().or([
  expressionBuilder<DB, 'tickets'>()('tickets.deleted_at', 'is', null),
  expressionBuilder<DB, 'tickets'>()('tickets.merged_into_id', 'is not', null),
]);

/**
 * A JSON value for a jsonb column. The drivers would send a JS array as a PostgreSQL array literal, so the
 * value goes as JSON text with a cast.
 */
export function jsonb<T>(value: T | null | undefined): RawBuilder<T | null> {
  return sql<T | null>`${value == null ? null : JSON.stringify(value)}::jsonb`;
}
