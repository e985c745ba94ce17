/** Waiting in tests and benchmarks: poll a condition, or poll a URL until the service behind it answers. */

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export interface WaitOptions {
  timeoutMs?: number;
  intervalMs?: number;
  /** Named in the timeout error. */
  what?: string;
}

/**
 * Polls until fn returns a truthy value (which it resolves with) or the time is up (then it throws). The
 * default bound is generous because the suite runs files side by side on a small machine: it only decides
 * how long a failing test takes to say so, never how long a passing one waits.
 */
export async function waitFor<T>(fn: () => Promise<T> | T, options: WaitOptions = {}): Promise<NonNullable<T>> {
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  let last: unknown;
  for (;;) {
    try {
      const value = await fn();
      if (value) return value as NonNullable<T>;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${options.what ?? 'condition'}${last ? `: ${String(last)}` : ''}`);
    }
    await sleep(options.intervalMs ?? 50);
  }
}

export interface ServingOptions extends WaitOptions {
  /** Which answers count as "up" (default: 2xx). */
  accept?: (status: number) => boolean;
  /** Checked before every attempt: a message when the process behind the URL has exited (stops the wait). */
  exited?: () => string | undefined;
}

/**
 * Polls `url` until it answers with an accepted status. Connection errors mean "not listening yet"; an
 * exited process (options.exited) ends the wait at once with its message.
 */
export async function waitForServing(url: string, options: ServingOptions = {}): Promise<void> {
  const accept = options.accept ?? ((status: number) => status >= 200 && status < 300);
  let exitedWith: string | undefined;
  await waitFor(
    async () => {
      exitedWith = options.exited?.();
      if (exitedWith !== undefined) return true;
      return accept((await fetch(url, { signal: AbortSignal.timeout(2_000) })).status);
    },
    { intervalMs: 200, ...options, what: options.what ?? `${url} to answer` },
  );
  if (exitedWith !== undefined) throw new Error(exitedWith);
}
