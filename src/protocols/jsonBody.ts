import type { Context } from 'hono';
import type { HttpBindings } from '@hono/node-server';
import { MlserveError } from '../errors.js';
import { readBody, readWebBody } from '../http/readBody.js';

/** The raw body of a request, bounded by `max-body-size` while it is read (node or fetch request). */
export async function rawBody(c: Context<{ Bindings: HttpBindings }>, limit: number): Promise<Buffer> {
  const incoming = c.env?.incoming;
  return incoming ? readBody(incoming, limit) : readWebBody(c.req.raw, limit);
}

/** The body parsed as JSON; ERR_BODY_MALFORMED naming the parser's complaint otherwise. */
export async function jsonBody(c: Context<{ Bindings: HttpBindings }>, limit: number): Promise<unknown> {
  const raw = await rawBody(c, limit);
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch (err) {
    throw new MlserveError('ERR_BODY_MALFORMED', `the body is not valid JSON: ${(err as Error).message}`);
  }
}

/** True for a plain JSON object. */
export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
