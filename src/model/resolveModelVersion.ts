import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { MlserveError } from '../errors.js';

/** The version of a model that will be served. */
export interface ModelVersion {
  /** Basename of the model base directory, e.g. "reuters". */
  name: string;
  version: number;
  /** Absolute path of the version directory. */
  dir: string;
  /** Set when `model` names a single file (served as version 1): that file, absolute. */
  file?: string;
}

// TF Serving's rule: version directories are named by non-negative integers; others are ignored.
const VERSION_NAME = /^(0|[1-9][0-9]*)$/;

/**
 * Finds the version to serve under a model base directory laid out as TF Serving's
 * (`models/reuters/1/`, `models/reuters/2/`, ...): the highest integer-named subdirectory.
 * Throws MlserveError ERR_MODEL_NOT_FOUND naming the directory when it is missing or holds no version.
 *
 * @example
 * await resolveModelVersion('models/reuters') // { name: 'reuters', version: 1, dir: '/…/models/reuters/1' }
 */
export async function resolveModelVersion(baseDir: string): Promise<ModelVersion> {
  const base = path.resolve(baseDir);
  // `model = models/reuters_model.hdf5`: one file is version 1, companions beside it (the classic stack's layout).
  const baseStat = await stat(base).catch(() => null);
  if (baseStat?.isFile()) return { name: path.basename(base).replace(/\.[^.]*$/, ''), version: 1, dir: path.dirname(base), file: base };
  let entries;
  try {
    entries = await readdir(base, { withFileTypes: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const problem = code === 'ENOENT' ? 'does not exist' : code === 'ENOTDIR' ? 'is not a directory' : `cannot be read (${code ?? String(err)})`;
    throw new MlserveError('ERR_MODEL_NOT_FOUND', `model directory ${baseDir} ${problem}`, { cause: err });
  }
  const versions: number[] = [];
  for (const e of entries) {
    if (!VERSION_NAME.test(e.name) || !Number.isSafeInteger(Number(e.name))) continue;
    // Deployments often symlink a version directory; follow links, skip plain files.
    const isDir = e.isDirectory() || (e.isSymbolicLink() && (await stat(path.join(base, e.name)).catch(() => null))?.isDirectory());
    if (isDir) versions.push(Number(e.name));
  }
  if (versions.length === 0) {
    throw new MlserveError(
      'ERR_MODEL_NOT_FOUND',
      `model directory ${baseDir} has no version subdirectory (expected integer names such as ${path.join(baseDir, '1')})`,
    );
  }
  const version = Math.max(...versions);
  return { name: path.basename(base), version, dir: path.join(base, String(version)) };
}
