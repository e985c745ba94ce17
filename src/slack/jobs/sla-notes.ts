/**
 * SLA warnings and breaches in Slack: the scan (src/sla/scan.ts) claims each event once and enqueues its job
 * here, in its transaction; the job posts one message in the alert's thread (post-once key sla:<id>:<kind>;
 * a breach mentions SLA_ESCALATION_MENTION) and edits the card, whose clock lines ("first response due in
 * 12 min", "breached 5 min ago") come from cards/sla-lines.ts.
 */
import type { QueueJob } from '../../db/queue.ts';
import { findSla, type SlaRow } from '../../db/repositories/slas.ts';
import type { Sql } from '../../db/sql.ts';
import type { SlaEventKind } from '../../domain/sla.ts';
import { ticketCreatedAtMs } from '../../db/repositories/tickets.ts';
import { postedAlert } from './alert-post.ts';
import { type NotifyDeps, posting, reported } from './alerts.ts';
import { requestCardRefresh } from './card-request.ts';
import { BLOCK_KIT_LIMITS, slackDate, truncate } from '../cards/format.ts';
import { postOnce } from '../delivery/post-once.ts';
import { slaLines } from '../cards/sla-lines.ts';
import { SLACK_QUEUES } from '../../db/queue-registry.ts';

export const SLA_EVENT_TYPE = 'support_ticket_sla';

export interface SlaJob {
  ticketId: number;
  kind: SlaEventKind;
}

export async function enqueueSlaNote(deps: Pick<NotifyDeps, 'queue'>, tx: Sql, ticketId: number, kind: SlaEventKind): Promise<void> {
  await deps.queue.send<SlaJob>(SLACK_QUEUES.sla, { ticketId, kind }, { singletonKey: `sla:${ticketId}:${kind}` }, tx);
}

const WORDS: Record<SlaEventKind, string> = {
  first_response_warning: ':hourglass_flowing_sand: *First response due soon*',
  first_response_breach: ':rotating_light: *First response SLA breached*',
  resolution_warning: ':hourglass_flowing_sand: *Resolution due soon*',
  resolution_breach: ':rotating_light: *Resolution SLA breached*',
};

export function slaMessage(kind: SlaEventKind, row: SlaRow | null, mention: string | undefined, now: Date) {
  const due = kind.startsWith('first_response') ? row?.firstResponseDueAt : row?.resolutionDueAt;
  const when = due ? ` (due ${slackDate(due)})` : '';
  const escalate = kind.endsWith('_breach') && mention ? ` ${mention}` : '';
  const lines = slaLines(row, now).join('\n');
  const text = truncate(`${WORDS[kind]}${when}${escalate}${lines ? `\n${lines}` : ''}`, BLOCK_KIT_LIMITS.sectionText);
  return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] };
}

export async function handleSlaNote(deps: NotifyDeps & { escalationMention: string | undefined }, job: QueueJob<SlaJob>): Promise<void> {
  const { ticketId, kind } = job.data;
  const alert = await postedAlert(deps.db.sql, ticketId, `SLA ${kind}`);
  // No card (no channel for it): nothing to warn in.
  if (!alert) return;
  await reported(deps, () =>
    postOnce(posting(deps), {
      key: `sla:${ticketId}:${kind}`,
      ticketId,
      channel: alert.channel,
      threadTs: alert.ts,
      eventType: SLA_EVENT_TYPE,
      priority: 'note',
      // An interrupted post is looked for from the ticket's arrival: its warnings and breaches all come later.
      searchSince: async () => new Date((await ticketCreatedAtMs(deps.db.sql, ticketId)) ?? Date.now() - 86_400_000),
      build: async () => slaMessage(kind, await findSla(deps.db.sql, ticketId), deps.escalationMention, new Date()),
    }),
  );
  // The card's clock lines, in the ticket's next coalesced edit.
  await requestCardRefresh(deps, ticketId, []);
}
