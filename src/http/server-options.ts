import type { ServerOptions } from 'node:http';
import type { Config } from '../config.ts';

/** The Node HTTP server's deadlines: a client trickling its headers or body is answered 408 and cut off. */
export function httpServerOptions(http: Pick<Config['http'], 'headersTimeoutMs' | 'requestTimeoutMs'>): ServerOptions {
  return {
    headersTimeout: http.headersTimeoutMs,
    requestTimeout: http.requestTimeoutMs,
    // How often Node checks those two deadlines (its default, 30 s, would let a slow client overstay them).
    connectionsCheckingInterval: Math.min(1000, http.headersTimeoutMs),
  };
}

/** Longer than the usual load balancer's idle timeout (60 s), so the balancer closes an idle connection first. */
export const KEEP_ALIVE_TIMEOUT_MS = 65_000;
