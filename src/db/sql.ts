import { CompiledQuery, type Kysely, type Transaction } from 'kysely';

/** Raw SQL with `$1` placeholders, on the pool or inside a transaction. The hot paths use it directly. */
export interface Sql {
  query<R = Record<string, unknown>>(text: string, values?: readonly unknown[]): Promise<R[]>;
  /** The Kysely executor behind it (pg-boss's `fromKysely` adapter takes it to enqueue in our transaction). */
  readonly executor: Kysely<any> | Transaction<any>;
}

export function sqlOf(executor: Kysely<any> | Transaction<any>): Sql {
  return {
    executor,
    async query<R>(text: string, values: readonly unknown[] = []) {
      const result = await executor.executeQuery<R>(CompiledQuery.raw(text, [...values]));
      return result.rows as R[];
    },
  };
}
