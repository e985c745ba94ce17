/**
 * What each part of intake says about itself, turned into fault reports for the ops monitor. An observer
 * returns nothing for a part this instance does not observe (a standby mailbox reader, a classifier on an
 * instance that does not classify), so only instances that know can resolve an incident.
 */
import type { Sql } from '../db/sql.ts';
import { webhookRejectionStreak, type SignalReport } from '../db/repositories/ops-incidents.ts';
import { incidentKey } from './incident-keys.ts';
import type { Observer } from './monitor.ts';

/** One stray unsigned request is not a broken door: a run needs at least this many rejections. */
export const MIN_REJECTIONS = 2;

/** Webhook doors, from the delivery audit (inbound_events): the same answer on every instance. */
export function webhookObserver(sql: Sql, providers: readonly string[]): Observer {
  return async () => {
    const reports: SignalReport[] = [];
    for (const provider of providers) {
      const s = await webhookRejectionStreak(sql, provider);
      const title = `Webhook door ${provider} rejects every delivery`;
      if (s.rejected >= MIN_REJECTIONS && s.since) {
        const detail = `${s.rejected} deliveries rejected ${s.okAt ? `since the last accepted one (${s.okAt.toISOString()})` : 'and none accepted in the last 7 days'}; last reason: ${s.lastReason ?? 'unknown'}`;
        reports.push({ key: incidentKey.webhook(provider), title, bad: true, since: s.since, detail });
      } else {
        reports.push({ key: incidentKey.webhook(provider), title, bad: false });
      }
    }
    return reports;
  };
}

/** The parts of the IMAP reader's /health an observer needs. */
export interface MailboxState {
  status: string;
  backlog: number;
  last_fetch_at: string | null;
  last_error: { message: string; kind: string; at: string } | null;
}

/** A session with mail waiting that made no progress for this long counts as "nothing read". */
const STALLED_MS = 60_000;

/** A mailbox: login / token refresh failing, and mail not being read. Only the instance reading it reports. */
export function mailboxObserver(mailbox: string, state: () => MailboxState, now: () => number = Date.now): Observer {
  return () => {
    const s = state();
    if (s.status === 'standby' || s.status === 'disabled') return [];
    const loginFailing = s.status !== 'connected' && (s.last_error?.kind === 'auth' || s.last_error?.kind === 'config');
    const lastRead = s.last_fetch_at ? Date.parse(s.last_fetch_at) : undefined;
    // Not connected for another reason (server down, network), or connected with mail waiting and no progress.
    // A failing login is its own incident: not reported twice.
    const stalled = s.status === 'connected' && s.backlog > 0 && (lastRead === undefined || now() - lastRead > STALLED_MS);
    const notRead = !loginFailing && (s.status !== 'connected' || stalled);
    return [
      {
        key: incidentKey.mailboxLogin(mailbox),
        title: `Mailbox ${mailbox}: login or token refresh failing`,
        bad: loginFailing,
        ...(loginFailing ? { detail: s.last_error!.message } : {}),
      },
      {
        key: incidentKey.mailboxNotRead(mailbox),
        title: `Mailbox ${mailbox}: mail is not being read`,
        bad: notRead,
        ...(notRead
          ? { detail: stalled ? `${s.backlog} messages waiting, last read ${s.last_fetch_at ?? 'never'}` : `reader ${s.status}${s.last_error ? `: ${s.last_error.message}` : ''}` }
          : {}),
      },
    ];
  };
}

/** The LLM's circuit breaker, on an instance that classifies: not closed = the local model answers instead. */
export function breakerObserver(health: () => { circuit?: string; last_failure?: string | undefined }): Observer {
  return () => {
    const h = health();
    if (!h.circuit) return [];
    const bad = h.circuit !== 'closed';
    return [{
      key: incidentKey.classifierBreaker(),
      title: 'LLM classifier unavailable: circuit breaker open, the local model classifies',
      bad,
      ...(bad ? { detail: `circuit ${h.circuit}; last failure: ${h.last_failure ?? 'unknown'}` } : {}),
    }];
  };
}

/** Dead letters waiting for an operator, above OPS_DEAD_LETTERS_ABOVE. */
export function deadLetterObserver(counts: () => Promise<Record<string, number>>, above: number): Observer {
  return async () => {
    const byQueue = await counts();
    const total = Object.values(byQueue).reduce((a, b) => a + b, 0);
    const bad = total > above;
    const detail = Object.entries(byQueue).filter(([, n]) => n > 0).map(([q, n]) => `${q}: ${n}`).join(', ');
    return [{
      key: incidentKey.deadLetters(),
      title: 'Dead letters are piling up (jobs that gave up; npm run dead-letters)',
      bad,
      ...(bad ? { detail: `${total} waiting (${detail})` } : {}),
    }];
  };
}

/** What the Slack adapter says about its rate limits (slack/index.ts throttleState). */
export interface SlackThrottleState {
  /** 429s Slack answered (not our own held-back calls) in the last minute. */
  rateLimitedLastMinute: number;
  /** How long the oldest call waiting for its budget has waited (ms). */
  oldestWaitMs: number;
}

/** A wait this long for the budget means the work is more than Slack lets us post: the team reads late. */
const BUDGET_WAIT_BAD_MS = 60_000;

/**
 * Slack throttling our calls, persistently: only instances that run the Slack workers report. Slack holding back
 * our events (app_rate_limited) is the Slack door's own incident (slack:rate-limited, opened at once), not this one.
 */
export function slackThrottleObserver(state: () => SlackThrottleState): Observer {
  return () => {
    const s = state();
    const bad = s.rateLimitedLastMinute > 0 || s.oldestWaitMs > BUDGET_WAIT_BAD_MS;
    const why = [
      ...(s.rateLimitedLastMinute > 0 ? [`${s.rateLimitedLastMinute} answers 429 from Slack in the last minute`] : []),
      ...(s.oldestWaitMs > BUDGET_WAIT_BAD_MS ? [`Slack calls waiting ${Math.round(s.oldestWaitMs / 1000)} s for their rate budget`] : []),
    ];
    return [{ key: incidentKey.slackThrottled(), title: 'Slack is throttling us: cards and notes arrive late', bad, ...(bad ? { detail: why.join('; ') } : {}) }];
  };
}
