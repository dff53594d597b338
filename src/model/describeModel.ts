import type { ModelBundle } from './bundle.js';
import { createFastPredictor } from './fastPredictor.js';
import type { PreprocessingData } from './textPlan.js';

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
  lines.push(`input: ${inputs}`, `output: [null,${bundle.outputWidth}]`, `preprocessing: ${describePreprocessing(bundle.preprocessing, bundle.tokenizerJson)}`);
  const fast = createFastPredictor(bundle);
  lines.push(`engine: ${'predictor' in fast ? 'exact sparse fast path (no tfjs in the worker)' : `tfjs-layers (${fast.reason})`}`);
  return lines;
}

/**
 * What turns a text into the model's input, in one line: the kind and, for a Keras file's own
 * TextVectorization, the layer and the options mlserve runs.
 *
 * @example
 * describePreprocessing(null, '') // 'none (tensor API only)'
 */
export function describePreprocessing(data: PreprocessingData | null, tokenizerJson: string): string {
  if (data === null) return tokenizerJson === '' ? 'none (tensor API only)' : 'tokenizer.json binary bag of words';
  const { spec } = data;
  if (spec.kind !== 'text_vectorization') return `${spec.kind} (preprocessing.json)`;
  const c = spec.config;
  const tokens = (c.vocabulary ?? data.vocabulary ?? []).length;
  const options = [
    `standardize ${c.standardize ?? 'none'}`,
    `split ${c.split ?? 'none'}`,
    `ngrams ${c.ngrams === null ? 'none' : JSON.stringify(c.ngrams)}`,
    `output_mode ${c.outputMode}${c.outputMode === 'int' ? ` (${c.outputSequenceLength} ids)` : ''}`,
    `vocabulary ${tokens} lines from ${spec.vocabulary ?? 'the layer config'}`,
  ].join(', ');
  return `text_vectorization, ${spec.layer === undefined ? 'preprocessing.json' : `the model's own ${spec.layer}, run by mlserve`}: ${options}`;
}
