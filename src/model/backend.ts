import { MlserveError } from '../errors.js';

/** The tfjs namespace, as `import * as tf from '@tensorflow/tfjs'` gives it. */
export type Tf = typeof import('@tensorflow/tfjs');

/** Which backend to run on: `auto` takes the fastest one that loads. */
export type BackendPreference = 'auto' | 'tensorflow' | 'wasm' | 'cpu';

/** Result of {@link selectBackend}. */
export interface SelectedBackend {
  /** Use this tf for everything: with tfjs-node it is tfjs-node's own export. */
  tf: Tf;
  /** The active backend name: "tensorflow", "wasm" or "cpu". */
  backend: string;
  /** Backends `auto` tried first and why they were skipped, for the caller to log. */
  skipped: { backend: string; reason: string }[];
}

// A variable specifier: tfjs-node is optional, so TypeScript must not resolve it at build time.
const TFJS_NODE = '@tensorflow/tfjs-node';

/**
 * Loads tfjs and activates a backend: `auto` = tfjs-node (native TensorFlow) when it can be
 * imported, else wasm, else cpu. An explicit choice that cannot load throws MlserveError
 * ERR_BACKEND. Works in worker threads; call once per thread before building models.
 *
 * @example
 * const { tf, backend } = await selectBackend('auto');
 */
export async function selectBackend(pref: BackendPreference): Promise<SelectedBackend> {
  const order: Exclude<BackendPreference, 'auto'>[] = pref === 'auto' ? ['tensorflow', 'wasm', 'cpu'] : [pref];
  const skipped: SelectedBackend['skipped'] = [];
  for (const backend of order) {
    try {
      const tf = await activate(backend);
      return { tf, backend: tf.getBackend(), skipped };
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      if (pref !== 'auto') {
        throw new MlserveError('ERR_BACKEND', `backend "${backend}" is not available: ${reason}`, { cause: err });
      }
      skipped.push({ backend, reason });
    }
  }
  throw new MlserveError('ERR_BACKEND', `no tfjs backend could be initialised: ${JSON.stringify(skipped)}`);
}

async function activate(backend: Exclude<BackendPreference, 'auto'>): Promise<Tf> {
  if (backend === 'tensorflow') {
    // tfjs-node re-exports tfjs and registers the "tensorflow" backend as it loads.
    const tf = (await import(TFJS_NODE)) as Tf;
    await setBackend(tf, 'tensorflow');
    return tf;
  }
  const tf = await import('@tensorflow/tfjs');
  if (backend === 'wasm') {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    // mlserve runs one model per worker thread; wasm's own thread pool would only compete.
    // (Must precede the backend's first initialisation, hence before setBackend.)
    wasm.setThreadsCount(1);
  }
  await setBackend(tf, backend);
  return tf;
}

async function setBackend(tf: Tf, name: string): Promise<void> {
  // setBackend answers false (and only warns) when the backend fails to initialise.
  if (!(await tf.setBackend(name))) throw new Error(`tf.setBackend("${name}") failed`);
  await tf.ready();
}
