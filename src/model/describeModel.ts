import type { ModelBundle } from './bundle.js';
import { createFastPredictor } from './fastPredictor.js';

/**
 * The lines `mlserve --check` prints about a model: format, Keras version and backend, layers,
 * input and output shapes, and the engine that will run it. Preprocessing and output decoding
 * lines belong here too (appended by their owners, issue 11's serving half).
 *
 * @example
 * describeModel(bundle) // ['format: keras-zip (Keras 3.16.0, backend numpy)', 'layers: dense (Dense), ...', ...]
 */
export function describeModel(bundle: ModelBundle): string[] {
  const format = bundle.format ?? 'tfjs';
  const keras = bundle.kerasVersion === undefined ? '' : ` (Keras ${bundle.kerasVersion ?? 'version unknown'}, backend ${bundle.backend ?? 'unknown'})`;
  const lines = [`format: ${format}${keras}`];
  if (bundle.layers !== undefined) lines.push(`layers: ${bundle.layers.map((l) => `${l.name} (${l.className})`).join(', ')}`);
  const inputs = bundle.inputs?.map((i) => `${i.name} ${JSON.stringify(i.shape)} ${i.dtype}`).join(', ') ?? `[null,${bundle.inputWidth}] float32`;
  lines.push(`input: ${inputs}`, `output: [null,${bundle.outputWidth}]`);
  const fast = createFastPredictor(bundle);
  lines.push(`engine: ${'predictor' in fast ? 'exact sparse fast path (no tfjs in the worker)' : `tfjs-layers (${fast.reason})`}`);
  return lines;
}
