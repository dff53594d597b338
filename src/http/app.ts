import { Hono, type Context } from 'hono';
import type { HttpBindings } from '@hono/node-server';
import { MlserveError } from '../errors.js';
import type { Logger } from '../log.js';
import { parseJsonBody, requestBody } from './readBody.js';
import { checkText, textsFromBody, type InputLimits } from './validateInput.js';
import { errorResponse } from './errorResponse.js';
import { headerQueueOptions } from './queueOptions.js';
import { routeLabel } from './routeLabel.js';
import type { RequestResult } from '../model/requestResult.js';
import { scoreList, topK } from '../model/scores.js';
import type { ModelInput, SubmitOptions } from '../model/modelInput.js';
import { labelsOver } from '../model/outputDecoding.js';

/** What the HTTP API needs from the master. */
export interface AppDeps {
  /** Queues one request's input (texts or a tensor) for prediction: the dispatcher's submit. */
  submit(input: ModelInput, options?: SubmitOptions): Promise<RequestResult>;
  /** Readiness for /readyz: `ready` false gives 503 with `reason`. */
  readiness(): { ready: boolean; reason?: string; [k: string]: unknown };
  /** Accounts response bytes to the worker slot that predicted them (uWSGI `tx`). */
  addTx(slot: number, bytes: number): void;
  /** True while shutting down: every response then carries `Connection: close`. */
  closing(): boolean;
  /** Every response: the matched route pattern, its status and the time it took (stats, /metrics). */
  onResponse?(route: string, status: number, ms: number): void;
  /** GET /metrics, when enabled. */
  metrics?: (c: Context) => Promise<Response>;
  /** Read at each request, so a reload can change them in place. */
  limits: InputLimits & { maxBodySize: number };
  log: Logger;
}

type Env = { Bindings: HttpBindings };

/**
 * Builds the HTTP API: `GET /predict?text=`, `POST /predict`, `/healthz`, `/readyz`.
 * Every error is `{"error": {"code", "message"}}` with a 4xx/5xx status; unknown paths are
 * 404 and known paths with another method 405 (with `Allow`).
 */
export function createApp(deps: AppDeps, extend?: (app: Hono<Env>) => void): Hono<Env> {
  const app = new Hono<Env>();
  const { limits, log } = deps;

  const { onResponse } = deps;
  app.use(async function account(c, next) {
    const t0 = performance.now();
    await next();
    if (deps.closing()) c.res.headers.set('connection', 'close');
    onResponse?.(routeLabel(c.req.routePath, c.req.path), c.res.status, performance.now() - t0);
  });

  function answer(c: Context<Env>, result: RequestResult, many: boolean, extras: Extras): Response {
    const labels = result.labels;
    const one = extras.topK === null && !extras.probabilities ? prediction : (r: RequestResult, i: number, l: readonly string[]) => richPrediction(r, i, l, extras);
    let body: string;
    if (!many) {
      body = JSON.stringify(one(result, 0, labels));
    } else {
      const predictions = new Array(result.classes.length);
      for (let i = 0; i < result.classes.length; i++) predictions[i] = one(result, i, labels);
      body = JSON.stringify({ predictions });
    }
    return predictedBody(c, deps, result.slot, body);
  }

  app.get('/predict', async function predictGet(c) {
    const text = checkText(c.req.query('text'), 'text', limits);
    const extras = extrasOf(c.req.query('top_k'), c.req.query('probabilities'), 'query');
    return answer(c, await deps.submit({ kind: 'text', texts: [text] }, submitOptions(c, extras)), false, extras);
  });

  app.post('/predict', async function predictPost(c) {
    const type = c.req.header('content-type') ?? '';
    if (!/^application\/json\s*(;|$)/i.test(type)) {
      throw new MlserveError('ERR_UNSUPPORTED_MEDIA_TYPE', `POST /predict takes application/json, got "${type || 'no content-type'}"`);
    }
    const parsed = parseJsonBody(await requestBody(c, limits.maxBodySize));
    const texts = textsFromBody(parsed, limits);
    const { top_k, probabilities } = parsed as { top_k?: unknown; probabilities?: unknown };
    const extras = extrasOf(top_k, probabilities, 'body');
    return answer(c, await deps.submit({ kind: 'text', texts }, submitOptions(c, extras)), true, extras);
  });

  if (deps.metrics) app.get('/metrics', deps.metrics);

  app.get('/healthz', function healthz(c) {
    return c.json({ status: 'alive' });
  });

  app.get('/readyz', function readyz(c) {
    const state = deps.readiness();
    return c.json({ status: state.ready ? 'ready' : 'not ready', ...state }, state.ready ? 200 : 503);
  });

  extend?.(app);

  const allowed: Record<string, string> = { '/predict': 'GET, POST', '/healthz': 'GET', '/readyz': 'GET' };
  if (deps.metrics) allowed['/metrics'] = 'GET';
  for (const [path, allow] of Object.entries(allowed)) {
    app.all(path, function methodNotAllowed(c) {
      if (c.req.method === 'HEAD') return c.body(null, 200);
      throw new MlserveError('ERR_METHOD_NOT_ALLOWED', `${c.req.method} is not allowed on ${path}; use ${allow}`, { headers: { allow } });
    });
  }

  app.notFound(function notFound(c) {
    return errorResponse(new MlserveError('ERR_NOT_FOUND', `no route for ${c.req.method} ${c.req.path}`), log, c.req.header('x-request-id'));
  });

  app.onError(function onError(err, c) {
    return errorResponse(err, log, c.req.header('x-request-id'));
  });

  return app;
}

/**
 * A 200 answer of `type` whose bytes are accounted to the worker slot that predicted it
 * (uWSGI's per-worker `tx`): every predicting route of every protocol answers through it.
 */
export function predictedBody(c: Context, deps: Pick<AppDeps, 'addTx'>, slot: number, body: string, type = 'application/json'): Response {
  deps.addTx(slot, Buffer.byteLength(body));
  return c.body(body, 200, { 'content-type': type });
}

/** What `top_k` and `probabilities` add to each prediction of /predict. */
export interface Extras {
  topK: number | null;
  probabilities: boolean;
}

/** Reads `top_k` (a positive integer) and `probabilities` (true/false) from the query or the body. */
export function extrasOf(topK: unknown, probabilities: unknown, where: 'query' | 'body'): Extras {
  let k: number | null = null;
  if (topK !== undefined) {
    k = typeof topK === 'string' && /^\d+$/.test(topK) ? Number(topK) : typeof topK === 'number' ? topK : NaN;
    if (!Number.isInteger(k) || k < 1) throw new MlserveError('ERR_PARAMETER_INVALID', `"top_k" (${where}) must be a positive integer, got ${JSON.stringify(topK)}`);
  }
  let all = false;
  if (probabilities !== undefined) {
    if (probabilities === true || probabilities === 'true' || probabilities === '1') all = true;
    else if (!(probabilities === false || probabilities === 'false' || probabilities === '0')) {
      throw new MlserveError('ERR_PARAMETER_INVALID', `"probabilities" (${where}) must be true or false, got ${JSON.stringify(probabilities)}`);
    }
  }
  return { topK: k, probabilities: all };
}

/** The queue's deadline and priority from the headers; score vectors only when the answer shows them. */
function submitOptions(c: Context<Env>, extras: Extras): SubmitOptions {
  const options = headerQueueOptions((name) => c.req.header(name), performance.now());
  if (extras.topK !== null || extras.probabilities) options.scores = true;
  return options;
}

/** A prediction with the `top` k classes and/or the whole `probabilities` vector. */
export function richPrediction(result: RequestResult, i: number, labels: readonly string[], extras: Extras) {
  const out: Record<string, unknown> = prediction(result, i, labels);
  if (extras.topK !== null) {
    out['top'] = topK(result, i, extras.topK).map((r) => ({ label: r.label, prediction: String(r.index), probability: r.score }));
  }
  if (extras.probabilities) out['probabilities'] = scoreList(result, i);
  return out;
}

/** One row of a result, as the API answers it (the seed's `prediction` is the class index as a string). */
export function prediction(result: RequestResult, i: number, labels: readonly string[]) {
  const cls = result.classes[i]!;
  const top = { prediction: String(cls), label: labels[cls] ?? String(cls), probability: result.probs[i]! };
  const d = result.decoding;
  if (d?.kind !== 'multi-label' || result.scores === undefined) return top;
  // Multi-label: the top class as always, and every class over the threshold.
  const width = result.scores.length / result.classes.length;
  return { ...top, labels: labelsOver(result.scores, i, width, d.threshold).map((c) => labels[c] ?? String(c)) };
}
