/**
 * Per door (rest, each webhook provider, each mailbox): when it last accepted something, when it last
 * rejected something and why, and how many rejections by reason. What this instance saw since it started;
 * /health shows it under `doors`, /metrics as gauges and counters (see createMetrics).
 */

export interface DoorView {
  last_accepted_at: string | null;
  last_rejected_at: string | null;
  /** A short, stable word (unauthorized, invalid, too_large, login, unparseable ...): also the metrics label. */
  last_rejection_reason: string | null;
  /** What the door answered or logged, cut to 300 characters. */
  last_rejection_detail: string | null;
  rejections: Record<string, number>;
}

export interface DoorListener {
  declared?(door: string): void;
  accepted?(door: string, at: Date): void;
  rejected?(door: string, reason: string, at: Date): void;
}

/** Metrics labels stay few: a reason is a short lowercase word, anything else is "other". */
const REASON = /^[a-z][a-z0-9_]{0,31}$/;
const DETAIL_MAX = 300;

export class DoorActivity {
  readonly #doors = new Map<string, DoorView>();
  readonly #listener: DoorListener;

  constructor(listener: DoorListener = {}) {
    this.#listener = listener;
  }

  /** Lists a door before it sees traffic (so /health shows it with nulls). */
  declare(door: string): void {
    if (this.#doors.has(door)) return;
    this.#door(door);
    this.#listener.declared?.(door);
  }

  accepted(door: string, at = new Date()): void {
    this.#door(door).last_accepted_at = at.toISOString();
    this.#listener.accepted?.(door, at);
  }

  rejected(door: string, reason: string, detail: string, at = new Date()): void {
    const r = REASON.test(reason) ? reason : 'other';
    const d = this.#door(door);
    d.last_rejected_at = at.toISOString();
    d.last_rejection_reason = r;
    d.last_rejection_detail = detail.length > DETAIL_MAX ? `${detail.slice(0, DETAIL_MAX - 1)}…` : detail;
    d.rejections[r] = (d.rejections[r] ?? 0) + 1;
    this.#listener.rejected?.(door, r, at);
  }

  snapshot(): Record<string, DoorView> {
    return Object.fromEntries([...this.#doors].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, { ...v, rejections: { ...v.rejections } }]));
  }

  #door(door: string): DoorView {
    let d = this.#doors.get(door);
    if (!d) {
      d = { last_accepted_at: null, last_rejected_at: null, last_rejection_reason: null, last_rejection_detail: null, rejections: {} };
      this.#doors.set(door, d);
    }
    return d;
  }
}

/** The reason word for an HTTP rejection status. */
export function reasonOfStatus(status: number): string {
  switch (status) {
    case 400:
    case 422:
      return 'invalid';
    case 401:
    case 403:
      return 'unauthorized';
    case 413:
      return 'too_large';
    case 415:
      return 'unsupported_media_type';
    case 429:
      return 'rate_limited';
    default:
      return `http_${status}`;
  }
}
