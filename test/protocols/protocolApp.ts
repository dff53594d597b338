import { createApp } from '../../src/http/app.js';
import type { RequestResult } from '../../src/model/requestResult.js';
import type { ServedModel } from '../../src/model/servedModel.js';
import type { ModelInput } from '../../src/model/modelInput.js';
import { mountProtocols } from '../../src/protocols/mountProtocols.js';
import type { ProtocolDeps } from '../../src/protocols/protocolDeps.js';
import { appDeps } from '../http/appDeps.js';

/** Labels of the fake model: three classes. */
export const LABELS = ['earn', 'grain', 'crude'];

/**
 * A fake prediction: a text containing "oil" scores crude 0.7, grain 0.2, earn 0.1; any other
 * text earn 0.6, grain 0.3, crude 0.1. Returns the full score vectors, as a worker does.
 */
export function fakeSubmit(input: ModelInput): Promise<RequestResult> {
  // A tensor row scores like a text containing "oil" when its first value is over 0.5.
  const texts = input.kind === 'text' ? input.texts : Array.from({ length: input.rows }, (_, r) => (input.values[r * (input.values.length / input.rows)]! > 0.5 ? 'oil' : ''));
  const scores = new Float32Array(texts.length * 3);
  const classes = new Int32Array(texts.length);
  const probs = new Float32Array(texts.length);
  texts.forEach((t, i) => {
    const row = t.includes('oil') ? [0.1, 0.2, 0.7] : [0.6, 0.3, 0.1];
    scores.set(row, i * 3);
    classes[i] = row.indexOf(Math.max(...row));
    probs[i] = Math.max(...row);
  });
  return Promise.resolve({ classes, probs, scores, slot: 1, labels: LABELS });
}

/** The served model of the fake: "reuters" version 1, available. */
export function fakeServed(overrides: Partial<ServedModel> = {}): ServedModel {
  return { name: 'reuters', version: 1, labels: LABELS, input: { text: true, inputSize: 4 }, versions: [{ version: 1, state: 'AVAILABLE' }], ...overrides };
}

/** The hono app with every protocol mounted, over fake deps. */
export function protocolApp(overrides: Partial<ProtocolDeps> = {}) {
  const deps: ProtocolDeps = { ...appDeps({ submit: fakeSubmit }), served: () => fakeServed(), ...overrides };
  return { app: createApp(deps, (a) => mountProtocols(a, deps)), deps };
}

/** A JSON POST for app.request. */
export function postJson(body: unknown, headers: Record<string, string> = {}): RequestInit {
  return { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) };
}
