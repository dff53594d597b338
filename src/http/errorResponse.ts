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
    err instanceof MlserveError ? err : new MlserveError('ERR_INTERNAL', 'internal server error', { cause: err });
  // reqId is nginx's X-Request-Id ($request_id): it joins this line to nginx's access log.
  if (e.status >= 500) log.error({ reqId, err, code: e.code }, 'request failed');
  else log.debug({ reqId, code: e.code, status: e.status }, 'request refused');
  // Retry-After, Allow, Connection: close: the error table's, and the error's own (src/errors.ts).
  const headers: Record<string, string> = { 'content-type': 'application/json', ...e.headers };
  return { status: e.status, headers, body: JSON.stringify(e.toJSON()) };
}
