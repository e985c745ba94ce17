import type { Sql } from '../db/sql.ts';

export type TicketChange =
  | { kind: 'status'; status: string; actor: string }
  | { kind: 'classification'; category: string; priority: string | null; actor: string; note: string | null }
  | { kind: 'deleted'; actor: string };

/**
 * Extension points of the pipeline. Each runs INSIDE the transaction that makes the change, so whatever
 * it enqueues (a Slack post, say) commits with it or not at all. Adapters push onto these at start-up.
 */
export interface ClassifiedOptions {
  /** false: the ticket was loaded as history (seed without --alert): no Slack alert. */
  alert?: boolean;
}

export interface PipelineHooks {
  onClassified: ((tx: Sql, ticketId: number, options?: ClassifiedOptions) => Promise<void>)[];
  onFollowup: ((tx: Sql, ticketId: number, messageId: number) => Promise<void>)[];
  onTicketChanged: ((tx: Sql, ticketId: number, change: TicketChange) => Promise<void>)[];
}

export function createHooks(): PipelineHooks {
  return { onClassified: [], onFollowup: [], onTicketChanged: [] };
}

export async function runHooks<A extends unknown[]>(hooks: ((...args: A) => Promise<void>)[], ...args: A): Promise<void> {
  for (const hook of hooks) await hook(...args);
}
