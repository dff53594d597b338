// SageMaker's inference container contract: GET /ping, POST /invocations (JSON, CSV or one text
// per line), answered in the Accept type.
import type { Hono } from 'hono';
import type { HttpBindings } from '@hono/node-server';
import { MlserveError } from '../errors.js';
import { predictedBody, prediction } from '../http/app.js';
import { checkText, textsFromBody } from '../http/validateInput.js';
import type { RequestResult } from '../model/requestResult.js';
import { isObject } from './jsonBody.js';
import { parseJsonBody, requestBody } from '../http/readBody.js';
import { queueHeaders } from './queueHeaders.js';
import type { ProtocolDeps } from './protocolDeps.js';

type Env = { Bindings: HttpBindings };

/** The content types /invocations reads. */
export const SAGEMAKER_TYPES = ['application/json', 'text/csv', 'text/plain'] as const;

function mediaType(header: string | undefined): string {
  return (header ?? '').split(';')[0]!.trim().toLowerCase();
}

/**
 * One CSV field per line (RFC 4180 quoting: `"a, b"` and `""` for a quote), the first column of
 * each record taken as its text. Blank lines are skipped.
 */
export function csvTexts(text: string): string[] {
  const records: string[] = [];
  let i = 0;
  while (i < text.length) {
    let field = '';
    if (text[i] === '"') {
      i++;
      for (;;) {
        if (i >= text.length) throw new MlserveError('ERR_BODY_MALFORMED', 'text/csv: a quoted field is not closed');
        if (text[i] === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        field += text[i++];
      }
    }
    while (i < text.length && text[i] !== '\n' && text[i] !== '\r' && text[i] !== ',') field += text[i++];
    while (i < text.length && text[i] !== '\n') i++; // other columns are ignored
    i++;
    if (field.trim().length > 0) records.push(field);
  }
  return records;
}

/** The texts of an /invocations body, by its content type. */
export function invocationTexts(type: string, body: Buffer, deps: ProtocolDeps): string[] {
  const text = body.toString('utf8');
  let texts: unknown[];
  if (type === 'application/json') {
    const parsed = parseJsonBody(text);
    if (isObject(parsed) && 'instances' in parsed) {
      const instances = parsed['instances'];
      if (!Array.isArray(instances)) throw new MlserveError('ERR_BODY_MALFORMED', '"instances" must be a list of texts');
      texts = instances.map((v) => (isObject(v) && 'text' in v ? v['text'] : v));
    } else {
      return textsFromBody(parsed, deps.limits);
    }
  } else if (type === 'text/csv') {
    texts = csvTexts(text);
  } else {
    texts = text.split(/\r?\n/).filter((line) => line.trim().length > 0);
  }
  if (texts.length === 0) throw new MlserveError('ERR_TEXT_MISSING', 'the body holds no text');
  if (texts.length > deps.limits.maxBatch) throw new MlserveError('ERR_BATCH_TOO_LARGE', `the body holds ${texts.length} texts, more than max-batch (${deps.limits.maxBatch})`);
  return texts.map((t, i) => checkText(t, `instances[${i}]`, deps.limits));
}

function csvField(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The answer in the type the client accepts: JSON `{"predictions": [...]}` or CSV `label,probability` lines. */
export function invocationAnswer(result: RequestResult, accept: string): { type: string; body: string } {
  const rows = result.classes.length;
  const wantsCsv = accept.split(',').map(mediaType)[0] === 'text/csv';
  if (wantsCsv) {
    let body = '';
    for (let i = 0; i < rows; i++) {
      const p = prediction(result, i, result.labels);
      body += `${csvField(p.label)},${p.probability}\n`;
    }
    return { type: 'text/csv', body };
  }
  const predictions = [];
  for (let i = 0; i < rows; i++) predictions.push(prediction(result, i, result.labels));
  return { type: 'application/json', body: JSON.stringify({ predictions }) };
}

/** Mounts SageMaker's `/ping` and `/invocations`. */
export function mountSagemaker(app: Hono<Env>, deps: ProtocolDeps): void {
  app.get('/ping', function ping(c) {
    const state = deps.readiness();
    return state.ready ? c.json({ status: 'ok' }) : c.json({ status: 'not ready', reason: state.reason ?? null }, 503);
  });

  app.post('/invocations', async function invocations(c) {
    const type = mediaType(c.req.header('content-type')) || 'application/json';
    if (!(SAGEMAKER_TYPES as readonly string[]).includes(type)) {
      throw new MlserveError('ERR_UNSUPPORTED_MEDIA_TYPE', `/invocations takes ${SAGEMAKER_TYPES.join(', ')}, got "${type}"`);
    }
    const accept = c.req.header('accept') ?? 'application/json';
    const acceptType = accept.split(',').map(mediaType)[0]!;
    if (acceptType !== '' && acceptType !== '*/*' && acceptType !== 'application/json' && acceptType !== 'text/csv') {
      throw new MlserveError('ERR_NOT_ACCEPTABLE', `/invocations answers application/json or text/csv, not "${acceptType}"`);
    }
    const texts = invocationTexts(type, await requestBody(c, deps.limits.maxBodySize), deps);
    const result = await deps.submit({ kind: 'text', texts }, queueHeaders(c));
    const { type: out, body } = invocationAnswer(result, accept);
    return predictedBody(c, deps, result.slot, body, out);
  });

  for (const [path, allow] of [['/ping', 'GET'], ['/invocations', 'POST']] as const) {
    app.all(path, function sagemakerMethod(c) {
      if (c.req.method === 'HEAD' && allow === 'GET') return c.body(null, 200);
      throw new MlserveError('ERR_METHOD_NOT_ALLOWED', `${c.req.method} is not allowed on ${path}; use ${allow}`, { headers: { allow } });
    });
  }
}
