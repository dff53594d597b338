// TF Serving's REST API (tensorflow_serving/g3doc/api/api_rest.md): model status, model
// metadata, Predict (row and columnar formats) and Classify, over mlserve's dispatcher.
import type { Context, Hono } from 'hono';
import type { HttpBindings } from '@hono/node-server';
import { MlserveError } from '../errors.js';
import { errorResponse, type ErrorShape } from '../http/errorResponse.js';
import { predictedBody } from '../http/app.js';
import { checkText } from '../http/validateInput.js';
import { queueHeaders } from './queueHeaders.js';
import type { RequestResult } from '../model/requestResult.js';
import type { ServedModel } from '../model/servedModel.js';
import type { ModelInput } from '../model/modelInput.js';
import { isObject, jsonBody } from './jsonBody.js';
import type { ProtocolDeps } from './protocolDeps.js';
import { scoreList, topK } from '../model/scores.js';

type Env = { Bindings: HttpBindings };

/** TF Serving answers every error as `{"error": "message"}`. */
export const tfServingError: ErrorShape = (err) => ({ error: err.message });

/** The one signature mlserve's text classifiers have, under TF Serving's default name. */
export const SERVING_DEFAULT = 'serving_default';

const PATH = /^\/v1\/models\/([^/:]+)(?:\/versions\/([^/:]+)|\/labels\/([^/:]+))?(\/metadata|:predict|:classify|:regress)?$/;

/** A parsed `/v1/models/...` path. */
export interface TfPath {
  name: string;
  /** `versions/N`, when given. */
  version?: string;
  /** `labels/L`, when given (version labels: mlserve has none but `stable`-free serving). */
  label?: string;
  /** '' (status), 'metadata', 'predict', 'classify' or 'regress'. */
  method: string;
}

/** Splits a TF Serving path; null when it is not one (then the route answers 404). */
export function parseTfPath(path: string): TfPath | null {
  const m = PATH.exec(path);
  if (!m) return null;
  const method = m[4] === undefined ? '' : m[4].replace(/^[/:]/, '');
  return { name: decodeURIComponent(m[1]!), ...(m[2] ? { version: m[2] } : {}), ...(m[3] ? { label: m[3] } : {}), method };
}

/**
 * The version a request names, checked against the served model: TF Serving's own messages for
 * an unknown model or version (NOT_FOUND, 404).
 */
function resolveVersion(p: TfPath, served: ServedModel, { any }: { any: boolean }): number {
  const spec = p.version !== undefined ? `Specific(${p.name}, ${p.version})` : p.label !== undefined ? `Label(${p.name}, ${p.label})` : `Latest(${p.name})`;
  if (p.name !== served.name) throw new MlserveError('ERR_MODEL_UNKNOWN', `Servable not found for request: ${spec}`);
  if (p.label !== undefined) throw new MlserveError('ERR_MODEL_UNKNOWN', `Servable not found for request: ${spec} (mlserve assigns no version labels)`);
  if (p.version === undefined) return served.version;
  const n = Number(p.version);
  const known = any ? served.versions.some((v) => v.version === n) : n === served.version;
  if (!/^\d+$/.test(p.version) || !known) throw new MlserveError('ERR_MODEL_UNKNOWN', `Servable not found for request: ${spec}`);
  return n;
}

/** GET /v1/models/NAME[/versions/N]: GetModelStatus. */
export function modelStatus(served: ServedModel, version: number | null) {
  const versions = version === null ? served.versions : served.versions.filter((v) => v.version === version);
  return {
    model_version_status: versions.map((v) => ({ version: String(v.version), state: v.state, status: { error_code: 'OK', error_message: '' } })),
  };
}

function tensorInfo(name: string, dtype: string, dims: number[]) {
  return { dtype, tensor_shape: { dim: dims.map((size) => ({ size: String(size), name: '' })), unknown_rank: false }, name };
}

/** GET /v1/models/NAME[/versions/N]/metadata: GetModelMetadata with the `serving_default` signature. */
export function modelMetadata(served: ServedModel, version: number) {
  const classes = served.labels.length;
  return {
    model_spec: { name: served.name, signature_name: '', version: String(version) },
    metadata: {
      signature_def: {
        signature_def: {
          [SERVING_DEFAULT]: {
            inputs: served.input.text
              ? { text: tensorInfo('serving_default_text:0', 'DT_STRING', [-1]) }
              : { inputs: tensorInfo('serving_default_inputs:0', 'DT_FLOAT', [-1, served.input.inputSize]) },
            outputs: {
              probabilities: tensorInfo('probabilities:0', 'DT_FLOAT', [-1, classes]),
              classes: tensorInfo('classes:0', 'DT_STRING', [-1]),
            },
            method_name: 'tensorflow/serving/predict',
          },
        },
      },
    },
  };
}

/** One text of an instance or input: a string, `{"text": ...}`, or TF Serving's `{"b64": ...}`. */
function textOf(v: unknown, where: string, deps: ProtocolDeps): string {
  if (isObject(v)) {
    if (typeof v['b64'] === 'string' && Object.keys(v).length === 1) return checkText(Buffer.from(v['b64'], 'base64').toString('utf8'), where, deps.limits);
    if ('text' in v) return textOf(v['text'], `${where}.text`, deps);
    throw new MlserveError('ERR_BODY_MALFORMED', `${where} must be a string, {"text": "..."} or {"b64": "..."}; this model's only input is "text" (DT_STRING)`);
  }
  if (typeof v === 'number' || Array.isArray(v)) {
    throw new MlserveError('ERR_BODY_MALFORMED', `${where} mixes numbers with texts: send every instance as text, or every one as ${deps.served().input.inputSize} numbers`);
  }
  return checkText(v, where, deps.limits);
}

/** A row of numbers (nested lists are flattened, as TF Serving reads a tensor's elements). */
function numbersOf(v: unknown, where: string): number[] {
  const flat = Array.isArray(v) ? (v as unknown[]).flat(Infinity) : [v];
  for (let i = 0; i < flat.length; i++) {
    if (typeof flat[i] !== 'number' || !Number.isFinite(flat[i])) throw new MlserveError('ERR_BODY_MALFORMED', `${where} must hold only finite numbers, got ${JSON.stringify(flat[i])} at ${i}`);
  }
  return flat as number[];
}

/** Numeric instances as one tensor input of `rows x inputSize` floats. */
function tensorOf(list: unknown[], where: string, deps: ProtocolDeps): ModelInput {
  const { inputSize } = deps.served().input;
  if (list.length > deps.limits.maxBatch) {
    throw new MlserveError('ERR_BATCH_TOO_LARGE', `"${where}" has ${list.length} rows, more than max-batch (${deps.limits.maxBatch})`);
  }
  const values = new Float32Array(list.length * inputSize);
  list.forEach((row, r) => {
    const numbers = numbersOf(row, `${where}[${r}]`);
    if (numbers.length !== inputSize) throw new MlserveError('ERR_TENSOR_SHAPE', `${where}[${r}] has ${numbers.length} values; the model's input takes ${inputSize} per row`);
    values.set(numbers, r * inputSize);
  });
  return { kind: 'tensor', rows: list.length, values };
}

/** Texts, or, when the first instance is numeric, a tensor. */
function inputOf(list: unknown, where: string, deps: ProtocolDeps): ModelInput {
  const numeric = (v: unknown) => typeof v === 'number' || Array.isArray(v);
  if (Array.isArray(list) && list.length > 0 && numeric(list[0])) return tensorOf(list, where, deps);
  if (!deps.served().input.text) {
    throw new MlserveError('ERR_TEXT_UNSUPPORTED', `this model has no preprocessing: send "${where}" as rows of ${deps.served().input.inputSize} numbers`);
  }
  return { kind: 'text', texts: textList(list, where, deps) };
}

function textList(list: unknown, where: string, deps: ProtocolDeps): string[] {
  if (!Array.isArray(list)) return [textOf(list, where, deps)];
  if (list.length === 0) throw new MlserveError('ERR_TEXT_MISSING', `"${where}" is empty`);
  if (list.length > deps.limits.maxBatch) {
    throw new MlserveError('ERR_BATCH_TOO_LARGE', `"${where}" has ${list.length} entries, more than max-batch (${deps.limits.maxBatch})`);
  }
  return list.map((v, i) => textOf(v, `${where}[${i}]`, deps));
}

/** The input of a Predict request (texts or a tensor) and whether it used the columnar (`inputs`) format. */
export function predictInput(body: unknown, deps: ProtocolDeps): { input: ModelInput; columnar: boolean } {
  if (!isObject(body)) throw new MlserveError('ERR_BODY_MALFORMED', 'the body must be a JSON object with "instances" or "inputs"');
  checkSignature(body);
  const { instances, inputs } = body;
  if (instances !== undefined && inputs !== undefined) throw new MlserveError('ERR_BODY_MALFORMED', 'Request body must contain either "instances" or "inputs", not both');
  if (instances !== undefined) {
    if (!Array.isArray(instances)) throw new MlserveError('ERR_BODY_MALFORMED', '"instances" must be a list');
    return { input: inputOf(instances, 'instances', deps), columnar: false };
  }
  if (inputs !== undefined) {
    const named = isObject(inputs) && !('b64' in inputs) ? inputs : null;
    if (named) {
      const keys = Object.keys(named);
      const key = deps.served().input.text ? 'text' : 'inputs';
      if (keys.length !== 1 || keys[0] !== key) throw new MlserveError('ERR_BODY_MALFORMED', `"inputs" names ${JSON.stringify(keys)}; this model's only input is "${key}"`);
      return { input: inputOf(named[key], `inputs.${key}`, deps), columnar: true };
    }
    return { input: inputOf(inputs, 'inputs', deps), columnar: true };
  }
  throw new MlserveError('ERR_BODY_MALFORMED', 'Missing "instances" or "inputs" key');
}

function checkSignature(body: Record<string, unknown>): void {
  const sig = body['signature_name'];
  if (sig === undefined || sig === '' || sig === SERVING_DEFAULT) return;
  throw new MlserveError('ERR_BODY_MALFORMED', `Serving signature name: "${String(sig)}" not found in signature def`);
}

/** Predict's answer: `{"predictions": [...]}` (row) or `{"outputs": {...}}` (columnar). */
export function predictAnswer(result: RequestResult, columnar: boolean) {
  const rows = result.classes.length;
  const probabilities: number[][] = [];
  const classes: string[] = [];
  for (let i = 0; i < rows; i++) {
    probabilities.push(scoreList(result, i));
    classes.push(result.labels[result.classes[i]!] ?? String(result.classes[i]));
  }
  if (columnar) return { outputs: { probabilities, classes } };
  return { predictions: probabilities.map((p, i) => ({ probabilities: p, classes: classes[i] })) };
}

/** The texts of a Classify request: `{"examples": [{"text": ...}, ...]}` (`context` merged in). */
export function classifyTexts(body: unknown, deps: ProtocolDeps): string[] {
  if (!isObject(body)) throw new MlserveError('ERR_BODY_MALFORMED', 'the body must be a JSON object with "examples"');
  checkSignature(body);
  const { examples, context } = body;
  if (!Array.isArray(examples)) throw new MlserveError('ERR_BODY_MALFORMED', '"examples" must be a list of objects like {"text": "..."}');
  const base = isObject(context) ? context : {};
  return textList(
    examples.map((e) => (isObject(e) ? { ...base, ...e } : e)),
    'examples',
    deps,
  );
}

/** Classify's answer: every class with its score, highest first, per example. */
export function classifyAnswer(result: RequestResult) {
  const out: [string, number][][] = [];
  for (let i = 0; i < result.classes.length; i++) out.push(topK(result, i, result.labels.length).map((r) => [r.label, r.score]));
  return { result: out };
}

/**
 * Mounts TF Serving's REST API on the app: `/v1/models/NAME[/versions/N]` (status),
 * `.../metadata`, `...:predict`, `...:classify` (and `:regress`, refused: a classifier).
 */
export function mountTfServing(app: Hono<Env>, deps: ProtocolDeps): void {
  const { log } = deps;
  function fail(c: Context<Env>, err: unknown): Response {
    return errorResponse(err, log, c.req.header('x-request-id'), tfServingError);
  }
  app.all('/v1/models/*', async function tfServing(c) {
    try {
      const p = parseTfPath(c.req.path);
      if (!p) throw new MlserveError('ERR_NOT_FOUND', `Malformed request: ${c.req.method} ${c.req.path}`);
      const served = deps.served();
      const get = p.method === '' || p.method === 'metadata';
      if (get && c.req.method !== 'GET') throw new MlserveError('ERR_METHOD_NOT_ALLOWED', `${c.req.method} is not allowed; use GET`, { headers: { allow: 'GET' } });
      if (!get && c.req.method !== 'POST') throw new MlserveError('ERR_METHOD_NOT_ALLOWED', `${c.req.method} is not allowed; use POST`, { headers: { allow: 'POST' } });
      if (p.method === '') {
        resolveVersion(p, served, { any: true });
        return c.json(modelStatus(served, p.version === undefined ? null : Number(p.version)));
      }
      const version = resolveVersion(p, served, { any: false });
      if (p.method === 'metadata') return c.json(modelMetadata(served, version));
      if (p.method === 'regress') throw new MlserveError('ERR_BODY_MALFORMED', `${served.name} is a classifier: use :predict or :classify, not :regress`);
      const body = await jsonBody(c, deps.limits.maxBodySize);
      if (p.method === 'predict') {
        const { input, columnar } = predictInput(body, deps);
        const result = await deps.submit(input, { ...queueHeaders(c), scores: true });
        return answer(c, result, predictAnswer(result, columnar));
      }
      const result = await deps.submit({ kind: 'text', texts: classifyTexts(body, deps) }, { ...queueHeaders(c), scores: true });
      return answer(c, result, classifyAnswer(result));
    } catch (err) {
      return fail(c, err);
    }
  });

  function answer(c: Context<Env>, result: RequestResult, doc: unknown): Response {
    return predictedBody(c, deps, result.slot, JSON.stringify(doc));
  }
}
