import type { ModelBundle } from './bundle.js';
import { createFastPredictor } from './fastPredictor.js';
import { isRecord } from './isRecord.js';
import type { PreprocessingData } from './textPlan.js';

/** What decides the engine line: the `fast-path` and `backend` options the workers will get. */
export interface DescribeOptions {
  fastPath?: boolean;
  backend?: string;
}

/**
 * The lines `mlserve --check` prints about a model: format, Keras version and backend, layers,
 * input and output shapes, preprocessing, output decoding, and the engine the workers will run
 * it on (`fastpath` or `tfjs`, as the worker's ready line names it). Pure: bundle in, lines out.
 *
 * @example
 * describeModel(bundle, { fastPath: true, backend: 'auto' })
 * // ['format: keras-h5 (Keras 3.16.0, backend numpy)', 'layers: dense_7 (Dense), ...', ..., 'engine: fastpath (...)']
 */
export function describeModel(bundle: ModelBundle, options: DescribeOptions = {}): string[] {
  const lines = [`format: ${formatLine(bundle)}`];
  const layers = bundle.layers ?? topologyLayers(bundle.modelTopology);
  if (layers.length > 0) lines.push(`layers: ${layers.map((l) => `${l.name} (${l.className})`).join(', ')}`);
  const inputs = bundle.inputs?.map((i) => `${i.name} ${JSON.stringify(i.shape)} ${i.dtype}`).join(', ') ?? `${JSON.stringify([null, ...bundle.inputShape])} float32`;
  lines.push(`input: ${inputs}`, `output: [null,${bundle.outputWidth}]`);
  lines.push(`preprocessing: ${preprocessingLine(bundle)}`, `output decoding: ${decodingLine(bundle)}`, `engine: ${engineLine(bundle, options)}`);
  return lines;
}

function formatLine(bundle: ModelBundle): string {
  if (bundle.format === undefined || bundle.format === 'tfjs') {
    // tfjs-layers and tensorflowjs_converter copy Keras's keras_version / backend into the topology.
    const topo = bundle.modelTopology as Record<string, unknown>;
    const recorded = [topo.keras_version, topo.backend].every((v) => typeof v === 'string' && v !== '');
    return `tfjs layers-model (model.json${recorded ? `; keras_version ${String(topo.keras_version)}, backend ${String(topo.backend)}` : ''})`;
  }
  const version = bundle.kerasVersion == null ? 'Keras version not recorded' : `Keras ${bundle.kerasVersion}`;
  // Keras 3's saving_lib writes metadata.json with keras_version and date_saved only; the legacy
  // HDF5 writer and save_weights record the backend as a root attribute.
  const backend =
    bundle.backend != null
      ? `, backend ${bundle.backend}`
      : bundle.format === 'keras-zip'
        ? '; backend not recorded: a .keras file\'s metadata.json holds keras_version and date_saved only'
        : '; backend not recorded in the file';
  return `${bundle.format} (${version}${backend})`;
}

/** Layers of a tfjs (or Keras 2) topology, Sequential or Functional, InputLayer left out. */
function topologyLayers(topology: object): { name: string; className: string }[] {
  const root = isRecord((topology as Record<string, unknown>).model_config) ? ((topology as Record<string, unknown>).model_config as Record<string, unknown>) : (topology as Record<string, unknown>);
  const config = root.config;
  const layers = Array.isArray(config) ? config : isRecord(config) && Array.isArray(config.layers) ? config.layers : [];
  return layers
    .filter((l): l is Record<string, unknown> => isRecord(l) && l.class_name !== 'InputLayer')
    .map((l) => ({ name: String((isRecord(l.config) ? l.config.name : undefined) ?? l.name ?? '?'), className: String(l.class_name) }));
}

function preprocessingLine(bundle: ModelBundle): string {
  const data: PreprocessingData | null = bundle.preprocessing;
  if (data === null) {
    return bundle.tokenizerJson === ''
      ? `none (the tensor API only: rows of ${bundle.inputWidth} values; add preprocessing.json to serve texts)`
      : 'tokenizer.json, binary bag of words (texts_to_matrix mode binary)';
  }
  const { spec } = data;
  const pad = (p: { maxlen: number; padding: string; truncating: string; value: number }) => `pad_sequences maxlen ${p.maxlen} padding ${p.padding} truncating ${p.truncating} value ${p.value}`;
  switch (spec.kind) {
    case 'texts_to_matrix':
      return `preprocessing.json: ${spec.tokenizer}, texts_to_matrix mode ${spec.mode}`;
    case 'texts_to_sequences':
      return `preprocessing.json: ${spec.tokenizer}, texts_to_sequences, ${pad(spec.pad)}`;
    case 'word_index': {
      const c = spec.conventions;
      const then = spec.matrix ? `sequences_to_matrix mode ${spec.matrix.mode}` : spec.pad ? pad(spec.pad) : 'sequences';
      return `preprocessing.json: word_index ${spec.wordIndex} (num_words ${c.numWords ?? 'all'}, index_from ${c.indexFrom}, start_char ${c.startChar ?? 'none'}, oov_char ${c.oovChar ?? 'none'}), ${then}`;
    }
    case 'text_vectorization': {
      const c = spec.config;
      const options = [
        `standardize ${c.standardize ?? 'none'}`,
        `split ${c.split ?? 'none'}`,
        `ngrams ${c.ngrams === null ? 'none' : JSON.stringify(c.ngrams)}`,
        `output_mode ${c.outputMode}${c.outputMode === 'int' ? ` (${c.outputSequenceLength} ids)` : ''}`,
        `vocabulary ${(c.vocabulary ?? data.vocabulary ?? []).length} lines from ${spec.vocabulary ?? 'the layer config'}`,
      ].join(', ');
      // A Keras file's own layer (src/model/keras/textVectorizationData.ts) names where it came from.
      return spec.layer === undefined ? `preprocessing.json: text_vectorization ${options}` : `text_vectorization, the model's own ${spec.layer}, run by mlserve: ${options}`;
    }
  }
}

function decodingLine(bundle: ModelBundle): string {
  const { decoding, labels } = bundle;
  const named = labels.some((l, i) => l !== String(i)) ? `labels.json (${labels.length} names)` : 'class indices (no labels.json)';
  const logits = decoding.activation === null ? '' : `; the model outputs logits, the server applies ${decoding.activation}`;
  if (decoding.kind === 'binary') return `binary: one sigmoid unit, class 1 when p > ${decoding.threshold}, answered as ${named}${logits}`;
  if (decoding.kind === 'multi-label') return `multi-label: every class with p > ${decoding.threshold}, answered as ${named}${logits}`;
  return `softmax: the top class of ${bundle.outputWidth}, answered as ${named}${logits}`;
}

function engineLine(bundle: ModelBundle, options: DescribeOptions): string {
  const tfjs = `tfjs, backend ${options.backend ?? 'auto'}`;
  if (options.fastPath === false) return `${tfjs} (fast-path = false)`;
  const fast = createFastPredictor(bundle);
  if (!('predictor' in fast)) return `${tfjs} (the fast path does not apply: ${fast.reason})`;
  const { engine, engineReason } = fast.predictor;
  return `fastpath (exact sparse forward pass on ${engine ?? 'js'}${engineReason ? `: ${engineReason}` : ''}; tfjs is not loaded in the workers)`;
}
