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
  const q = url.indexOf('?');
  if (q < 0 || url.slice(0, q) !== '/predict') return undefined;
  let found: string | undefined;
  for (const pair of url.slice(q + 1).split('&')) {
    // Any other parameter (top_k, probabilities) changes the answer: hono's route handles it.
    if (!pair.startsWith('text=')) return undefined;
    if (found !== undefined) return undefined;
    found = pair.slice(5);
  }
  if (found === undefined || found.length === 0) return undefined;
  try {
    return decodeURIComponent(found.includes('+') ? found.replace(/\+/g, ' ') : found);
  } catch {
    return undefined;
  }
}

/**
 * The thin lane for the one hot route: `GET /predict?text=...` with a valid text goes from
 * node's request straight to the dispatcher and back with `res.end`, without hono's Request,
 * Context and Response objects (docs/batching.md, "the HTTP layer kept thin"). Everything else —
 * other routes, POST, every invalid request — goes to `fallback` (the hono app), so answers and
 * errors are the same on both lanes; test/http/fastPredict.test.ts compares them.
 */
export function fastPredictListener(deps: AppDeps, fallback: RequestListener): RequestListener {
  const { limits, log } = deps;
  return function predictFast(req: IncomingMessage, res: ServerResponse): void {
    const url = req.url;
    if (url !== undefined && url.length > maxUriLength(limits.maxTextLength)) {
      const { status, headers, body } = errorParts(new MlserveError('ERR_URI_TOO_LONG', `the request target has ${url.length} bytes, more than ${maxUriLength(limits.maxTextLength)}; send long texts with POST /predict`), log);
      res.writeHead(status, headers);
      res.end(body);
      return;
    }
    if (req.method !== 'GET' || url === undefined || !url.startsWith('/predict?') || req.headers[TIMEOUT_HEADER] !== undefined || req.headers[PRIORITY_HEADER] !== undefined) {
      fallback(req, res);
      return;
    }
    const text = predictQueryText(url);
    if (text === undefined || text.length > limits.maxTextLength) {
      fallback(req, res);
      return;
    }
    let checked: string;
    try {
      checked = checkText(text, 'text', limits);
    } catch {
      fallback(req, res); // hono answers the error, the same way as on any route
      return;
    }
    const t0 = performance.now();
    deps.submit({ kind: 'text', texts: [checked] }).then(
      function answered(result) {
        const body = JSON.stringify(prediction(result, 0, result.labels));
        deps.addTx(result.slot, Buffer.byteLength(body));
        res.writeHead(200, deps.closing() ? JSON_CLOSE_HEADERS : JSON_HEADERS);
        res.end(body);
        deps.onResponse?.('/predict', 200, performance.now() - t0);
      },
      function failed(err: unknown) {
        const { status, headers, body } = errorParts(err, log, req.headers['x-request-id'] as string | undefined);
        if (deps.closing()) headers['connection'] = 'close';
        res.writeHead(status, headers);
        res.end(body);
        deps.onResponse?.('/predict', status, performance.now() - t0);
      },
    );
  };
}
