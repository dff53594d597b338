import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { AppDeps } from './app.js';
import { prediction } from './app.js';
import { errorParts } from './errorResponse.js';
import { checkText } from './validateInput.js';
import { PRIORITY_HEADER, TIMEOUT_HEADER } from './queueOptions.js';
import { maxUriLength } from './clientError.js';
import { MlserveError } from '../errors.js';

const JSON_HEADERS = { 'content-type': 'application/json' } as const;
const JSON_CLOSE_HEADERS = { 'content-type': 'application/json', connection: 'close' } as const;

/**
 * The text of `/predict?text=...` the way hono's `c.req.query('text')` reads it ('+' is a space,
 * percent-escapes decoded), or `undefined` for anything the hono app should handle itself: no
 * query, a repeated or missing `text`, a malformed escape.
 */
export function predictQueryText(url: string): string | undefined {
  // `/predict?` then exactly one pair, `text=...`: any other parameter (top_k, probabilities)
  // changes the answer, and a repeated or empty pair is hono's to judge, so an `&` means hono.
  if (url.indexOf('?') !== 8 || !url.startsWith('/predict') || !url.startsWith('text=', 9) || url.includes('&', 14)) return undefined;
  const found = url.slice(14);
  if (found.length === 0) return undefined;
  try {
    return decodeURIComponent(found.includes('+') ? found.replace(/\+/g, ' ') : found);
  } catch {
    return undefined;
  }
}

/** How a lane answers: `send(ctx, status, headers, body)` writes the whole response on `ctx`. */
export type LaneSend<C> = (ctx: C, status: number, headers: Readonly<Record<string, string>>, body: string) => void;

/** What the thin lane reads of a request, whichever protocol brought it. */
export interface LaneRequest {
  readonly method: string | undefined;
  readonly url: string | undefined;
  /** X-Request-Id, as the HTTP layer reads it. */
  readonly reqId: string | undefined;
  /** An X-Mlserve-Timeout-Ms or X-Mlserve-Priority header is there: hono's route reads those. */
  readonly queueHeaders: boolean;
}

/**
 * The thin lane's decision and work, protocol-free: takes `GET /predict?text=...` with a valid
 * text (and answers a request target past the URI limit with 414), submits it to the dispatcher
 * and answers through `send`; returns false for everything else, which the caller hands to the
 * hono app. The HTTP listener ({@link fastPredictListener}) and the uwsgi direct path
 * (uwsgiLane.ts) both run it, so both lanes answer the same.
 */
export function predictLane(deps: AppDeps): <C>(req: LaneRequest, ctx: C, send: LaneSend<C>) => boolean {
  const { limits, log } = deps;
  return function takePredict<C>(req: LaneRequest, ctx: C, send: LaneSend<C>): boolean {
    const url = req.url;
    // Per request: a reload changes limits in place (regression: computed once, a reloaded
    // max-text-length kept the old 414 bound).
    const uriLimit = maxUriLength(limits.maxTextLength);
    if (url !== undefined && url.length > uriLimit) {
      const { status, headers, body } = errorParts(new MlserveError('ERR_URI_TOO_LONG', `the request target has ${url.length} bytes, more than ${uriLimit}; send long texts with POST /predict`), log);
      send(ctx, status, headers, body);
      return true;
    }
    if (req.method !== 'GET' || url === undefined || req.queueHeaders) return false;
    // Any other path, or another query: hono's (predictQueryText checks the `/predict?` prefix).
    const text = predictQueryText(url);
    if (text === undefined || text.length > limits.maxTextLength) return false;
    let checked: string;
    try {
      checked = checkText(text, 'text', limits);
    } catch {
      return false; // hono answers the error, the same way as on any route
    }
    const t0 = performance.now();
    const reqId = req.reqId;
    deps.submit({ kind: 'text', texts: [checked] }, { reqId }).then(
      function answered(result) {
        const body = JSON.stringify(prediction(result, 0, result.labels));
        deps.addTx(result.slot, Buffer.byteLength(body));
        send(ctx, 200, deps.closing() ? JSON_CLOSE_HEADERS : JSON_HEADERS, body);
        deps.onResponse?.('/predict', 200, performance.now() - t0);
      },
      function failed(err: unknown) {
        const { status, headers, body } = errorParts(err, log, reqId);
        if (deps.closing()) headers['connection'] = 'close';
        send(ctx, status, headers, body);
        deps.onResponse?.('/predict', status, performance.now() - t0);
      },
    );
    return true;
  };
}

function sendOnResponse(res: ServerResponse, status: number, headers: Readonly<Record<string, string>>, body: string): void {
  res.writeHead(status, headers);
  res.end(body);
}

/**
 * The thin lane for the one hot route: `GET /predict?text=...` with a valid text goes from
 * node's request straight to the dispatcher and back with `res.end`, without hono's Request,
 * Context and Response objects (docs/batching.md, "the HTTP layer kept thin"). Everything else —
 * other routes, POST, every invalid request — goes to `fallback` (the hono app), so answers and
 * errors are the same on both lanes; test/http/fastPredict.test.ts compares them.
 */
export function fastPredictListener(deps: AppDeps, fallback: RequestListener): RequestListener {
  const take = predictLane(deps);
  return function predictFast(req: IncomingMessage, res: ServerResponse): void {
    const h = req.headers;
    const lane: LaneRequest = {
      method: req.method,
      url: req.url,
      reqId: h['x-request-id'] as string | undefined,
      queueHeaders: h[TIMEOUT_HEADER] !== undefined || h[PRIORITY_HEADER] !== undefined,
    };
    if (!take(lane, res, sendOnResponse)) fallback(req, res);
  };
}
