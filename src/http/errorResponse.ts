import { MlserveError } from '../errors.js';
import type { Logger } from '../log.js';

/**
 * The JSON error response for anything thrown while handling a request. An MlserveError keeps
 * its status and code; anything else is a 500 whose body never carries a stack trace (the log
 * line does).
 */
export function errorResponse(err: unknown, log: Logger): Response {
  const e =
    err instanceof MlserveError ? err : new MlserveError('ERR_INTERNAL', 'internal server error', { status: 500, cause: err });
  if (e.status >= 500) log.error({ err: err instanceof Error ? { message: err.message, stack: err.stack } : String(err), code: e.code }, 'request failed');
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (e.code === 'ERR_QUEUE_FULL' || e.code === 'ERR_SHUTTING_DOWN' || e.code === 'ERR_NOT_READY') headers['retry-after'] = '1';
  // After an oversized body the rest of it is not read: the connection cannot be reused.
  if (e.code === 'ERR_BODY_TOO_LARGE') headers['connection'] = 'close';
  return new Response(JSON.stringify(e.toJSON()), { status: e.status, headers });
}
