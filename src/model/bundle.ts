import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { io } from '@tensorflow/tfjs';
import { MlserveError } from '../errors.js';
import { isRecord } from './isRecord.js';
import { MODEL_JSON, invalid, parseJsonFile, readModelArtifacts, readModelFile } from './modelArtifacts.js';
import { Tokenizer } from './tokenizer.js';
import { findArtifact } from './keras/findArtifact.js';
import { readKerasConfigWeights, readKerasH5, readKerasZip, type KerasModel } from './keras/readKerasModel.js';
import type { InputSignature } from './modelInput.js';
import { outputDecodingOf, type OutputDecoding } from './outputDecoding.js';
import { parsePreprocessing, type PreprocessingSpec } from './preprocessing.js';
import { createTextPlan, type PreprocessingData } from './textPlan.js';
import { vocabularyLines } from './textVectorizationPlan.js';

/**
 * Everything a worker needs to serve one model version, read once by the master. Plain data
 * (structured-cloneable), so it can be posted to worker threads; `weightData` can be transferred.
 */
export interface ModelBundle {
  name: string;
  version: number;
  dir: string;
  modelTopology: object;
  weightSpecs: io.WeightsManifestEntry[];
  weightData: ArrayBuffer;
  /**
   * tokenizer.json in Keras `Tokenizer.to_json()` format, restricted to the words the model
   * reads (Tokenizer.toServingJSON): predictions are the same, the copy per thread is small.
   */
  tokenizerJson: string;
  /** Class names by output index (labels.json, or the class indices when it is absent). */
  labels: string[];
  /** preprocessing.json with its files read; null: tokenizer.json's binary bag of words, or none (tensor-only). */
  preprocessing: PreprocessingData | null;
  /** How output rows become answers (softmax, binary, multi-label; logits activated). */
  decoding: OutputDecoding;
  metadata: Record<string, unknown>;
  /** Floats per input row: the tokenizer's num_words, the padded length, or the tensor's size. */
  inputWidth: number;
  /** The model input's non-batch dimensions (`[inputWidth]` for a 2-D input). */
  inputShape: number[];
  /** Columns of the model output (units of the last layer). */
  outputWidth: number;
  /** Where the model came from: 'tfjs' (model.json) or a Keras format (absent for model.json). */
  format?: 'tfjs' | KerasModel['format'];
  /** keras_version and backend saved in a Keras file (null when the file has none). */
  kerasVersion?: string | null;
  backend?: string | null;
  /** Keras files: the model inputs as declared (shape with batch dimension, dtype) and top-level layers. */
  inputs?: KerasModel['inputs'];
  layers?: KerasModel['layers'];
}

export const TOKENIZER_JSON = 'tokenizer.json';
export const LABELS_JSON = 'labels.json';
export const METADATA_JSON = 'metadata.json';
export const PREPROCESSING_JSON = 'preprocessing.json';

/**
 * Reads and checks one model version directory: model.json and its shards, tokenizer.json,
 * labels.json and (optional) metadata.json. Disk only; building the model is
 * {@link validateModel}'s job. Throws ERR_MODEL_NOT_FOUND when the directory is missing and
 * ERR_MODEL_INVALID with "<file>: <problem>" for anything wrong inside it.
 *
 * @example
 * const { dir, name, version } = await resolveModelVersion('models/reuters');
 * const bundle = await readModelBundle(dir, { name, version });
 */
export async function readModelBundle(
  versionDir: string,
  id: { name: string; version: number } = defaultId(versionDir),
  artifactFile?: string,
): Promise<ModelBundle> {
  const dir = path.resolve(versionDir);
  const dirStat = await stat(dir).catch((err: NodeJS.ErrnoException) => {
    throw new MlserveError('ERR_MODEL_NOT_FOUND', `model version directory ${versionDir} cannot be read (${err.code})`, { cause: err });
  });
  if (!dirStat.isDirectory()) throw new MlserveError('ERR_MODEL_NOT_FOUND', `${versionDir} is not a directory`);

  const artifact = await findArtifact(dir, artifactFile === undefined ? undefined : path.resolve(artifactFile));
  let keras: KerasModel | null = null;
  if (artifact.kind === 'keras-h5') keras = await readKerasH5(artifact.bytes ?? (await readModelFile(artifact.file)), artifact.file);
  else if (artifact.kind === 'keras-zip') keras = await readKerasZip(await readModelFile(artifact.file), artifact.file);
  else if (artifact.kind === 'keras-config-weights') keras = await readKerasConfigWeights(artifact.config, artifact.weights, artifact.weightsBytes);
  const artifacts = keras ?? (await readModelArtifacts(dir));
  const modelFile = artifact.kind === 'keras-config-weights' ? artifact.config : artifact.kind === 'tfjs' ? path.join(dir, MODEL_JSON) : artifact.file;
  const { inputWidth, inputShape, outputWidth } = topologyWidths(modelFile, artifacts.modelTopology);
  const { preprocessing, tokenizerJson } = keras?.preprocessing ? await ownPreprocessing(dir, keras.preprocessing, modelFile, inputWidth) : await readPreprocessing(dir, modelFile, inputWidth);

  const labelsFile = path.join(dir, LABELS_JSON);
  const decoding = outputDecodingOf(headOf(artifacts.modelTopology, artifacts.trainingConfig, outputWidth));
  const classes = decoding.kind === 'binary' ? 2 : outputWidth;
  const labelBytes = await readOptional(labelsFile);
  // Without labels.json the answers name the class index, as the model does.
  const labels = labelBytes === null ? Array.from({ length: classes }, (_, i) => String(i)) : parseJsonFile(labelsFile, labelBytes);
  if (!Array.isArray(labels) || !labels.every((l) => typeof l === 'string')) {
    return invalid(labelsFile, 'must be a JSON array of class names (strings)');
  }
  if (labels.length !== classes) {
    const what = decoding.kind === 'binary' ? 'a single sigmoid unit (binary: two class names, for 0 and 1)' : `output width ${outputWidth}`;
    return invalid(modelFile, `${what} does not match the ${labels.length} class names of ${labelsFile}`);
  }

  const metadataFile = path.join(dir, METADATA_JSON);
  // metadata.json describes the model for humans and /stats; a model without one still serves.
  const metadataBytes = await readOptional(metadataFile);
  const metadata = metadataBytes === null ? {} : parseJsonFile(metadataFile, metadataBytes);
  if (!isRecord(metadata)) return invalid(metadataFile, 'must be a JSON object');

  return {
    ...id,
    dir,
    modelTopology: artifacts.modelTopology,
    weightSpecs: artifacts.weightSpecs,
    weightData: artifacts.weightData,
    tokenizerJson,
    labels,
    preprocessing,
    decoding,
    metadata,
    inputWidth,
    inputShape,
    outputWidth,
    ...(keras === null
      ? {}
      : { format: keras.format, kerasVersion: keras.kerasVersion, backend: keras.backend, inputs: keras.inputs, layers: keras.layers }),
  };
}

/**
 * What a bundle's model takes, for the dispatcher's check before queueing: text when it has a
 * preprocessing plan (today: every bundle has a tokenizer), tensors of `inputWidth` values a row.
 */
export function inputSignature(bundle: ModelBundle): InputSignature {
  return { text: bundle.tokenizerJson !== '' || bundle.preprocessing !== null, inputSize: bundle.inputWidth, model: `${bundle.name} v${bundle.version}` };
}

/** A file a version directory may hold: its bytes, or null when it is absent. */
async function readOptional(file: string): Promise<Buffer | null> {
  return readFile(file).catch((err: NodeJS.ErrnoException) => (err.code === 'ENOENT' ? null : invalid(file, `cannot be read (${err.code})`, err)));
}

/**
 * preprocessing.json and the files it names, checked against the model's input width; without
 * it, tokenizer.json alone is today's binary bag of words, and no file at all is a tensor-only
 * model (`tokenizerJson` '').
 */
async function readPreprocessing(dir: string, modelFile: string, inputWidth: number): Promise<{ preprocessing: PreprocessingData | null; tokenizerJson: string }> {
  const file = path.join(dir, PREPROCESSING_JSON);
  const bytes = await readOptional(file);
  if (bytes === null) {
    const tokenizerFile = path.join(dir, TOKENIZER_JSON);
    const tokenizerBytes = await readOptional(tokenizerFile);
    if (tokenizerBytes === null) return { preprocessing: null, tokenizerJson: '' };
    let tokenizer: Tokenizer;
    try {
      tokenizer = Tokenizer.fromJSON(tokenizerBytes.toString('utf8'), { vocabularyOnly: true });
    } catch (err) {
      return invalid(tokenizerFile, (err as Error).message, err);
    }
    if (tokenizer.matrixWidth !== inputWidth) {
      return invalid(modelFile, `input width ${inputWidth} does not match num_words ${tokenizer.matrixWidth} of ${tokenizerFile}`);
    }
    return { preprocessing: null, tokenizerJson: tokenizer.toServingJSON() };
  }
  let spec: PreprocessingSpec;
  try {
    spec = parsePreprocessing(parseJsonFile(file, bytes));
  } catch (err) {
    return invalid(file, (err as Error).message, err);
  }
  const data: PreprocessingData = { spec };
  const beside = async (name: string) => {
    const p = path.join(dir, name);
    if (!path.resolve(p).startsWith(dir + path.sep)) return invalid(file, `${name} must be a file beside the model`);
    return { p, text: (await readModelFile(p)).toString('utf8') };
  };
  if (spec.kind === 'texts_to_matrix' || spec.kind === 'texts_to_sequences') data.tokenizerJson = (await beside(spec.tokenizer)).text;
  if (spec.kind === 'word_index') {
    const { p, text } = await beside(spec.wordIndex);
    const doc = parseJsonFile(p, Buffer.from(text));
    if (!isRecord(doc) || !Object.values(doc).every((v) => Number.isInteger(v))) return invalid(p, 'must be a JSON object {word: rank} (keras.datasets.reuters.get_word_index())');
    data.wordIndex = Object.entries(doc as Record<string, number>);
  }
  if (spec.kind === 'text_vectorization' && !spec.config.vocabulary) {
    if (spec.vocabulary === null) return invalid(file, 'text_vectorization needs "vocabulary": a file of get_vocabulary(), one token a line');
    data.vocabulary = vocabularyLines((await beside(spec.vocabulary)).text);
  }
  let width: number;
  try {
    width = createTextPlan(data).width;
  } catch (err) {
    return invalid(file, (err as Error).message, err);
  }
  if (width !== inputWidth) return invalid(modelFile, `input width ${inputWidth} does not match the ${width} values a row that ${file} produces`);
  return { preprocessing: data, tokenizerJson: '' };
}

/**
 * A Keras file's own TextVectorization, which mlserve runs: a preprocessing.json or tokenizer.json
 * beside it would be a second, conflicting answer to "what turns a text into the input", so
 * either is an error naming the layer.
 */
async function ownPreprocessing(dir: string, data: PreprocessingData, modelFile: string, inputWidth: number): Promise<{ preprocessing: PreprocessingData; tokenizerJson: '' }> {
  const layer = data.spec.kind === 'text_vectorization' ? (data.spec.layer ?? modelFile) : modelFile;
  for (const name of [PREPROCESSING_JSON, TOKENIZER_JSON]) {
    const file = path.join(dir, name);
    if ((await readOptional(file)) !== null) return invalid(file, `${layer} is a TextVectorization that mlserve runs as the model's preprocessing; remove ${name} (or save the model without the layer)`);
  }
  const width = createTextPlan(data).width;
  if (width !== inputWidth) return invalid(modelFile, `input width ${inputWidth} does not match the ${width} values a row of ${layer}`);
  return { preprocessing: data, tokenizerJson: '' };
}

/** The last layer's activation and units, and whether training said from_logits. */
function headOf(topology: object, trainingConfig: unknown, units: number): { activation: string; units: number; fromLogits: boolean; loss: string | null } {
  const root = isRecord((topology as Record<string, unknown>).model_config) ? ((topology as Record<string, unknown>).model_config as Record<string, unknown>) : (topology as Record<string, unknown>);
  const config = root.config;
  const layers = (Array.isArray(config) ? config : isRecord(config) && Array.isArray(config.layers) ? config.layers : []) as unknown[];
  const last = layers.map((l) => (isRecord(l) && isRecord(l.config) ? l.config : {})).findLast((c) => c.units !== undefined || c.activation !== undefined) ?? {};
  const loss = isRecord(trainingConfig) ? trainingConfig.loss : undefined;
  const lossText = loss === undefined || loss === null ? null : JSON.stringify(loss);
  return { activation: String(last.activation ?? 'linear'), units, fromLogits: lossText !== null && /"from_logits"\s*:\s*true/.test(lossText), loss: lossText };
}

/** models/<name>/<version>: the ids a version directory implies when the caller gives none. */
function defaultId(versionDir: string): { name: string; version: number } {
  const dir = path.resolve(versionDir);
  const version = Number(path.basename(dir));
  return { name: path.basename(path.dirname(dir)), version: Number.isSafeInteger(version) ? version : 0 };
}

/**
 * Input and output widths declared by a Keras/tfjs layers topology (Sequential or functional,
 * optionally wrapped in `model_config`): the first `batch_input_shape` and the last layer with
 * `units`. Dense-headed models only; validateModel checks the built model's real shapes.
 */
export function topologyWidths(file: string, topology: object): { inputWidth: number; inputShape: number[]; outputWidth: number } {
  const root = isRecord((topology as Record<string, unknown>).model_config)
    ? ((topology as Record<string, unknown>).model_config as Record<string, unknown>)
    : (topology as Record<string, unknown>);
  const config = root.config;
  const layers = Array.isArray(config) ? config : isRecord(config) ? config.layers : undefined;
  if (!Array.isArray(layers) || layers.length === 0) return invalid(file, 'modelTopology has no layers');
  const configs = layers.map((l) => (isRecord(l) && isRecord(l.config) ? l.config : {}));
  // batch_input_shape (Keras 2, tfjs), batch_shape (Keras 3's InputLayer).
  const shape = configs.map((c) => c.batch_input_shape ?? c.batchInputShape ?? c.batch_shape).find(Array.isArray) as unknown[] | undefined;
  const dims = shape?.slice(1);
  if (shape === undefined || dims === undefined || dims.length === 0 || !dims.every(isPositiveInteger)) {
    return invalid(file, `the model input must be [null, width, ...] with known sizes, got ${JSON.stringify(shape)}`);
  }
  const inputShape = dims as number[];
  const outputWidth = configs.map((c) => c.units).findLast((u) => u !== undefined);
  if (!isPositiveInteger(outputWidth)) return invalid(file, 'no layer declares the output width (units)');
  return { inputWidth: inputShape.reduce((a, b) => a * b, 1), inputShape, outputWidth };
}

function isPositiveInteger(v: unknown): v is number {
  return Number.isInteger(v) && (v as number) > 0;
}
