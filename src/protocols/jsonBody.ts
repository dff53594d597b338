import type { Context } from 'hono';
import type { HttpBindings } from '@hono/node-server';
import { parseJsonBody, requestBody } from '../http/readBody.js';

/** The body parsed as JSON, bounded by `max-body-size` (ERR_BODY_MALFORMED when it is not JSON). */
export async function jsonBody(c: Context<{ Bindings: HttpBindings }>, limit: number): Promise<unknown> {
  return parseJsonBody(await requestBody(c, limit));
}

/** True for a plain JSON object. */
export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
