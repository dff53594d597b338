import type { Logger } from '../log.js';
import { selectBackend, type BackendPreference } from './backend.js';
import { readModelBundle, type ModelBundle } from './bundle.js';
import { createPredictor } from './predictor.js';
import { resolveModelVersion } from './resolveModelVersion.js';

/** A model version read from disk and checked, ready to post to worker threads. */
export interface LoadedModel {
  bundle: ModelBundle;
  /** Time spent reading and checking, in ms. */
  loadMs: number;
}

/** Options of {@link loadModel}. */
export interface LoadModelOptions {
  /** Also build the model with tfjs, check its real shapes and run one prediction (for `--check`). */
  deep?: boolean;
  /** Backend for the deep check; auto when not set. */
  backend?: BackendPreference;
}

/**
 * The master's model step: picks the highest version under `baseDir`, reads and checks its
 * files once (fail fast, before any thread starts), and logs what will be served.
 * Throws MlserveError ERR_MODEL_NOT_FOUND / ERR_MODEL_INVALID / ERR_BACKEND.
 *
 * @example
 * const { bundle } = await loadModel('models/reuters', log);
 */
export async function loadModel(baseDir: string, log: Logger, options: LoadModelOptions = {}): Promise<LoadedModel> {
  const started = performance.now();
  const { name, version, dir, file } = await resolveModelVersion(baseDir);
  const bundle = await readModelBundle(dir, { name, version }, file);
  if (options.deep === true) {
    const { tf, backend, skipped } = await selectBackend(options.backend ?? 'auto');
    if (skipped.length > 0) log.debug({ skipped }, 'tfjs backends skipped');
    const predictor = await createPredictor(bundle, tf);
    predictor.warmUp();
    predictor.dispose();
    log.debug({ backend }, 'model built, checked and run once with tfjs');
  }
  const loadMs = Math.round((performance.now() - started) * 10) / 10;
  log.info(
    {
      model: name,
      version,
      dir,
      inputWidth: bundle.inputWidth,
      outputWidth: bundle.outputWidth,
      preprocessing: bundle.preprocessing?.spec.kind ?? (bundle.tokenizerJson === '' ? 'none (tensor API only)' : 'tokenizer.json binary bag of words'),
      decoding: bundle.decoding.kind,
      weightBytes: bundle.weightData.byteLength,
      loadMs,
    },
    'model loaded',
  );
  return { bundle, loadMs };
}
