/**
 * SLA clocks of one ticket: from its state (priority, when it started, responded, resolved, the pauses) and
 * the policy, when each warning and breach falls due. Pure; the SLA module (src/sla/) stores the result per
 * ticket and scans it. Waiting on the customer pauses the resolution clock only: the first-response clock
 * stops with a response, and a reply that failed for good must not leave it paused. A snooze is an agent's
 * deliberate "not before then" and pauses both; a timed snooze has a known end, so the due times stay known.
 */
import { addBusinessMinutes, type BusinessCalendar, businessMinutesBetween, type Span } from './business-hours.ts';
import type { Category, Priority } from './categories.ts';

export type SlaTargets = Partial<Record<Priority, number>>;

export interface SlaPolicy {
  targets: { firstResponse: SlaTargets; resolution: SlaTargets };
  /** Targets of one category that differ from the above, per priority ("billing.high=120"). */
  byCategory?: Partial<Record<Category, { firstResponse: SlaTargets; resolution: SlaTargets }>>;
  calendar: BusinessCalendar;
  /** Share of a target at which the warning falls due, in (0, 1). */
  warnAt: number;
}

export interface SlaState {
  priority: Priority | null;
  category?: Category | null;
  startedAt: Date;
  firstRespondedAt: Date | null;
  resolvedAt: Date | null;
  /** Ended pauses of the resolution clock. */
  pauses: readonly Span[];
  /** A pause that has not ended (waiting on the customer since). */
  pausedSince: Date | null;
  /** Ended snoozes: pauses of both clocks. */
  snoozes: readonly Span[];
  /** The snooze running now; until null: until the customer answers. */
  snooze: { since: Date; until: Date | null } | null;
}

export const SLA_EVENT_KINDS = ['first_response_warning', 'first_response_breach', 'resolution_warning', 'resolution_breach'] as const;
export type SlaEventKind = (typeof SLA_EVENT_KINDS)[number];

export interface SlaClock {
  /** null: no target for this priority, or the clock is paused (the due time is unknown until it resumes). */
  warnAt: Date | null;
  dueAt: Date | null;
  /** When the clock stopped (responded, resolved); null while it runs or is paused. */
  metAt: Date | null;
  /** Whether the clock has a target at all. */
  targeted: boolean;
}

export interface SlaTimes {
  firstResponse: SlaClock;
  resolution: SlaClock;
}

function clock(policy: SlaPolicy, target: number | undefined, start: Date, pauses: readonly Span[], metAt: Date | null): SlaClock {
  if (target === undefined) return { warnAt: null, dueAt: null, metAt, targeted: false };
  return {
    warnAt: addBusinessMinutes(policy.calendar, start, target * policy.warnAt, pauses),
    dueAt: addBusinessMinutes(policy.calendar, start, target, pauses),
    metAt,
    targeted: true,
  };
}

/** The target of a clock: the category's own for this priority, else the general one. */
export function slaTarget(policy: SlaPolicy, clock: 'firstResponse' | 'resolution', priority: Priority | null, category?: Category | null): number | undefined {
  if (!priority) return undefined;
  return (category ? policy.byCategory?.[category]?.[clock][priority] : undefined) ?? policy.targets[clock][priority];
}

/** What stops each clock: snoozes both, waiting on the customer (and ended pauses) the resolution clock too. */
function pausesOf(s: SlaState): { firstResponse: readonly Span[]; resolution: readonly Span[] } {
  const snoozes = s.snooze ? [...s.snoozes, { start: s.snooze.since.getTime(), end: s.snooze.until?.getTime() ?? Infinity }] : s.snoozes;
  const waiting = s.pausedSince ? [{ start: s.pausedSince.getTime(), end: Infinity }] : [];
  return { firstResponse: snoozes, resolution: [...s.pauses, ...waiting, ...snoozes] };
}

export function slaTimes(policy: SlaPolicy, s: SlaState): SlaTimes {
  const pauses = pausesOf(s);
  return {
    firstResponse: clock(policy, slaTarget(policy, 'firstResponse', s.priority, s.category), s.startedAt, pauses.firstResponse, s.firstRespondedAt),
    resolution: clock(policy, slaTarget(policy, 'resolution', s.priority, s.category), s.startedAt, pauses.resolution, s.resolvedAt),
  };
}

/**
 * How long each clock ran until it stopped, in business minutes with its pauses left out (null while it runs):
 * the time the SLA targets are measured in, and what the dashboard's response and resolution times report.
 */
export function clockMinutes(calendar: BusinessCalendar, s: SlaState): { firstResponse: number | null; resolution: number | null } {
  const pauses = pausesOf(s);
  const ran = (metAt: Date | null, p: readonly Span[]) => (metAt ? businessMinutesBetween(calendar, s.startedAt, metAt, p) : null);
  return { firstResponse: ran(s.firstRespondedAt, pauses.firstResponse), resolution: ran(s.resolvedAt, pauses.resolution) };
}

/** Each pending event's due time: warnings and breaches of the clocks that still run. */
export function pendingEvents(t: SlaTimes): { kind: SlaEventKind; at: Date }[] {
  const out: { kind: SlaEventKind; at: Date }[] = [];
  const add = (kind: SlaEventKind, at: Date | null, c: SlaClock) => {
    if (at && !c.metAt) out.push({ kind, at });
  };
  add('first_response_warning', t.firstResponse.warnAt, t.firstResponse);
  add('first_response_breach', t.firstResponse.dueAt, t.firstResponse);
  add('resolution_warning', t.resolution.warnAt, t.resolution);
  add('resolution_breach', t.resolution.dueAt, t.resolution);
  return out;
}

/**
 * The events due at `now` that were not emitted yet. A warning whose breach is due too is claimed but not
 * posted (after an outage the thread gets the breach, not a stale warning before it).
 */
export function dueEvents(t: SlaTimes, now: Date, emitted: ReadonlySet<SlaEventKind>): { kind: SlaEventKind; post: boolean }[] {
  const due = pendingEvents(t).filter((e) => e.at.getTime() <= now.getTime() && !emitted.has(e.kind)).map((e) => e.kind);
  return due.map((kind) => ({
    kind,
    post: !(kind.endsWith('_warning') && due.includes(kind.replace('_warning', '_breach') as SlaEventKind)),
  }));
}

/** When the next not-yet-emitted event falls due, or null. */
export function nextEventAt(t: SlaTimes, emitted: ReadonlySet<SlaEventKind>): Date | null {
  const times = pendingEvents(t).filter((e) => !emitted.has(e.kind)).map((e) => e.at.getTime());
  return times.length ? new Date(Math.min(...times)) : null;
}

/** "due in 12 min", "breached 5 min ago": the card's words for a clock at `now`. */
export function describeClock(c: SlaClock, now: Date): string | null {
  if (!c.targeted || c.metAt) return null;
  if (!c.dueAt) return 'paused';
  const ms = c.dueAt.getTime() - now.getTime();
  if (Math.abs(ms) < 60_000) return ms >= 0 ? 'due in under a minute' : 'breached just now';
  return ms >= 0 ? `due in ${humanDuration(ms)}` : `breached ${humanDuration(-ms)} ago`;
}

export function humanDuration(ms: number): string {
  const min = Math.round(ms / 60_000);
  if (min < 120) return `${min} min`;
  const h = Math.round(min / 60);
  return h < 48 ? `${h} h` : `${Math.round(h / 24)} d`;
}
