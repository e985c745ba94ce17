/**
 * What GET /health reports. Adapters register a probe under their name; a probe returns its status and
 * details. The database probe decides "unhealthy" (503); any other failing part makes the service "degraded".
 *
 * The answer keeps the original service's shape: `services.X` is a plain status word, and the details go to
 * `checks.X` ({status, ...details}). A part's own words for "working" (Slack "ok", IMAP "connected") are
 * "healthy" in `services`, the original's word; other words ("disabled", "failing", "local-only") are kept.
 */
import { withTimeout } from './timeout.ts';

export interface ComponentHealth {
  status: string;
  [detail: string]: unknown;
}

export type HealthProbe = () => ComponentHealth | Promise<ComponentHealth>;

export interface HealthReport {
  status: 'healthy' | 'degraded' | 'unhealthy';
  services: Record<string, string>;
  checks: Record<string, ComponentHealth>;
}

/** Statuses that mean a part is not doing its job. */
const BAD = new Set(['unhealthy', 'failing', 'error', 'down', 'unreachable', 'degraded']);
/** Parts' words for "working", reported as the original's "healthy". */
const WORKING = new Set(['healthy', 'ok', 'connected']);

export const summaryWord = (status: string): string => (WORKING.has(status) ? 'healthy' : status);

export class HealthRegistry {
  readonly #probes = new Map<string, HealthProbe>();

  register(name: string, probe: HealthProbe): void {
    this.#probes.set(name, probe);
  }

  async check(): Promise<HealthReport> {
    const entries = await Promise.all(
      [...this.#probes].map(async ([name, probe]): Promise<[string, ComponentHealth]> => {
        try {
          return [name, await withTimeout(Promise.resolve(probe()), 2_000)];
        } catch (error) {
          return [name, { status: 'unhealthy', error: error instanceof Error ? error.message : String(error) }];
        }
      }),
    );
    const checks = Object.fromEntries(entries);
    const services = Object.fromEntries(entries.map(([name, h]) => [name, summaryWord(h.status)]));
    const status = checks.database?.status !== 'healthy' ? 'unhealthy' : entries.some(([, h]) => BAD.has(h.status)) ? 'degraded' : 'healthy';
    return { status, services, checks };
  }
}
