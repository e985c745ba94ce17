import type { IncomingMessage } from 'node:http';
import { HttpError } from '../../../lib/http-error.ts';

/** Every webhook body is capped at 1 MiB (SPEC); providers send far less. */
export const MAX_WEBHOOK_BODY_BYTES = 1024 * 1024;

/**
 * Reads the request body as raw bytes (signatures are computed over the exact bytes, so nothing may parse or
 * re-encode it first). Over the cap: 413 without buffering the rest; what is still on the wire is drained.
 */
export async function readRawBody(req: IncomingMessage, limit = MAX_WEBHOOK_BODY_BYTES): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    throw tooLarge(limit, declared);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      req.resume();
      throw tooLarge(limit, size);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size);
}

function tooLarge(limit: number, size: number): HttpError {
  return new HttpError(413, `Request body exceeds ${limit} bytes`, { limit, size });
}
