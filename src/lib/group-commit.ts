/**
 * Group commit: callers hand in one item each; items that arrive while earlier groups are being written
 * are written together as the next group. No timer: an idle system writes each item at once, a busy one
 * writes many per round trip and commit. Used to keep "acknowledged means committed" at high rates.
 */
export interface GroupCommitOptions<I, O> {
  /** Writes a group; returns one result (or Error) per item, in order. Throwing fails the whole group. */
  write(items: I[]): Promise<(O | Error)[]>;
  maxGroupSize: number;
  /** Groups written at the same time (one per database connection you are willing to use). */
  maxInFlight: number;
}

interface Pending<I, O> {
  item: I;
  resolve(value: O): void;
  reject(error: unknown): void;
}

export function createGroupCommit<I, O>(options: GroupCommitOptions<I, O>): (item: I) => Promise<O> {
  const queue: Pending<I, O>[] = [];
  let inFlight = 0;

  const pump = (): void => {
    while (inFlight < options.maxInFlight && queue.length > 0) {
      const group = queue.splice(0, options.maxGroupSize);
      inFlight++;
      options
        .write(group.map((p) => p.item))
        .then(
          (results) => group.forEach((p, i) => settle(p, results[i])),
          (error: unknown) => group.forEach((p) => p.reject(error)),
        )
        .finally(() => {
          inFlight--;
          pump();
        });
    }
  };

  return (item) =>
    new Promise<O>((resolve, reject) => {
      queue.push({ item, resolve, reject });
      pump();
    });
}

function settle<I, O>(pending: Pending<I, O>, result: O | Error | undefined): void {
  if (result instanceof Error) pending.reject(result);
  else if (result === undefined) pending.reject(new Error('group writer returned no result for an item'));
  else pending.resolve(result);
}
