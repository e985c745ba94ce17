/**
 * When the door reads its channels back (back-read.ts): at start, once our workspace is known, and after
 * every gap in the events while running: Socket Mode connected again after a drop, Slack answering again
 * after failing for a while, Slack saying it held our events back (app_rate_limited: read once that minute
 * is over). Requests coalesce: one run at a time, a request during a run makes one more run after it, and
 * runs start at least `spacingMs` apart (each costs rate-tier-3 calls: a page per channel, one per thread).
 */
import type { Logger } from 'pino';

export interface BackReadSchedule {
  /** Asks for a back-read `delayMs` from now at the earliest. */
  request(reason: string, delayMs?: number): void;
  /** Cancels what is planned and waits for a run under way. */
  stop(): Promise<void>;
}

export function scheduleBackReads(
  run: () => Promise<unknown>,
  opts: { logger: Logger; ready: () => boolean; spacingMs?: number; readyWaitMs?: number },
): BackReadSchedule {
  const spacing = opts.spacingMs ?? 15_000;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let wanted = false;
  let stopped = false;
  let dueAt = 0;
  let lastStart = Number.NEGATIVE_INFINITY;
  let readySince: number | undefined;

  const arm = () => {
    clearTimeout(timer);
    const at = Math.max(dueAt, lastStart + spacing);
    timer = setTimeout(fire, Math.max(0, at - Date.now()));
  };
  function fire(): void {
    timer = undefined;
    if (stopped) return;
    // A timer may fire a millisecond before Date.now() reaches its time: the spacing is a promise, so wait it out.
    const early = Math.max(dueAt, lastStart + spacing) - Date.now();
    if (early > 0) {
      timer = setTimeout(fire, early);
      return;
    }
    // Our workspace tells customers from colleagues: wait for auth.test a while, then read anyway.
    readySince ??= Date.now();
    if (!opts.ready() && Date.now() - readySince < (opts.readyWaitMs ?? 60_000)) {
      timer = setTimeout(fire, 500);
      return;
    }
    readySince = undefined;
    wanted = false;
    lastStart = Date.now();
    running = run()
      .then(() => undefined, (error: unknown) => opts.logger.warn({ err: error }, 'slack back-read failed'))
      .finally(() => {
        running = undefined;
        if (wanted && !stopped) arm();
      });
  }

  return {
    request(reason, delayMs = 0) {
      if (stopped) return;
      opts.logger.info({ reason, delayMs }, 'slack back-read planned');
      dueAt = Math.max(dueAt, Date.now() + delayMs);
      wanted = true;
      if (!running) arm();
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
