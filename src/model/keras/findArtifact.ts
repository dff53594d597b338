import { open, readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { isRecord } from '../isRecord.js';
import { invalid } from '../modelArtifacts.js';
import { H5File } from './h5File.js';
import { refuse } from './refuse.js';

/** The one model artifact of a version directory (or the single file `model` names). */
export type ModelArtifact =
  | { kind: 'tfjs'; file: string }
  | { kind: 'keras-h5'; file: string; bytes?: Buffer }
  | { kind: 'keras-zip'; file: string }
  | { kind: 'keras-config-weights'; config: string; weights: string; weightsBytes?: Buffer };

/** What the first bytes say a file is; never the extension. */
export type Sniffed = 'hdf5' | 'zip' | 'json' | 'other';

/** Files beside a model that are not the model (read by the bundle and preprocessing). */
const COMPANIONS = new Set(['labels.json', 'tokenizer.json', 'preprocessing.json', 'metadata.json']);
const HDF5_MAGIC = Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Classifies a file by its magic bytes: HDF5 signature, zip `PK\x03\x04`, JSON `{`. */
export function sniff(head: Buffer): Sniffed {
  if (head.subarray(0, 8).equals(HDF5_MAGIC)) return 'hdf5';
  if (head[0] === 0x50 && head[1] === 0x4b && (head[2] === 3 || head[2] === 5)) return 'zip';
  if (head.toString('utf8').trimStart().startsWith('{')) return 'json';
  return 'other';
}

async function head(file: string): Promise<Buffer> {
  const fh = await open(file, 'r');
  try {
    const b = Buffer.alloc(64);
    const { bytesRead } = await fh.read(b, 0, 64, 0);
    return b.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

/**
 * Finds the model artifact by content: a TensorFlow.js model.json, a Keras HDF5 model, a
 * .keras zip, or a Keras config JSON + weights HDF5 pair. A SavedModel is refused; no artifact,
 * or more than one, is ERR_MODEL_INVALID listing what was found.
 */
export async function findArtifact(dir: string, file?: string): Promise<ModelArtifact> {
  const candidates = file === undefined ? await listFiles(dir) : [file];
  if (file === undefined && candidates.some((f) => path.basename(f) === 'saved_model.pb')) {
    return refuse(dir, 'is a TensorFlow SavedModel (saved_model.pb)', "mlserve serves Keras files: load the model in Keras and save it with model.save('model.keras')");
  }
  const found: ModelArtifact[] = [];
  const configs: string[] = [];
  const weights: string[] = [];
  // An HDF5 file is read whole to look inside it; its bytes go with the artifact, so the reader
  // does not read (a possibly large) file a second time.
  const bytesOf = new Map<string, Buffer>();
  for (const f of candidates) {
    const kind = sniff(await head(f));
    if (kind === 'zip') found.push({ kind: 'keras-zip', file: f });
    else if (kind === 'hdf5') {
      const bytes = await readFile(f);
      const h5 = await H5File.open(bytes, f);
      let full: boolean;
      try {
        full = h5.attrString('/', 'model_config') !== undefined;
      } finally {
        h5.close();
      }
      bytesOf.set(f, bytes);
      if (full) found.push({ kind: 'keras-h5', file: f, bytes });
      else weights.push(f);
    } else if (kind === 'json') {
      let json: unknown;
      try {
        json = JSON.parse(await readFile(f, 'utf8'));
      } catch {
        continue; // not a model file (a vocabulary or a note)
      }
      if (isRecord(json) && json.weightsManifest !== undefined) found.push({ kind: 'tfjs', file: f });
      // Keras's Tokenizer.to_json() is `{"class_name": "Tokenizer", ...}` too: a tokenizer file that
      // preprocessing.json names (any name but tokenizer.json) is a companion, not a model config.
      else if (isRecord(json) && typeof json.class_name === 'string' && json.class_name !== 'Tokenizer') configs.push(f);
    }
  }
  if (configs.length === 1 && weights.length === 1) {
    found.push({ kind: 'keras-config-weights', config: configs[0]!, weights: weights[0]!, weightsBytes: bytesOf.get(weights[0]!)! });
  }
  else if (configs.length > 0 || weights.length > 0) {
    if (found.length === 0 && weights.length > 0 && configs.length === 0) {
      return refuse(weights[0]!, 'holds weights only', 'save the whole model with model.save(...), or put the model.to_json() config beside it');
    }
    found.push(...configs.map((c) => ({ kind: 'keras-config-weights' as const, config: c, weights: '?' })), ...weights.map((w) => ({ kind: 'keras-h5' as const, file: w })));
  }
  if (found.length === 1) return found[0]!;
  const where = file ?? dir;
  // Nothing recognised: the tfjs reader reports what is missing, as it always has ("model.json: missing").
  if (found.length === 0 && file === undefined) return { kind: 'tfjs', file: path.join(dir, 'model.json') };
  if (found.length === 0) return invalid(where, 'is not a model (a Keras .h5/.keras file or a tfjs model.json)');
  return invalid(where, `holds more than one model artifact (${found.map(describe).join(', ')}); keep one per version directory`);
}

function describe(a: ModelArtifact): string {
  return a.kind === 'keras-config-weights' ? `${path.basename(a.config)} + ${path.basename(a.weights)}` : path.basename(a.file);
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const files: string[] = [];
  for (const e of entries) {
    if (COMPANIONS.has(e.name)) continue;
    const p = path.join(dir, e.name);
    // Deployments symlink model files; follow links.
    if (e.isFile() || (e.isSymbolicLink() && (await stat(p).catch(() => null))?.isFile())) files.push(p);
  }
  return files.sort();
}
