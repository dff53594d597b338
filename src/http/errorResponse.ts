import { MlserveError } from '../errors.js';
import type { Logger } from '../log.js';

/**
 * The JSON error response for anything thrown while handling a request. An MlserveError keeps
 * its status and code; anything else is a 500 whose body never carries a stack trace (the log
 * line does).
 */
export function errorResponse(err: unknown, log: Logger, reqId?: string): Response {
  const { status, headers, body } = errorParts(err, log, reqId);
  return new Response(body, { status, headers });
}

/** Status, headers and JSON body of the error answer, logged once; shared by every route. */
export function errorParts(err: unknown, log: Logger, reqId?: string): { status: number; headers: Record<string, string>; body: string } {
  const e =
    err instanceof MlserveError ? err : new MlserveError('ERR_INTERNAL', 'internal server error', { status: 500, cause: err });
  // reqId is nginx's X-Request-Id ($request_id): it joins this line to nginx's access log.
  if (e.status >= 500) log.error({ reqId, err: err instanceof Error ? { message: err.message, stack: err.stack } : String(err), code: e.code }, 'request failed');
  else log.debug({ reqId, code: e.code, status: e.status }, 'request refused');
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (e.code === 'ERR_QUEUE_FULL' || e.code === 'ERR_SHUTTING_DOWN' || e.code === 'ERR_NOT_READY') headers['retry-after'] = '1';
  // After an oversized body the rest of it is not read: the connection cannot be reused.
  if (e.code === 'ERR_BODY_TOO_LARGE') headers['connection'] = 'close';
  return { status: e.status, headers, body: JSON.stringify(e.toJSON()) };
}
