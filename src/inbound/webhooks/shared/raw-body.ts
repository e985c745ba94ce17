import type { IncomingMessage } from 'node:http';
import { HttpError } from '../../../lib/http-error.ts';

/** Every webhook body is capped at 1 MiB (SPEC); providers send far less. */
export const MAX_WEBHOOK_BODY_BYTES = 1024 * 1024;

/**
 * Reads the request body as raw bytes (signatures are computed over the exact bytes, so nothing may parse or
 * re-encode it first). Over the cap: 413 without buffering the rest. The rest is drained, not the socket
 * destroyed, so the client reads the 413 instead of a connection reset.
 */
export function readRawBody(req: IncomingMessage, limit = MAX_WEBHOOK_BODY_BYTES): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    return Promise.reject(tooLarge(limit, declared));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) return void chunks.push(chunk);
      cleanup();
      req.resume();
      reject(tooLarge(limit, size));
    };
    const onEnd = () => {
      cleanup();
      resolve(Buffer.concat(chunks, size));
    };
    const onError = (err: Error) => {
      cleanup();
      // The client went away mid-body: nothing to answer, nothing stored.
      reject(new HttpError(400, `Request body could not be read: ${err.message}`));
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
  });
}

function tooLarge(limit: number, size: number): HttpError {
  return new HttpError(413, `Request body exceeds ${limit} bytes`, { limit, size });
}
