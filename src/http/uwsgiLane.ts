import type { UwsgiDirect, UwsgiReply } from '../net/uwsgiConnection.js';
import type { UwsgiHttpRequest } from '../net/uwsgiRequest.js';
import type { InFlight } from './inFlight.js';
import type { LaneRequest, predictLane } from './fastPredict.js';
import { PRIORITY_HEADER, TIMEOUT_HEADER } from './queueOptions.js';

/**
 * What the lane reads of a uwsgi request's headers, in one pass (a request a connection: this is
 * the hot path): X-Request-Id as node's IncomingMessage reads it (repeats joined with ", ",
 * spaces and tabs around the value trimmed), and whether a queue header (timeout, priority) is
 * present, which sends the request to hono.
 */
function laneHeaders(request: UwsgiHttpRequest): { reqId: string | undefined; queueHeaders: boolean } {
  let reqId: string | undefined;
  let queueHeaders = false;
  for (const [n, v] of request.headers) {
    if (n === 'x-request-id') {
      const trimmed = v.replace(/^[ \t]+|[ \t]+$/g, '');
      reqId = reqId === undefined ? trimmed : `${reqId}, ${trimmed}`;
    } else if (n === TIMEOUT_HEADER || n === PRIORITY_HEADER) {
      queueHeaders = true;
    }
  }
  return { reqId, queueHeaders };
}

/**
 * The thin GET /predict lane for uwsgi requests (nginx's uwsgi_pass): a whole uwsgi request is
 * answered straight from its vars, without an HTTP head written and parsed again, an
 * IncomingMessage and a ServerResponse; what the lane declines goes to the HTTP server as before
 * (hono, same routes and errors). Counted in `inFlight` like a request of the HTTP listener.
 */
export function uwsgiPredictLane(take: ReturnType<typeof predictLane>, inFlight: InFlight): UwsgiDirect {
  function sendUwsgi(reply: UwsgiReply, status: number, headers: Readonly<Record<string, string>>, body: string): void {
    inFlight.leave();
    reply.send(status, headers, body);
  }
  return function uwsgiPredict(request, reply) {
    // Only the hot route's shape is looked at further: any other request goes its old way untouched.
    if (request.method !== 'GET' || !request.target.startsWith('/predict?')) return false;
    const lane: LaneRequest = { method: request.method, url: request.target, ...laneHeaders(request) };
    inFlight.enter();
    if (take(lane, reply, sendUwsgi)) return true;
    inFlight.leave();
    return false;
  };
}
