/**
 * An incident's card: how many customers, about what, since when; the latest tickets; and, while it is open,
 * Reply to all, Resolve all, Close, and a menu to take one ticket out (it then gets its own card).
 */
import type { IncidentCounts, IncidentRow, IncidentTicket } from '../../db/repositories/incidents.ts';
import { actorLabel, BLOCK_KIT_LIMITS, safeMrkdwn, safePlain, slackDate, truncate } from './format.ts';

export const INCIDENT_EVENT_TYPE = 'support_incident';

export const INCIDENT_ACTION_IDS = {
  replyAll: 'incident_reply_all',
  resolveAll: 'incident_resolve_all',
  close: 'incident_close',
  takeOut: 'incident_take_out',
} as const;

/** Slack's limit of options in a static select. */
const MAX_OPTIONS = 100;
const LATEST_SHOWN = 5;

export interface IncidentCardInput {
  incident: IncidentRow;
  counts: IncidentCounts;
  /** The incident's tickets, oldest first. */
  tickets: IncidentTicket[];
  /** The ticket pages' base (PUBLIC_URL), for links. */
  link?: (ticketId: number) => string | undefined;
}

const who = (t: IncidentTicket) => safeMrkdwn(t.requester_name ?? t.requester_email ?? 'a customer', 80, { singleLine: true });

export function incidentFallbackText(i: IncidentRow, counts: IncidentCounts): string {
  return truncate(`Incident: ${counts.customers} customers: "${i.title}" (${i.category})${i.closed_at ? ', closed' : ''}`, BLOCK_KIT_LIMITS.fallbackText);
}

export function buildIncidentBlocks({ incident: i, counts, tickets, link }: IncidentCardInput): unknown[] {
  const customers = `${counts.customers} customer${counts.customers === 1 ? '' : 's'}`;
  const head = i.closed_at
    ? `:white_check_mark: *Incident closed: ${customers}*: “${safeMrkdwn(i.title, 200, { singleLine: true })}”`
    : `:rotating_light: *Incident: ${customers}*: “${safeMrkdwn(i.title, 200, { singleLine: true })}”`;
  const facts = [
    `*${i.category}*`, `since ${slackDate(new Date(i.opened_at))}`,
    `${counts.tickets} ticket${counts.tickets === 1 ? '' : 's'}, ${counts.open} open`,
    ...(i.closed_at ? [`closed by ${actorLabel(i.closed_by ?? 'someone')} ${slackDate(new Date(i.closed_at))}`] : []),
  ].join(' · ');
  const latest = tickets.slice(-LATEST_SHOWN).reverse().map((t) => {
    const url = link?.(t.id);
    const ref = url ? `<${url}|#${t.id}>` : `#${t.id}`;
    return `${ref} ${who(t)}${t.status === 'resolved' ? ' (resolved)' : ''}`;
  });
  const blocks: unknown[] = [
    { type: 'section', block_id: `incident_${i.id}`, text: { type: 'mrkdwn', text: truncate(`${head}\n${facts}`, BLOCK_KIT_LIMITS.sectionText) } },
  ];
  if (latest.length) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: truncate(`Latest: ${latest.join(' · ')}`, 3000) }] });
  if (i.closed_at) return blocks;
  const value = String(i.id);
  const open = tickets.filter((t) => t.status !== 'resolved');
  const elements: unknown[] = [
    { type: 'button', action_id: INCIDENT_ACTION_IDS.replyAll, text: { type: 'plain_text', text: 'Reply to all' }, value, style: 'primary' },
    {
      type: 'button', action_id: INCIDENT_ACTION_IDS.resolveAll, text: { type: 'plain_text', text: 'Resolve all' }, value,
      confirm: confirmDialog('Resolve all?', `Resolve the ${open.length} open ticket${open.length === 1 ? '' : 's'} of this incident.`, 'Resolve all'),
    },
    {
      type: 'button', action_id: INCIDENT_ACTION_IDS.close, text: { type: 'plain_text', text: 'Close incident' }, value,
      confirm: confirmDialog('Close the incident?', 'Its tickets stay as they are; new similar tickets get their own cards again.', 'Close'),
    },
  ];
  if (tickets.length) {
    elements.push({
      type: 'static_select', action_id: INCIDENT_ACTION_IDS.takeOut, placeholder: { type: 'plain_text', text: 'Take a ticket out…' },
      options: tickets.slice(-MAX_OPTIONS).reverse().map((t) => ({
        text: { type: 'plain_text', text: safePlain(`#${t.id} ${t.requester_name ?? t.requester_email ?? ''}`.trim(), 75, `#${t.id}`) },
        value: `${i.id}:${t.id}`,
      })),
    });
  }
  blocks.push({ type: 'actions', block_id: `incident_actions_${i.id}`, elements });
  return blocks;
}

function confirmDialog(title: string, text: string, confirm: string) {
  return { title: { type: 'plain_text', text: title }, text: { type: 'plain_text', text }, confirm: { type: 'plain_text', text: confirm }, deny: { type: 'plain_text', text: 'Cancel' } };
}

/** "12:34" → [incidentId, ticketId], or undefined. */
export function parseTakeOutValue(value: unknown): [number, number] | undefined {
  if (typeof value !== 'string' || !/^\d{1,9}:\d{1,9}$/.test(value)) return undefined;
  const [a, b] = value.split(':').map(Number) as [number, number];
  return [a, b];
}
