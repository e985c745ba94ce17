/**
 * HTTP with the request target sent byte for byte: fetch() (WHATWG URL) would resolve `..`, `.`, `\` and
 * re-encode the path before it leaves, hiding exactly the spellings an attacker sends.
 */
import { request } from 'node:http';

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: { detail?: string; status?: number; title?: string; [k: string]: unknown } | undefined;
}

export function rawRequest(baseUrl: string, method: string, target: string, options: { headers?: Record<string, string>; json?: unknown; body?: string } = {}): Promise<RawResponse> {
  const { hostname, port } = new URL(baseUrl);
  const body = options.json !== undefined ? Buffer.from(JSON.stringify(options.json)) : options.body !== undefined ? Buffer.from(options.body) : undefined;
  const type = options.json !== undefined ? { 'content-type': 'application/json' } : {};
  const headers = { ...(body ? { ...type, 'content-length': String(body.length) } : {}), ...options.headers };
  return new Promise((resolve, reject) => {
    const req = request({ host: hostname, port, method, path: target, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: RawResponse['json'];
        try {
          json = text ? JSON.parse(text) : undefined;
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}
