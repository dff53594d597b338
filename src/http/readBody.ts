import type { IncomingMessage } from 'node:http';
import type { Context } from 'hono';
import type { HttpBindings } from '@hono/node-server';
import { MlserveError } from '../errors.js';

/**
 * Reads a request body up to `limit` bytes. Enforced while reading: a declared Content-Length
 * over the limit is refused before a byte is read, and a chunked body is refused as soon as it
 * passes the limit, so an oversized upload never sits in memory.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > limit) {
    return Promise.reject(tooLarge(limit));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    function onData(chunk: Buffer): void {
      size += chunk.length;
      if (size > limit) {
        cleanup();
        req.pause();
        reject(tooLarge(limit));
        return;
      }
      chunks.push(chunk);
    }
    function onEnd(): void {
      cleanup();
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    }
    function onError(err: Error): void {
      cleanup();
      reject(new MlserveError('ERR_BODY_MALFORMED', `could not read the request body: ${err.message}`, { cause: err }));
    }
    function cleanup(): void {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
    }
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
  });
}

function tooLarge(limit: number): MlserveError {
  return new MlserveError('ERR_BODY_TOO_LARGE', `request body is larger than max-body-size (${limit} bytes)`);
}

/**
 * {@link readBody} for a fetch `Request` (hono's `app.request` in tests, a runtime without
 * node's IncomingMessage): the same limit, enforced while reading.
 */
export async function readWebBody(req: Request, limit: number): Promise<Buffer> {
  const declared = req.headers.get('content-length');
  if (declared !== null && Number(declared) > limit) throw tooLarge(limit);
  const chunks: Buffer[] = [];
  let size = 0;
  if (!req.body) return Buffer.alloc(0);
  const reader = req.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      throw tooLarge(limit);
    }
    chunks.push(Buffer.from(value));
  }
  return Buffer.concat(chunks, size);
}

/** The body of a hono request, node's or fetch's, bounded by `limit` while it is read. */
export function requestBody(c: Context<{ Bindings: HttpBindings }>, limit: number): Promise<Buffer> {
  const incoming = c.env?.incoming;
  return incoming ? readBody(incoming, limit) : readWebBody(c.req.raw, limit);
}

/** A body parsed as JSON; ERR_BODY_MALFORMED with the parser's complaint otherwise. */
export function parseJsonBody(raw: Buffer | string): unknown {
  try {
    return JSON.parse(typeof raw === 'string' ? raw : raw.toString('utf8'));
  } catch (err) {
    throw new MlserveError('ERR_BODY_MALFORMED', `the body is not valid JSON: ${(err as Error).message}`);
  }
}
