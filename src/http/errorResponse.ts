import { MlserveError } from '../errors.js';
import type { Logger } from '../log.js';

/**
 * The JSON body of an error in another protocol's own shape (TF Serving and KServe V2 answer
 * `{"error": "message"}`); mlserve's own is `{"error": {"code", "message"}}`.
 */
export type ErrorShape = (err: MlserveError) => unknown;

/**
 * The JSON error response for anything thrown while handling a request. An MlserveError keeps
 * its status and code; anything else is a 500 whose body never carries a stack trace (the log
 * line does).
 */
export function errorResponse(err: unknown, log: Logger, reqId?: string, shape?: ErrorShape): Response {
  const { status, headers, body } = errorParts(err, log, reqId, shape);
  return new Response(body, { status, headers });
}

/** Status, headers and JSON body of the error answer, logged once; shared by every route. */
export function errorParts(err: unknown, log: Logger, reqId?: string, shape?: ErrorShape): { status: number; headers: Record<string, string>; body: string } {
  const e =
    err instanceof MlserveError ? err : new MlserveError('ERR_INTERNAL', 'internal server error', { cause: err });
  // reqId is nginx's X-Request-Id ($request_id): it joins this line to nginx's access log.
  if (e.status >= 500) log.error({ reqId, err, code: e.code }, 'request failed');
  else log.debug({ reqId, code: e.code, status: e.status }, 'request refused');
  // Retry-After, Allow, Connection: close: the error table's, and the error's own (src/errors.ts).
  const headers: Record<string, string> = { 'content-type': 'application/json', ...e.headers };
  return { status: e.status, headers, body: JSON.stringify(shape ? shape(e) : e.toJSON()) };
}
