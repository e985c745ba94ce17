/** Small renderings shared by the console's views: ages, SLA clocks, chips, labels. */
import { html, type SafeHtml, visibleText } from '../lib/html.ts';

export function age(from: Date, now: Date): string {
  const minutes = Math.max(0, Math.round((now.getTime() - from.getTime()) / 60_000));
  if (minutes < 60) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours}h`;
  return `${Math.floor(hours / 24)}d`;
}

/** The SLA clock: time left (or overdue) until `due`, coloured by urgency. */
export function slaClock(due: Date | null, now: Date): SafeHtml {
  if (!due) return html`<span class="muted">—</span>`;
  const left = due.getTime() - now.getTime();
  if (left < 0) return html`<span class="due-late" title="${due.toISOString()}">${age(due, now)} over</span>`;
  return html`<span class="${left < 3_600_000 ? 'due-soon' : 'due-ok'}" title="${due.toISOString()}">${age(now, due)} left</span>`;
}

export function priorityChip(priority: string | null): SafeHtml {
  return priority ? html`<span class="chip p-${priority}">${priority}</span>` : html`<span class="muted">—</span>`;
}

export function categoryChip(category: string | null, confidence: number | null, classifier: string | null): SafeHtml {
  if (!category) return html`<span class="muted">classifying…</span>`;
  const how = classifier === 'human' ? 'set by a person' : confidence === null ? '' : `${Math.round(confidence * 100)}%`;
  return html`<span class="chip">${category}</span> <span class="muted">${how}</span>`;
}

/** Text from outside, shown inert: invisible direction and zero-width characters made visible, then escaped. */
export const shown = (text: string | null | undefined, max = 2000) => visibleText((text ?? '').slice(0, max));

export const when = (d: Date) => html`<time datetime="${d.toISOString()}">${d.toISOString().slice(0, 16).replace('T', ' ')} UTC</time>`;

export const STATUS_LABELS: Record<string, string> = {
  processing: 'Classifying',
  open: 'Open',
  acknowledged: 'Acknowledged',
  waiting_on_customer: 'Waiting on customer',
  resolved: 'Resolved',
};
