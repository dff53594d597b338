import { readFile } from 'node:fs/promises';
import { isRecord } from '../isRecord.js';
import { invalid, parseJsonFile, readModelFile } from '../modelArtifacts.js';
import { H5File } from './h5File.js';
import { normalizeKerasConfig, originalClass, type KerasInput } from './normalizeConfig.js';
import type { PreprocessingData } from '../textPlan.js';
import { findTextVectorization } from './findTextVectorization.js';
import { readWeights, type PackedWeights } from './readWeights.js';
import { refuse } from './refuse.js';
import { textVectorizationData } from './textVectorizationData.js';
import { readZip } from './zipArchive.js';

/** Which Keras artifact a model came from. */
export type KerasFormat = 'keras-h5' | 'keras-zip' | 'keras-config-weights';

/** A Keras model read from disk: the bundle's tfjs parts plus what `--check` reports. */
export interface KerasModel extends PackedWeights {
  format: KerasFormat;
  /** keras_version as saved (metadata.json or the HDF5 attribute); null when the file has none. */
  kerasVersion: string | null;
  /** backend attribute (tensorflow, theano, jax, numpy...); null when absent. */
  backend: string | null;
  modelTopology: object;
  /** Top-level layers, in order: name and Keras class. */
  layers: { name: string; className: string }[];
  inputs: KerasInput[];
  /** The training config Keras saved (loss, from_logits...), when present; untouched. */
  trainingConfig?: Record<string, unknown>;
  /** `assets/...` entries of a .keras zip (TextVectorization vocabularies), by path. */
  assets: Map<string, Buffer>;
  /** The model's own TextVectorization (a .keras file), run by mlserve before the model; null: none. */
  preprocessing: PreprocessingData | null;
}

/**
 * Reads a full Keras model from one HDF5 file: Keras 2 / tf.keras `model.save('m.h5')`, Keras 3
 * legacy `.h5`, and tf.keras <= 2.12 `.keras` files that are HDF5 inside. `label` names the file
 * in errors. Refuses (ERR_MODEL_UNSUPPORTED) what cannot be served faithfully.
 */
export async function readKerasH5(bytes: Uint8Array, label: string): Promise<KerasModel> {
  const h5 = await H5File.open(bytes, label);
  try {
    const configText = h5.attrString('/', 'model_config');
    if (configText === undefined) {
      return refuse(label, 'holds weights only (no model_config attribute)', 'save the whole model with model.save(...), or put the model.to_json() config beside it as config.json');
    }
    const kerasVersion = h5.attrString('/', 'keras_version') ?? h5.attrString('model_weights', 'keras_version') ?? null;
    const backend = h5.attrString('/', 'backend') ?? h5.attrString('model_weights', 'backend') ?? null;
    const raw = parseJsonText(label, 'model_config', configText);
    const training = h5.attrString('/', 'training_config');
    const model = build(raw, label, kerasVersion, backend, h5);
    return { ...model, format: 'keras-h5', ...(training === undefined ? {} : { trainingConfig: asRecord(parseJsonText(label, 'training_config', training)) }), assets: new Map(), preprocessing: null };
  } finally {
    h5.close();
  }
}

/**
 * Reads a Keras 3 / tf.keras >= 2.13 `.keras` zip: config.json, metadata.json and
 * model.weights.h5. Sharded weights (model.weights.json + shards) are refused.
 */
export async function readKerasZip(bytes: Buffer, label: string): Promise<KerasModel> {
  const entries = readZip(bytes, label);
  const configBytes = entries.get('config.json');
  if (configBytes === undefined) return invalid(label, 'the zip has no config.json: not a Keras .keras file');
  const metadata = entries.has('metadata.json') ? asRecord(parseJsonFile(`${label}:metadata.json`, entries.get('metadata.json')!)) : {};
  const kerasVersion = typeof metadata.keras_version === 'string' ? metadata.keras_version : null;
  // Keras 3's saving_lib writes keras_version and date_saved only; a backend is shown if a writer adds one.
  const backend = typeof metadata.backend === 'string' ? metadata.backend : null;
  const weightsBytes = entries.get('model.weights.h5');
  if (weightsBytes === undefined) {
    if ([...entries.keys()].some((k) => k.endsWith('.weights.json') || /shard|\.weights\.h5$/.test(k))) {
      return refuse(label, 'has sharded weights', "mlserve reads a single model.weights.h5: save again with model.save('model.keras') without max_shard_size");
    }
    return invalid(label, 'the zip has no model.weights.h5');
  }
  const raw = parseJsonFile(`${label}:config.json`, configBytes);
  const h5 = await H5File.open(weightsBytes, `${label}:model.weights.h5`);
  try {
    const assets = new Map([...entries].filter(([k]) => k.startsWith('assets/')));
    // tfjs has no TextVectorization: mlserve runs it (its config, vocabulary asset, idf weights)
    // and hands tfjs the model from the layer after it, on an input of the plan's width.
    const tv = findTextVectorization(raw, label);
    const text = tv === null ? null : textVectorizationData(tv, assets, h5, label);
    const graph = tv === null ? raw : tv.rewrite(text!.width, text!.data.spec.kind === 'text_vectorization' && text!.data.spec.config.outputMode === 'int' ? 'int32' : 'float32');
    const model = build(graph, label, kerasVersion, backend, h5);
    if (tv !== null) {
      const at = model.layers.findIndex((l) => l.className === 'InputLayer') + 1;
      model.layers.splice(at, 0, { name: tv.name, className: 'TextVectorization' });
    }
    const compile = isRecord(raw) && isRecord(raw.compile_config) ? raw.compile_config : undefined;
    return { ...model, format: 'keras-zip', ...(compile === undefined ? {} : { trainingConfig: compile }), assets, preprocessing: text?.data ?? null };
  } finally {
    h5.close();
  }
}

/**
 * Reads a `model.to_json()` config file and a weights HDF5 file (`save_weights`), in either
 * weights layout (Keras 2 `layer_names`, Keras 3 `layers/.../vars`).
 */
export async function readKerasConfigWeights(configFile: string, weightsFile: string, weightsBytes?: Uint8Array): Promise<KerasModel> {
  const raw = parseJsonFile(configFile, await readModelFile(configFile));
  const h5 = await H5File.open(weightsBytes ?? (await readFile(weightsFile)), weightsFile);
  try {
    const kerasVersion = (isRecord(raw) && typeof raw.keras_version === 'string' ? raw.keras_version : undefined) ?? h5.attrString('/', 'keras_version') ?? null;
    const backend = (isRecord(raw) && typeof raw.backend === 'string' ? raw.backend : undefined) ?? h5.attrString('/', 'backend') ?? null;
    const model = build(raw, configFile, kerasVersion, backend, h5);
    return { ...model, format: 'keras-config-weights', assets: new Map(), preprocessing: null };
  } finally {
    h5.close();
  }
}

function build(raw: unknown, label: string, kerasVersion: string | null, backend: string | null, h5: H5File) {
  const normalized = normalizeKerasConfig(raw, { file: label, kerasVersion: kerasVersion ?? undefined, backend: backend ?? undefined });
  const weights = readWeights(h5, normalized.layers);
  return {
    kerasVersion,
    backend,
    modelTopology: normalized.topology,
    weightSpecs: weights.weightSpecs,
    weightData: weights.weightData,
    layers: normalized.layers.map((l) => ({ name: String(l.config.name), className: originalClass(l) })),
    inputs: normalized.inputs,
  };
}

function parseJsonText(label: string, what: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    return invalid(label, `the ${what} attribute is not valid JSON (${(err as Error).message})`, err);
  }
}

function asRecord(v: unknown): Record<string, unknown> {
  return isRecord(v) ? v : {};
}
