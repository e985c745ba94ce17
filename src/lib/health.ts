/**
 * What GET /health reports. Adapters register a probe under their name; a probe returns its status and
 * details. The database probe decides "unhealthy" (503); any other failing part makes the service "degraded".
 */
export interface ComponentHealth {
  status: string;
  [detail: string]: unknown;
}

export type HealthProbe = () => ComponentHealth | Promise<ComponentHealth>;

/** Statuses that mean a part is not doing its job. */
const BAD = new Set(['unhealthy', 'failing', 'error', 'down', 'unreachable', 'degraded']);

export class HealthRegistry {
  readonly #probes = new Map<string, HealthProbe>();

  register(name: string, probe: HealthProbe): void {
    this.#probes.set(name, probe);
  }

  async check(): Promise<{ status: 'healthy' | 'degraded' | 'unhealthy'; services: Record<string, ComponentHealth> }> {
    const entries = await Promise.all(
      [...this.#probes].map(async ([name, probe]): Promise<[string, ComponentHealth]> => {
        try {
          return [name, await withTimeout(Promise.resolve(probe()), 2_000)];
        } catch (error) {
          return [name, { status: 'unhealthy', error: error instanceof Error ? error.message : String(error) }];
        }
      }),
    );
    const services = Object.fromEntries(entries);
    const status = services.database?.status !== 'healthy' ? 'unhealthy' : entries.some(([, h]) => BAD.has(h.status)) ? 'degraded' : 'healthy';
    return { status, services };
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    promise.then(
      (v) => (clearTimeout(timer), resolve(v)),
      (e) => (clearTimeout(timer), reject(e)),
    );
  });
}
