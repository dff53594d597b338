// KServe V2 / Open Inference Protocol, REST (kserve/open-inference-protocol,
// specification/protocol/inference_rest.md), with its classification extension.
import type { Context, Hono } from 'hono';
import type { HttpBindings } from '@hono/node-server';
import { MlserveError } from '../errors.js';
import { errorResponse, type ErrorShape } from '../http/errorResponse.js';
import { predictedBody } from '../http/app.js';
import { checkText } from '../http/validateInput.js';
import type { RequestResult } from '../model/requestResult.js';
import type { ServedModel } from '../model/servedModel.js';
import { VERSION } from '../version.js';
import { isObject, jsonBody } from './jsonBody.js';
import { queueHeaders } from './queueHeaders.js';
import { queueOptions } from '../http/queueOptions.js';
import type { SubmitOptions } from '../model/modelInput.js';
import type { ProtocolDeps } from './protocolDeps.js';
import { scoresOf, topK } from '../model/scores.js';

type Env = { Bindings: HttpBindings };

/** The spec's error body: `{"error": "message"}`. */
export const v2Error: ErrorShape = (err) => ({ error: err.message });

/** The only output name; a request may name it (and ask for classification on it). */
export const V2_OUTPUT = 'probabilities';
/** The only input name. */
export const V2_INPUT = 'text';

/** GET /v2: server metadata. */
export function serverMetadata() {
  return { name: 'mlserve', version: VERSION, extensions: ['classification'] };
}

/** GET /v2/models/NAME[/versions/V]: model metadata. */
export function modelMetadataV2(served: ServedModel) {
  return {
    name: served.name,
    versions: served.versions.filter((v) => v.state === 'AVAILABLE' || v.state === 'UNLOADING').map((v) => String(v.version)),
    platform: 'mlserve_keras',
    inputs: [{ name: V2_INPUT, datatype: 'BYTES', shape: [-1] }],
    outputs: [{ name: V2_OUTPUT, datatype: 'FP32', shape: [-1, served.labels.length] }],
  };
}

const V2_PARAMS = { timeoutName: 'parameters.timeout', priorityName: 'parameters.priority', msPerUnit: 1e-3 };

/** What an inference request asks for. */
export interface V2Request {
  id?: string;
  texts: string[];
  /** `parameters.classification` of the requested output: answer the top K as "score:index:label". */
  classification: number | null;
  /** `parameters.timeout` (microseconds) and `parameters.priority` of the request, for the queue. */
  queue: SubmitOptions;
}

/** Parses and checks an inference request body against the model's one BYTES input. */
export function parseInferRequest(body: unknown, deps: ProtocolDeps, now = performance.now()): V2Request {
  if (!isObject(body)) throw new MlserveError('ERR_BODY_MALFORMED', 'the inference request must be a JSON object with "inputs"');
  const { id, inputs, outputs, parameters } = body;
  if (parameters !== undefined && !isObject(parameters)) throw new MlserveError('ERR_BODY_MALFORMED', '"parameters" must be an object');
  const timeoutUs = isObject(parameters) ? parameters['timeout'] : undefined;
  const queue = queueOptions(timeoutUs, isObject(parameters) ? parameters['priority'] : undefined, V2_PARAMS, now);
  if (id !== undefined && typeof id !== 'string') throw new MlserveError('ERR_BODY_MALFORMED', '"id" must be a string');
  if (!Array.isArray(inputs) || inputs.length !== 1) {
    throw new MlserveError('ERR_BODY_MALFORMED', `"inputs" must be a list of one tensor, "${V2_INPUT}" (BYTES); got ${Array.isArray(inputs) ? inputs.length : typeof inputs}`);
  }
  const input = inputs[0];
  if (!isObject(input)) throw new MlserveError('ERR_BODY_MALFORMED', 'inputs[0] must be an object with name, shape, datatype, data');
  if (input['name'] !== V2_INPUT) throw new MlserveError('ERR_BODY_MALFORMED', `unexpected inference input '${String(input['name'])}' for model '${deps.served().name}': its input is '${V2_INPUT}'`);
  if (input['datatype'] !== 'BYTES') throw new MlserveError('ERR_BODY_MALFORMED', `input '${V2_INPUT}' has datatype BYTES, got ${JSON.stringify(input['datatype'])}`);
  const shape = input['shape'];
  if (!Array.isArray(shape) || shape.length < 1 || shape.length > 2 || !shape.every((d) => Number.isInteger(d) && d >= 0) || (shape.length === 2 && shape[1] !== 1)) {
    throw new MlserveError('ERR_BODY_MALFORMED', `input '${V2_INPUT}' shape must be [N] or [N, 1], got ${JSON.stringify(shape)}`);
  }
  const data = Array.isArray(input['data']) ? (input['data'] as unknown[]).flat() : input['data'];
  if (!Array.isArray(data)) throw new MlserveError('ERR_BODY_MALFORMED', `input '${V2_INPUT}' needs "data", a list of strings`);
  if (data.length !== shape[0]) throw new MlserveError('ERR_BODY_MALFORMED', `input '${V2_INPUT}' shape ${JSON.stringify(shape)} says ${shape[0]} elements, "data" has ${data.length}`);
  if (data.length === 0) throw new MlserveError('ERR_TEXT_MISSING', `input '${V2_INPUT}' has no data`);
  if (data.length > deps.limits.maxBatch) throw new MlserveError('ERR_BATCH_TOO_LARGE', `input '${V2_INPUT}' has ${data.length} elements, more than max-batch (${deps.limits.maxBatch})`);
  const texts = data.map((t, i) => checkText(t, `${V2_INPUT}.data[${i}]`, deps.limits));
  return { ...(id !== undefined ? { id } : {}), texts, classification: classificationOf(outputs), queue };
}

function classificationOf(outputs: unknown): number | null {
  if (outputs === undefined) return null;
  if (!Array.isArray(outputs)) throw new MlserveError('ERR_BODY_MALFORMED', '"outputs" must be a list of requested outputs');
  let k: number | null = null;
  for (const o of outputs) {
    if (!isObject(o) || o['name'] !== V2_OUTPUT) throw new MlserveError('ERR_BODY_MALFORMED', `unexpected inference output '${isObject(o) ? String(o['name']) : String(o)}': the model's output is '${V2_OUTPUT}'`);
    const params = o['parameters'];
    if (isObject(params) && params['classification'] !== undefined) {
      const c = params['classification'];
      if (!Number.isInteger(c) || (c as number) < 1) throw new MlserveError('ERR_BODY_MALFORMED', `"classification" must be a positive integer, got ${JSON.stringify(c)}`);
      k = c as number;
    }
  }
  return k;
}

/** The inference response: FP32 scores, or BYTES "score:index:label" under classification. */
export function inferResponse(served: ServedModel, req: V2Request, result: RequestResult) {
  const rows = result.classes.length;
  const width = result.labels.length;
  let output;
  if (req.classification !== null) {
    const k = Math.min(req.classification, width);
    const data: string[] = [];
    for (let i = 0; i < rows; i++) for (const r of topK(result, i, k)) data.push(`${r.score}:${r.index}:${r.label}`);
    output = { name: V2_OUTPUT, shape: [rows, k], datatype: 'BYTES', data };
  } else {
    const data: number[] = [];
    for (let i = 0; i < rows; i++) for (const s of scoresOf(result, i)) data.push(s);
    output = { name: V2_OUTPUT, shape: [rows, width], datatype: 'FP32', data };
  }
  // The version that predicted these rows (mid-reload it may be the new one, before `served` is).
  return { model_name: served.name, model_version: String(result.version ?? served.version), ...(req.id !== undefined ? { id: req.id } : {}), outputs: [output] };
}

const MODEL_PATH = /^\/v2\/models\/([^/]+)(?:\/versions\/([^/]+))?(\/ready|\/infer)?$/;

/**
 * Mounts the Open Inference Protocol's REST endpoints: `/v2`, `/v2/health/live|ready`,
 * `/v2/models/NAME[/versions/V]`, `.../ready`, `.../infer`.
 */
export function mountKserveV2(app: Hono<Env>, deps: ProtocolDeps): void {
  const { log } = deps;
  const fail = (c: Context<Env>, err: unknown) => errorResponse(err, log, c.req.header('x-request-id'), v2Error);

  app.get('/v2', (c) => c.json(serverMetadata()));
  app.get('/v2/health/live', (c) => c.json({ live: true }));
  app.get('/v2/health/ready', function v2Ready(c) {
    const ready = deps.readiness().ready;
    return c.json({ ready }, ready ? 200 : 503);
  });

  app.all('/v2/models/*', async function v2Model(c) {
    try {
      const m = MODEL_PATH.exec(c.req.path);
      if (!m) throw new MlserveError('ERR_NOT_FOUND', `no route for ${c.req.method} ${c.req.path}`);
      const served = deps.served();
      const name = decodeURIComponent(m[1]!);
      const version = m[2];
      const what = m[3] ?? '';
      if (name !== served.name) throw new MlserveError('ERR_MODEL_UNKNOWN', `Model with name ${name} does not exist.`);
      if (version !== undefined && !served.versions.some((v) => String(v.version) === version)) {
        throw new MlserveError('ERR_MODEL_UNKNOWN', `Model ${name} has no version ${version} (serving ${served.version}).`);
      }
      const method = what === '/infer' ? 'POST' : 'GET';
      if (c.req.method !== method) throw new MlserveError('ERR_METHOD_NOT_ALLOWED', `${c.req.method} is not allowed; use ${method}`, { headers: { allow: method } });
      if (what === '') return c.json(modelMetadataV2(served));
      const current = version === undefined || Number(version) === served.version;
      if (what === '/ready') {
        const ready = current && deps.readiness().ready;
        return c.json({ name, ready }, ready ? 200 : 503);
      }
      if (!current) throw new MlserveError('ERR_MODEL_UNKNOWN', `Model ${name} version ${version} is being unloaded; infer on version ${served.version}.`);
      const req = parseInferRequest(await jsonBody(c, deps.limits.maxBodySize), deps);
      const result = await deps.submit({ kind: 'text', texts: req.texts }, { ...queueHeaders(c), ...req.queue, scores: true });
      return predictedBody(c, deps, result.slot, JSON.stringify(inferResponse(served, req, result)));
    } catch (err) {
      return fail(c, err);
    }
  });
}
