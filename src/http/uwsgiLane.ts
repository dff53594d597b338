import type { UwsgiDirect, UwsgiReply } from '../net/uwsgiConnection.js';
import type { UwsgiHttpRequest } from '../net/uwsgiRequest.js';
import type { InFlight } from './inFlight.js';
import type { LaneRequest, predictLane } from './fastPredict.js';
import { PRIORITY_HEADER, TIMEOUT_HEADER } from './queueOptions.js';

/**
 * A header of a uwsgi request as node's IncomingMessage reads it: repeats joined with ", ",
 * spaces and tabs around the value trimmed; undefined when absent.
 */
export function uwsgiHeader(request: UwsgiHttpRequest, name: string): string | undefined {
  let value: string | undefined;
  for (const [n, v] of request.headers) {
    if (n !== name) continue;
    const trimmed = v.replace(/^[ \t]+|[ \t]+$/g, '');
    value = value === undefined ? trimmed : `${value}, ${trimmed}`;
  }
  return value;
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
    const lane: LaneRequest = {
      method: request.method,
      url: request.target,
      reqId: uwsgiHeader(request, 'x-request-id'),
      queueHeaders: uwsgiHeader(request, TIMEOUT_HEADER) !== undefined || uwsgiHeader(request, PRIORITY_HEADER) !== undefined,
    };
    inFlight.enter();
    if (take(lane, reply, sendUwsgi)) return true;
    inFlight.leave();
    return false;
  };
}
