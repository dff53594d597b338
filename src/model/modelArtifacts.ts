import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { io } from '@tensorflow/tfjs';
import { MlserveError } from '../errors.js';
import { isRecord } from './isRecord.js';

/** The TensorFlow.js layers-model files of one version directory, read and checked. */
export interface ModelArtifactFiles {
  modelTopology: object;
  weightSpecs: io.WeightsManifestEntry[];
  /** All shards concatenated in manifest order, exactly the bytes the specs describe. */
  weightData: ArrayBuffer;
  trainingConfig?: io.TrainingConfig;
}

/** File name of model.json inside a version directory. */
export const MODEL_JSON = 'model.json';
/** The single shard {@link writeModelArtifacts} writes (tfjs's own name for it). */
export const WEIGHTS_SHARD = 'group1-shard1of1.bin';

/** Throws the ERR_MODEL_INVALID error for `file` (a path) and `problem`. */
export function invalid(file: string, problem: string, cause?: unknown): never {
  throw new MlserveError('ERR_MODEL_INVALID', `${file}: ${problem}`, { cause });
}

/** Reads a file that must exist in a model version directory; missing means an invalid model. */
export async function readModelFile(file: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return invalid(file, code === 'ENOENT' ? 'missing' : `cannot be read (${code ?? String(err)})`, err);
  }
}

/** Parses JSON read from `file`, naming the file when it is not JSON. */
export function parseJsonFile(file: string, bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    return invalid(file, `not valid JSON (${(err as Error).message})`, err);
  }
}

/**
 * Reads `dir/model.json` (format "layers-model") and its weight shards, and checks that every
 * weight in the manifest is float32 and that each group's shards hold exactly its bytes.
 * Throws MlserveError ERR_MODEL_INVALID naming the file and the problem.
 */
export async function readModelArtifacts(dir: string): Promise<ModelArtifactFiles> {
  const file = path.join(dir, MODEL_JSON);
  const json = parseJsonFile(file, await readModelFile(file));
  if (!isRecord(json)) return invalid(file, 'must be a JSON object');
  if (json.format !== undefined && json.format !== 'layers-model') {
    return invalid(file, `format is ${JSON.stringify(json.format)}, expected "layers-model" (a graph model cannot be served)`);
  }
  if (!isRecord(json.modelTopology)) return invalid(file, 'modelTopology is missing or not an object');
  if (!Array.isArray(json.weightsManifest)) return invalid(file, 'weightsManifest is missing or not an array');

  const weightSpecs: io.WeightsManifestEntry[] = [];
  const groups: { paths: string[]; bytes: number }[] = [];
  for (const [g, group] of json.weightsManifest.entries()) {
    const where = `weightsManifest[${g}]`;
    if (!isRecord(group) || !Array.isArray(group.paths) || !Array.isArray(group.weights)) {
      return invalid(file, `${where} must have "paths" and "weights" arrays`);
    }
    let bytes = 0;
    for (const w of group.weights as unknown[]) {
      if (!isRecord(w) || typeof w.name !== 'string' || !Array.isArray(w.shape)) {
        return invalid(file, `${where} has a weight without a name and a shape`);
      }
      if (w.dtype !== 'float32') return invalid(file, `weight ${w.name} has dtype ${String(w.dtype)}, only float32 is supported`);
      if (w.quantization !== undefined) return invalid(file, `weight ${w.name} is quantized, which is not supported`);
      if (!w.shape.every((d) => Number.isInteger(d) && (d as number) >= 0)) {
        return invalid(file, `weight ${w.name} has an invalid shape ${JSON.stringify(w.shape)}`);
      }
      bytes += 4 * (w.shape as number[]).reduce((a, b) => a * b, 1);
      weightSpecs.push(w as unknown as io.WeightsManifestEntry);
    }
    if (!group.paths.every((p) => typeof p === 'string' && isInside(dir, p))) {
      return invalid(file, `${where}.paths must name files inside ${dir}`);
    }
    groups.push({ paths: group.paths as string[], bytes });
  }

  const chunks: Buffer[] = [];
  for (const group of groups) {
    let got = 0;
    for (const p of group.paths) {
      const shard = await readModelFile(path.join(dir, p));
      chunks.push(shard);
      got += shard.length;
    }
    if (got !== group.bytes) {
      const names = group.paths.map((p) => path.join(dir, p)).join(' + ') || '(no shard)';
      return invalid(names, `${got} bytes, but the weights listed for it in ${MODEL_JSON} need ${group.bytes}`);
    }
  }
  const weightData = concatBytes(chunks);
  const artifacts: ModelArtifactFiles = { modelTopology: json.modelTopology, weightSpecs, weightData };
  if (isRecord(json.trainingConfig)) artifacts.trainingConfig = json.trainingConfig as unknown as io.TrainingConfig;
  return artifacts;
}

/**
 * Writes `dir/model.json` and one weight shard, the layout tfjs-node's `file://` handler writes,
 * which pure tfjs cannot do. Creates `dir` if needed.
 */
export async function writeModelArtifacts(dir: string, artifacts: io.ModelArtifacts): Promise<io.SaveResult> {
  if (artifacts.modelTopology === undefined || artifacts.weightSpecs === undefined) {
    throw new MlserveError('ERR_MODEL_INVALID', `${dir}: nothing to save (no topology or weight specs)`);
  }
  const data = artifacts.weightData;
  const weightData = data === undefined ? new ArrayBuffer(0) : Array.isArray(data) ? concatBytes(data.map((b) => Buffer.from(b))) : data;
  const modelJson = {
    modelTopology: artifacts.modelTopology,
    format: artifacts.format ?? 'layers-model',
    generatedBy: artifacts.generatedBy,
    convertedBy: artifacts.convertedBy ?? null,
    weightsManifest: [{ paths: [WEIGHTS_SHARD], weights: artifacts.weightSpecs }],
    ...(artifacts.trainingConfig === undefined ? {} : { trainingConfig: artifacts.trainingConfig }),
  };
  const text = JSON.stringify(modelJson);
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, WEIGHTS_SHARD), Buffer.from(weightData));
  await writeFile(path.join(dir, MODEL_JSON), text);
  return {
    modelArtifactsInfo: {
      dateSaved: new Date(),
      modelTopologyType: 'JSON',
      modelTopologyBytes: Buffer.byteLength(JSON.stringify(artifacts.modelTopology)),
      weightSpecsBytes: Buffer.byteLength(JSON.stringify(artifacts.weightSpecs)),
      weightDataBytes: weightData.byteLength,
    },
  };
}

function isInside(dir: string, p: string): boolean {
  const base = path.resolve(dir);
  return path.resolve(base, p).startsWith(base + path.sep);
}

/** Concatenates into a fresh ArrayBuffer of exactly the total length (no Buffer pool slack). */
export function concatBytes(chunks: readonly ArrayBufferView[]): ArrayBuffer {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
  let offset = 0;
  for (const c of chunks) {
    out.set(new Uint8Array(c.buffer, c.byteOffset, c.byteLength), offset);
    offset += c.byteLength;
  }
  return out.buffer;
}
