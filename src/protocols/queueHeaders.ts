import type { Context } from 'hono';
import { headerQueueOptions } from '../http/queueOptions.js';
import type { SubmitOptions } from '../model/modelInput.js';

/** `X-Mlserve-Timeout-Ms` and `X-Mlserve-Priority` of a request, for every protocol's routes. */
export function queueHeaders(c: Context): SubmitOptions {
  return headerQueueOptions((name) => c.req.header(name), performance.now());
}
