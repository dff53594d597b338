import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { io } from '@tensorflow/tfjs';
import { MlserveError } from '../errors.js';
import { isRecord } from './isRecord.js';
import { MODEL_JSON, invalid, parseJsonFile, readModelArtifacts, readModelFile } from './modelArtifacts.js';
import { Tokenizer } from './tokenizer.js';
import type { InputSignature } from './modelInput.js';

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
  /** Class names by output index. */
  labels: string[];
  metadata: Record<string, unknown>;
  /** Columns of the model input: the tokenizer's num_words. */
  inputWidth: number;
  /** Columns of the model output: the number of labels. */
  outputWidth: number;
}

export const TOKENIZER_JSON = 'tokenizer.json';
export const LABELS_JSON = 'labels.json';
export const METADATA_JSON = 'metadata.json';

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
): Promise<ModelBundle> {
  const dir = path.resolve(versionDir);
  const dirStat = await stat(dir).catch((err: NodeJS.ErrnoException) => {
    throw new MlserveError('ERR_MODEL_NOT_FOUND', `model version directory ${versionDir} cannot be read (${err.code})`, { cause: err });
  });
  if (!dirStat.isDirectory()) throw new MlserveError('ERR_MODEL_NOT_FOUND', `${versionDir} is not a directory`);

  const artifacts = await readModelArtifacts(dir);
  const modelFile = path.join(dir, MODEL_JSON);
  const { inputWidth, outputWidth } = topologyWidths(modelFile, artifacts.modelTopology);

  const tokenizerFile = path.join(dir, TOKENIZER_JSON);
  const tokenizerJson = (await readModelFile(tokenizerFile)).toString('utf8');
  let tokenizer: Tokenizer;
  try {
    tokenizer = Tokenizer.fromJSON(tokenizerJson, { vocabularyOnly: true });
  } catch (err) {
    return invalid(tokenizerFile, (err as Error).message, err);
  }
  if (tokenizer.matrixWidth !== inputWidth) {
    return invalid(modelFile, `input width ${inputWidth} does not match num_words ${tokenizer.matrixWidth} of ${tokenizerFile}`);
  }

  const labelsFile = path.join(dir, LABELS_JSON);
  const labels = parseJsonFile(labelsFile, await readModelFile(labelsFile));
  if (!Array.isArray(labels) || !labels.every((l) => typeof l === 'string')) {
    return invalid(labelsFile, 'must be a JSON array of class names (strings)');
  }
  if (labels.length !== outputWidth) {
    return invalid(modelFile, `output width ${outputWidth} does not match the ${labels.length} class names of ${labelsFile}`);
  }

  const metadataFile = path.join(dir, METADATA_JSON);
  // metadata.json describes the model for humans and /stats; a model without one still serves.
  const metadataBytes = await readFile(metadataFile).catch((err: NodeJS.ErrnoException) =>
    err.code === 'ENOENT' ? null : invalid(metadataFile, `cannot be read (${err.code})`, err),
  );
  const metadata = metadataBytes === null ? {} : parseJsonFile(metadataFile, metadataBytes);
  if (!isRecord(metadata)) return invalid(metadataFile, 'must be a JSON object');

  return {
    ...id,
    dir,
    modelTopology: artifacts.modelTopology,
    weightSpecs: artifacts.weightSpecs,
    weightData: artifacts.weightData,
    tokenizerJson: tokenizer.toServingJSON(),
    labels,
    metadata,
    inputWidth,
    outputWidth,
  };
}

/**
 * What a bundle's model takes, for the dispatcher's check before queueing: text when it has a
 * preprocessing plan (today: every bundle has a tokenizer), tensors of `inputWidth` values a row.
 */
export function inputSignature(bundle: ModelBundle): InputSignature {
  return { text: bundle.tokenizerJson !== '', inputSize: bundle.inputWidth, model: `${bundle.name} v${bundle.version}` };
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
export function topologyWidths(file: string, topology: object): { inputWidth: number; outputWidth: number } {
  const root = isRecord((topology as Record<string, unknown>).model_config)
    ? ((topology as Record<string, unknown>).model_config as Record<string, unknown>)
    : (topology as Record<string, unknown>);
  const config = root.config;
  const layers = Array.isArray(config) ? config : isRecord(config) ? config.layers : undefined;
  if (!Array.isArray(layers) || layers.length === 0) return invalid(file, 'modelTopology has no layers');
  const configs = layers.map((l) => (isRecord(l) && isRecord(l.config) ? l.config : {}));
  const shape = configs.map((c) => c.batch_input_shape ?? c.batchInputShape).find(Array.isArray) as unknown[] | undefined;
  const inputWidth = shape?.[shape.length - 1];
  if (shape === undefined || shape.length !== 2 || !isPositiveInteger(inputWidth)) {
    return invalid(file, `the model input must be [null, width], got ${JSON.stringify(shape)}`);
  }
  const outputWidth = configs.map((c) => c.units).findLast((u) => u !== undefined);
  if (!isPositiveInteger(outputWidth)) return invalid(file, 'no layer declares the output width (units)');
  return { inputWidth, outputWidth };
}

function isPositiveInteger(v: unknown): v is number {
  return Number.isInteger(v) && (v as number) > 0;
}
